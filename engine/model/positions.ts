// Offsets to line/column positions. A reader asks for thousands of positions in text order, so the
// line found last is tried first: a step or two instead of a binary search, and no object in between.
import type { LineCounter } from 'yaml';
import type { Position, Range } from './types';

/** A Range factory for one text: offsets are clamped into it, and `end` is never before `start`. */
export function rangeFactory(lineCounter: LineCounter, textLength: number): (start: number, end: number) => Range {
  const starts = lineCounter.lineStarts;
  let line = 0;
  const lineOf = (offset: number): number => {
    if (starts[line] <= offset && (line + 1 >= starts.length || offset < starts[line + 1])) return line;
    if (line + 2 < starts.length && starts[line + 1] <= offset && offset < starts[line + 2]) return ++line;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (line = lo);
  };
  const position = (offset: number): Position => {
    if (!starts.length) return { line: 0, column: offset, offset };
    const l = lineOf(offset);
    return { line: l, column: offset - starts[l], offset };
  };
  return (start, end) => {
    const s = Math.max(0, Math.min(start, textLength));
    const e = Math.max(s, Math.min(end, textLength));
    return { start: position(s), end: position(e) };
  };
}
