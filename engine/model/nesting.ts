// How deeply a task file nests its mappings and lists, read from yaml's CST before anything is
// built from it. The CST parser keeps its own stack, so any depth is safe there; yaml's composer,
// the schema check and the model's reader recurse once per level, so they only see a file that
// nests at most MAX_NESTING levels (far more than any task needs, far less than a stack holds).
import type { CST } from 'yaml';

/** The deepest nesting of mappings and lists a task file may have (the root mapping is level 1). */
export const MAX_NESTING = 256;

type Item = CST.CollectionItem;

/**
 * The offset of the first mapping or list, in document order, that is nested more than `max`
 * levels deep; undefined when none is. Linear in the number of tokens.
 */
export function tooDeepAt(tokens: readonly CST.Token[], max = MAX_NESTING): number | undefined {
  // `level` is how many collections hold the token.
  const stack: Array<{ token: CST.Token | null | undefined; level: number }> = tokens.map((token) => ({ token, level: 0 })).reverse();
  while (stack.length) {
    const { token, level } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, level });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    const own = level + 1;
    if (own > max) return token.offset;
    const children: Array<{ token: CST.Token | null | undefined; level: number }> = [];
    for (const item of token.items as Item[]) {
      // `[a: 1]`: a pair in a flow list is a mapping of its own, one level further in.
      const pair = token.type === 'flow-collection' && token.start.source === '[' && item.sep?.some((t) => t.type === 'map-value-ind');
      if (pair && own + 1 > max) return (item.key ?? item.sep![0]).offset;
      const inner = pair ? own + 1 : own;
      // Only collections nest: scalars are not worth a place on the stack.
      if (nests(item.key)) children.push({ token: item.key, level: inner });
      if (nests(item.value)) children.push({ token: item.value, level: inner });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return undefined;
}

function nests(token: CST.Token | null | undefined): boolean {
  return token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection';
}
