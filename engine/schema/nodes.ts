// A task document as plain data, with the YAML node behind every value indexed by JSON pointer.
// Both the schema validation and the lint rules read it, so they see the same values as the model:
// a repeated key keeps its first value (parse.ts reports the repeat and ignores it), keys are
// strings, and aliases are expanded. What the file itself writes is read whole, whatever its size
// (parse.ts refuses nesting past MAX_NESTING); only what aliases add is bounded, so that aliases of
// aliases cannot blow up, and whatever is left out for that is said (see `cut`).
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { MAX_NESTING } from '../model/nesting';

export type PathSegment = string | number;

export interface IndexedNode {
  /** The value's node (for an alias, the alias itself at the top and the anchor's nodes below). */
  node: Node;
  /** The key node of the mapping entry holding the value, when there is one. */
  key?: Node;
}

export interface PlainDocument {
  /**
   * The document's contents as plain data. Objects are ordinary objects (the model hands them to
   * the engine as instruction arguments); read them by own keys (`own`), never through `in` or a
   * bare index, or a key such as 'constructor' reads Object.prototype's.
   */
  value: unknown;
  /** The node behind a value by JSON pointer (as ajv reports paths), looked up on demand. */
  nodes: { get(ptr: string): IndexedNode | undefined };
  /** The node behind a value by path segments: no pointer text to build, one map lookup a step. */
  nodeAt(path: readonly PathSegment[]): IndexedNode | undefined;
  /** The node at a path below an already found one (`nodeAt` of the two paths joined). */
  nodeFrom(at: IndexedNode | undefined, path: readonly PathSegment[]): IndexedNode | undefined;
  /** Values left out (null in `value`) because aliases expand too far: their pointers, and the first place. */
  cut: { pointers: ReadonlySet<string>; first?: Cut };
  /**
   * Repeated keys and aliases with no anchor before them, in document order (pre-order, a
   * mapping's repeated keys before what its values hold). Found by the same walk as `value`, so
   * that parse.ts need not walk the document again to report them.
   */
  problems: readonly TextProblem[];
}

export type TextProblem = { kind: 'duplicate'; map: YAMLMap; key: Node; text: string } | { kind: 'unknown-alias'; alias: Alias };

export interface Cut {
  /** The alias in the text whose expansion was cut. */
  alias: Node;
  why: 'expansion' | 'nesting';
}

/** How many values aliases may add to a document in all: far more than any real file. */
export const MAX_EXPANDED = 200_000;

/** What aliases may still add; one per document, shared by every value read from it. */
export interface ExpansionBudget {
  left: number;
}

export function newBudget(): ExpansionBudget {
  return { left: MAX_EXPANDED };
}

/** Mappings up to this many entries are searched in place rather than indexed. */
const SCAN_LIMIT = 8;

// An alias's anchor is never an alias (YAML cannot anchor an alias); the bound is for safety only.
const MAX_ALIAS_HOPS = 100;

/** The JSON pointer of a path (`/states/a/do/0`), as ajv's `instancePath` writes it. */
export function pointer(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) out += '/' + escapeSegment(String(s));
  return out;
}

function escapeSegment(s: string): string {
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

/** The segments of a JSON pointer; array indices stay strings (the index is keyed by text). */
export function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The text a mapping key stands for, as parse.ts reads it (only scalar keys count). */
export function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

const cache = new WeakMap<Document, PlainDocument>();

/**
 * Told each entry of one mapping as soon as the walk has read its value, while its nodes are still
 * in the processor's caches: the model reads each state there, instead of in a second walk over a
 * document too large to stay cached.
 */
export interface EntryWatch {
  map: YAMLMap;
  entry(key: string, pair: Pair<Node, Node | null>, value: unknown): void;
  /** Every entry has been told (not called when the mapping is left out, see `cut`). */
  done(): void;
}

/** The document as plain data; `watch` (only on the first call for a document) is told the entries of its mapping. */
export function plainDocument(doc: Document, watch?: EntryWatch): PlainDocument {
  const cached = cache.get(doc);
  if (cached) return cached;
  let watched: YAMLMap | undefined = watch?.map;
  let anchors: Map<Node, Node> | undefined;
  const anchorOf = (alias: Node) => (anchors ??= anchorTargets(doc)).get(alias);
  const budget = newBudget();
  const cutPointers = new Set<string>();
  let firstCut: Cut | undefined;
  // The path of the value being read, and the outermost alias being expanded (where a cut is said).
  const path: PathSegment[] = [];
  let outerAlias: Node | undefined;
  const problems: TextProblem[] = [];

  const cut = (why: Cut['why']): null => {
    cutPointers.add(pointer(path));
    firstCut ??= { alias: outerAlias!, why };
    return null;
  };

  const walk = (node: unknown, level: number, resolving: Set<Node>): unknown => {
    if (!isNode(node)) return null;
    if (outerAlias && --budget.left < 0) return cut('expansion');
    if (isAlias(node)) {
      const target = anchorOf(node);
      // An alias inside its own anchor stands for nothing.
      if (!target || resolving.has(target)) {
        if (!target && !outerAlias) problems.push({ kind: 'unknown-alias', alias: node });
        return null;
      }
      const outermost = !outerAlias;
      if (outermost) outerAlias = node;
      resolving.add(target);
      const value = walk(target, level, resolving);
      resolving.delete(target);
      if (outermost) outerAlias = undefined;
      return value;
    }
    if (isScalar(node)) return plainScalar(node.value);
    // Only aliases can nest past MAX_NESTING here: parse.ts does not build deeper text.
    if ((isMap(node) || isSeq(node)) && level >= MAX_NESTING) return cut('nesting');
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      // Problems are only said where the text writes them, not again in each alias of it.
      const own = !outerAlias;
      // This mapping's repeated keys go before the problems its values hold, as the text reads.
      const mark = problems.length;
      let repeats = 0;
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = keyText(item.key);
        if (k === undefined || hasOwn(out, k)) {
          if (!own) continue;
          if (k !== undefined) problems.splice(mark + repeats++, 0, { kind: 'duplicate', map: node, key: item.key as Node, text: k });
          // Not part of the value, but still text of the file.
          scan(item.key);
          scan(item.value);
          continue;
        }
        path.push(k);
        const value = walk(item.value, level + 1, resolving);
        setOwn(out, k, value);
        path.pop();
        if (node === watched) watch!.entry(k, item as Pair<Node, Node | null>, value);
      }
      // An anchored mapping is read again for each alias of it: its entries are told once.
      if (node === watched) {
        watched = undefined;
        watch!.done();
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        path.push(i);
        const value = walk(item, level + 1, resolving);
        path.pop();
        return value;
      });
    }
    return null;
  };

  // The problems in text the value leaves out (a key that is not a scalar, a repeated key's value).
  const scan = (node: unknown): void => {
    if (isAlias(node)) {
      if (!anchorOf(node)) problems.push({ kind: 'unknown-alias', alias: node });
    } else if (isSeq(node)) {
      for (const item of node.items) scan(item);
    } else if (isMap(node)) {
      const seen = new Set<string>();
      for (const item of node.items) {
        const k = isPair(item) ? keyText(item.key) : undefined;
        if (k === undefined) continue;
        if (seen.has(k)) problems.push({ kind: 'duplicate', map: node, key: item.key as Node, text: k });
        seen.add(k);
      }
      for (const item of node.items) {
        if (!isPair(item)) continue;
        scan(item.key);
        scan(item.value);
      }
    }
  };

  // First entry per key, as the plain value keeps it; built once per mapping that is looked into.
  const entriesOf = new WeakMap<Node, Map<string, { key: Node; value: unknown }>>();
  const entries = (map: Node & { items: unknown[] }) => {
    let byKey = entriesOf.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const item of map.items) {
        if (!isPair(item)) continue;
        const k = keyText(item.key);
        if (k !== undefined && !byKey.has(k)) byKey.set(k, { key: item.key as Node, value: item.value ?? undefined });
      }
      entriesOf.set(map, byKey);
    }
    return byKey;
  };

  // A small mapping is searched in place: building its index would cost more than the look-ups.
  const firstEntry = (items: unknown[], seg: string): { key: Node; value: unknown } | undefined => {
    for (const item of items) {
      if (isPair(item) && keyText(item.key) === seg) return { key: item.key as Node, value: item.value ?? undefined };
    }
    return undefined;
  };

  // Each path is resolved from its parent's (memoized) node: rules look up many siblings.
  const lookups = new Map<string, IndexedNode | undefined>();
  const get = (ptr: string): IndexedNode | undefined => {
    if (lookups.has(ptr)) return lookups.get(ptr);
    const found = lookup(ptr);
    lookups.set(ptr, found);
    return found;
  };
  const lookup = (ptr: string): IndexedNode | undefined => {
    if (ptr === '') return isNode(doc.contents) ? { node: doc.contents } : undefined;
    const cut = ptr.lastIndexOf('/');
    const parent = get(ptr.slice(0, cut));
    if (!parent) return undefined;
    return step(parent.node, ptr.slice(cut + 1).replace(/~1/g, '/').replace(/~0/g, '~'));
  };

  const step = (parent: Node, seg: string): IndexedNode | undefined => {
    let container: unknown = parent;
    for (let hops = 0; isAlias(container) && hops < MAX_ALIAS_HOPS; hops++) container = anchorOf(container);
    if (isMap(container)) {
      const entry = container.items.length <= SCAN_LIMIT ? firstEntry(container.items, seg) : entries(container).get(seg);
      if (!entry || !entry.value || typeof entry.value !== 'object') return undefined;
      return { node: entry.value as Node, key: entry.key };
    }
    if (isSeq(container)) {
      const item = container.items[Number(seg)];
      return item && typeof item === 'object' ? { node: item as Node } : undefined;
    }
    return undefined;
  };

  const nodeFrom = (from: IndexedNode | undefined, path: readonly PathSegment[]): IndexedNode | undefined => {
    let at = from;
    for (let i = 0; at && i < path.length; i++) at = step(at.node, String(path[i]));
    return at;
  };
  const nodeAt = (path: readonly PathSegment[]): IndexedNode | undefined => (isNode(doc.contents) ? nodeFrom({ node: doc.contents }, path) : undefined);

  const value = walk(doc.contents, 0, new Set());
  const result: PlainDocument = { value, nodes: { get }, nodeAt, nodeFrom, cut: { pointers: cutPointers, first: firstCut }, problems };
  cache.set(doc, result);
  return result;
}

/**
 * Calls `fn` on every node of a tree in document order (a mapping's keys and values, a sequence's
 * items), not following aliases. Faster than yaml's `visit`, which the parser calls per keystroke.
 */
export function forEachNode(root: unknown, fn: (node: Node) => void): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (!isNode(n)) continue;
    fn(n);
    if (isMap(n)) {
      for (let i = n.items.length - 1; i >= 0; i--) {
        const item = n.items[i];
        if (!isPair(item)) continue;
        stack.push(item.value, item.key);
      }
    } else if (isSeq(n)) {
      for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
    }
  }
}

/** For each alias, the node it stands for: the last node before it with that anchor. */
export function anchorTargets(doc: Document, text?: string): Map<Node, Node> {
  const targets = new Map<Node, Node>();
  if (text !== undefined && !text.includes('*')) return targets; // no alias can be written without '*'
  const latest = new Map<string, Node>();
  forEachNode(doc.contents, (node) => {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      if (target) targets.set(node, target);
    } else {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) latest.set(anchor, node);
    }
  });
  return targets;
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** The value of an own key of a plain object, or undefined (never an inherited property). */
export function own(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const k = String(key);
  return hasOwn(value, k) ? (value as Record<string, unknown>)[k] : undefined;
}

function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  // Only '__proto__' would not become an own property by assignment (defining each key is slow).
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

function plainScalar(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') return String(value);
  return value;
}

/**
 * A node as plain data, like `node.toJSON()` but with aliases expanded (`anchors` from
 * anchorTargets) and a repeated key keeping its first value. Objects are ordinary objects. What
 * aliases add is taken from `budget`; past it, or past MAX_NESTING, a value is null (the schema
 * check says where).
 */
export function plainValue(node: unknown, anchors: Map<Node, Node>, budget = newBudget()): unknown {
  const convert = (n: unknown, level: number, resolving: Set<Node>): unknown => {
    if (!isNode(n)) return null;
    if (resolving.size && --budget.left < 0) return null;
    if (isAlias(n)) {
      const target = anchors.get(n);
      if (!target || resolving.has(target)) return null;
      resolving.add(target);
      const v = convert(target, level, resolving);
      resolving.delete(target);
      return v;
    }
    if (isScalar(n)) return plainScalar(n.value);
    if ((isMap(n) || isSeq(n)) && level >= MAX_NESTING) return null;
    if (isMap(n)) {
      const out: Record<string, unknown> = {};
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const k = keyText(item.key);
        if (k === undefined || hasOwn(out, k)) continue;
        setOwn(out, k, convert(item.value, level + 1, resolving));
      }
      return out;
    }
    if (isSeq(n)) return n.items.map((item) => convert(item, level + 1, resolving));
    return null;
  };
  return convert(node, 0, new Set());
}
