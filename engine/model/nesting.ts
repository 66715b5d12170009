// How deeply a task file nests its mappings and lists, read from yaml's CST before anything is
// built from it. The CST parser keeps its own stack, so any depth is safe there; yaml's composer,
// the schema check and the model's reader recurse once per level, so they only see a file that
// nests at most MAX_NESTING levels (far more than any task needs, far less than a stack holds).
import { Parser, type CST, type LineCounter } from 'yaml';

/** The deepest nesting of mappings and lists a task file may have (the root mapping is level 1). */
export const MAX_NESTING = 256;

/**
 * The text's tokens (line starts counted in `lineCounter`), and the offset where it nests more
 * than `max` levels deep, if it does. Most files are shown shallow without a walk over every token
 * (a large file has hundreds of thousands, and the walk was a fair part of linting one): every
 * collection that holds a token is on the parser's stack when that token's line starts, and each
 * level opened within a line takes at least one of its characters, so nothing is deeper than the
 * deepest stack at a line start plus the longest line.
 */
export function parseTokens(text: string, lineCounter: LineCounter, max = MAX_NESTING): { tokens: CST.Token[]; tooDeep?: number } {
  let deepest = 0;
  const parser: Parser = new Parser((offset) => {
    lineCounter.addNewLine(offset);
    if (parser.stack.length > deepest) deepest = parser.stack.length;
  });
  const tokens = [...parser.parse(text)];
  const starts = lineCounter.lineStarts;
  let longest = starts.length ? text.length - starts[starts.length - 1] : text.length;
  for (let i = 1; i < starts.length; i++) longest = Math.max(longest, starts[i] - starts[i - 1]);
  return deepest + longest <= max ? { tokens } : { tokens, tooDeep: tooDeepAt(tokens, max) };
}

type Item = CST.CollectionItem;

/**
 * The offset of the first mapping or list, in document order, that is nested more than `max`
 * levels deep; undefined when none is. Linear in the number of tokens.
 */
export function tooDeepAt(tokens: readonly CST.Token[], max = MAX_NESTING): number | undefined {
  // Two parallel stacks (a token, and how many collections hold it): no object per token, as a
  // large file has hundreds of thousands of them.
  const stack: Array<CST.Token | null | undefined> = [];
  const levels: number[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    stack.push(tokens[i]);
    levels.push(0);
  }
  while (stack.length) {
    const token = stack.pop();
    const level = levels.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push(token.value);
      levels.push(level);
      continue;
    }
    if (!nests(token)) continue;
    const own = level + 1;
    if (own > max) return token.offset;
    const items = (token as { items: Item[] }).items;
    const flowList = token.type === 'flow-collection' && token.start.source === '[';
    // Pushed last to first, so that the first item is read first (the first offset too deep is reported).
    let deepPair: number | undefined;
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      // `[a: 1]`: a pair in a flow list is a mapping of its own, one level further in.
      const pair = flowList && item.sep?.some((t) => t.type === 'map-value-ind');
      if (pair && own + 1 > max) deepPair = (item.key ?? item.sep![0]).offset;
      const inner = pair ? own + 1 : own;
      // Only collections nest: scalars are not worth a place on the stack.
      if (nests(item.value)) {
        stack.push(item.value);
        levels.push(inner);
      }
      if (nests(item.key)) {
        stack.push(item.key);
        levels.push(inner);
      }
    }
    // The first too-deep pair of this list comes before anything its items hold.
    if (deepPair !== undefined) return deepPair;
  }
  return undefined;
}

function nests(token: CST.Token | null | undefined): boolean {
  return token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection';
}
