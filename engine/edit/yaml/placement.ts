// How a mapping edit is asked for (the entries to set or remove, and where new ones go), and where
// that puts a new entry among those that stay: one rule for block and flow mappings alike.

/** Where new entries of a mapping go: by a canonical key order, or right after a given key. */
export type Placement = { order: readonly string[] } | { after?: string; spaced?: boolean };

export type Change = readonly [key: string, value: unknown];

/**
 * The index in `keys` (the entries that stay, in their order; undefined for a key that is not a
 * plain value) of the entry a new `key` goes after, or -1 for before all of them. By order: after the
 * last key that comes before it; before the first when only later ones are there; else at the end.
 */
export function placeAfter(keys: ReadonlyArray<string | undefined>, key: string, placement: Placement): number {
  if (!('order' in placement)) {
    const i = placement.after !== undefined ? keys.indexOf(placement.after) : -1;
    return i >= 0 ? i : keys.length - 1;
  }
  const rank = placement.order.indexOf(key);
  if (rank < 0) return keys.length - 1;
  let at = -1;
  let later = false;
  keys.forEach((k, i) => {
    const r = k === undefined ? -1 : placement.order.indexOf(k);
    if (r >= 0 && r < rank) at = i;
    else if (r > rank) later = true;
  });
  return at >= 0 || later ? at : keys.length - 1;
}
