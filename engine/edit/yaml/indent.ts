// The indentation a file is written with, read from its first nested block mapping and block list,
// so that new lines match it (2 spaces and indented lists when the file shows neither).
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Indent } from './render';

/** The file's indentation: the step between a key and its children, and the list style. */
export function detectIndent(text: string, doc: Document): Indent {
  let unit = 0;
  let compactSeq: boolean | undefined;
  const col = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const visit = (node: unknown, keyCol: number, depth: number) => {
    if (depth > 6 || (unit && compactSeq !== undefined)) return;
    if (isMap(node) && !node.flow) {
      for (const p of node.items) {
        if (!isScalar(p.key) || !p.key.range) continue;
        const kc = col(p.key.range[0]);
        const v = p.value as Node | null;
        if (isMap(v) && !v.flow && v.items.length && isScalar(v.items[0].key) && v.items[0].key.range) {
          const c = col(v.items[0].key.range[0]);
          if (!unit && c > kc && text.slice(text.lastIndexOf('\n', v.items[0].key.range[0] - 1) + 1, v.items[0].key.range[0]).trim() === '') unit = c - kc;
        }
        if (isSeq(v) && !v.flow && v.range && compactSeq === undefined) {
          const lineStartOf = text.lastIndexOf('\n', v.range[0] - 1) + 1;
          if (text.slice(lineStartOf, v.range[0]).trim() === '') compactSeq = col(v.range[0]) === kc;
        }
        visit(v, kc, depth + 1);
      }
    } else if (isSeq(node) && !node.flow) {
      for (const item of node.items) visit(item, keyCol, depth + 1);
    }
  };
  visit(doc.contents, 0, 0);
  return { unit: unit || 2, compactSeq: compactSeq ?? false };
}
