// The one error an edit operation throws on purpose: its message is shown to the user, and the
// driver (index.ts) turns it into an EditResult's `error` rather than a crash.

/** Thrown by an operation that cannot be applied; its message is shown to the user. */
export class EditError extends Error {}
