// `expect.data` predicates: JSONata over the run's final data, its input and the run. A failure
// names the predicate and the values of the paths it read, so that nobody has to rerun to see them.
import { compileExpression, evaluate } from '../expr/expression';

export interface PredicateScope {
  data: unknown;
  input: unknown;
  run: unknown;
}

const MAX_VALUES = 8;
const MAX_TEXT = 200;

/** Undefined when the predicate holds; otherwise why not. */
export async function predicateFailure(source: string, scope: PredicateScope): Promise<string | undefined> {
  let value: unknown;
  try {
    value = await evaluate(source, scope);
  } catch (e) {
    return `the predicate \`${source}\` failed: ${(e as Error).message}`;
  }
  if (holds(value)) return undefined;
  const seen: string[] = [];
  for (const path of paths(source).slice(0, MAX_VALUES)) {
    let v: unknown;
    try {
      v = await evaluate(path, scope);
    } catch {
      continue;
    }
    seen.push(`${path} = ${v === undefined ? '(missing)' : brief(v)}`);
  }
  return `expected \`${source}\` to hold, it gave ${brief(value)}${seen.length ? `; it saw ${seen.join(', ')}` : ''}.`;
}

function holds(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  [key: string]: unknown;
}

/** The source text of each path the expression reads (`data.deployed`, `data.items[0].x`), in order. */
export function paths(source: string): string[] {
  const out: string[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as AstNode;
    if (n.type === 'path' && n.steps?.length && n.steps[0].type === 'name') {
      const first = n.steps[0];
      const start = (first.position ?? 0) - String(first.value).length;
      const text = balanced(source, Math.max(0, start), maxPosition(n)).trim();
      if (text && !out.includes(text)) out.push(text);
      return;
    }
    for (const v of Object.values(n)) visit(v);
  };
  try {
    visit(compileExpression(source).ast());
  } catch {
    return [];
  }
  return out;
}

/** The end of a node's text: JSONata records each token's end as its `position`. */
function maxPosition(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  let max = typeof (node as AstNode).position === 'number' ? ((node as AstNode).position as number) : 0;
  for (const v of Object.values(node as object)) max = Math.max(max, maxPosition(v));
  return max;
}

/** source[start, end), extended over the closing brackets that have no position of their own. */
function balanced(source: string, start: number, end: number): string {
  let depth = 0;
  for (const c of source.slice(start, end)) depth += c === '[' || c === '(' ? 1 : c === ']' || c === ')' ? -1 : 0;
  while (depth > 0 && end < source.length) {
    const c = source[end++];
    depth += c === '[' || c === '(' ? 1 : c === ']' || c === ')' ? -1 : 0;
  }
  return source.slice(start, end);
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}
