// How a mapping edit is asked for: the entries to set or remove, and where new ones go.

/** Where new entries of a mapping go: by a canonical key order, or right after a given key. */
export type Placement = { order: readonly string[] } | { after?: string; spaced?: boolean };

export type Change = readonly [key: string, value: unknown];
