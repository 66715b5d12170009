// A JSON Schema as plain data, apart from define.ts so that the graph's webview can name it
// without the engine's runtime types.

/** A JSON Schema (draft-07) as plain data. */
export type JsonSchema = Record<string, unknown>;
