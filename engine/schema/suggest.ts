// "Did you mean ...?": the nearest known name to a misspelt one.

/** Levenshtein distance, with a transposition of two neighbours counted as one edit. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

export interface SuggestOptions {
  /** Largest edit distance accepted (default: 2, or a third of the name's length if larger). */
  maxDistance?: number;
  /** Accept a candidate that starts with the name, or that the name starts with (default true). */
  prefix?: boolean;
}

/**
 * The candidate nearest to `name`: a case-insensitive match first, then the smallest edit
 * distance within the limit, then a prefix match. Undefined when nothing is close enough.
 */
export function nearest(name: string, candidates: Iterable<string>, options: SuggestOptions = {}): string | undefined {
  const list = [...new Set(candidates)].filter((c) => c !== name);
  if (!list.length || !name) return undefined;
  const lower = name.toLowerCase();
  const exact = list.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  const limit = options.maxDistance ?? Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of list) {
    if (Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= limit && bestDistance < Math.max(name.length, best.length)) return best;
  if (options.prefix !== false && name.length >= 2) {
    const byPrefix = list
      .filter((c) => c.toLowerCase().startsWith(lower) || (c.length >= 3 && lower.startsWith(c.toLowerCase())))
      .sort((x, y) => Math.abs(x.length - name.length) - Math.abs(y.length - name.length));
    if (byPrefix.length) return byPrefix[0];
  }
  return undefined;
}
