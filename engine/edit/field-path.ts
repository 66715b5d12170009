// Sets a value at a field path below a mapping (the inspector's edits of a transition or an
// instruction), creating the mappings on the way.
import { EditError } from './error';
import { childRef } from './locate';
import type { FieldPath } from './types';
import type { MapRef, YamlEditor } from './yaml/editor';
import { editMap } from './yaml/mapping';

export function nest(path: readonly string[], value: unknown): unknown {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i]]: v };
  return v;
}

/** Sets (or removes, with `value` undefined) the value at `path` below a mapping, creating the mappings on the way. */
export function setPath(ed: YamlEditor, ref: MapRef, path: FieldPath, value: unknown, orderAt: (depth: number) => readonly string[]): void {
  if (!path.length) throw new EditError('A field path is empty.');
  let at = ref;
  for (let i = 0; i < path.length - 1; i++) {
    const pair = ed.find(at.map, path[i]);
    const child = pair ? childRef(ed, at, path[i]) : undefined;
    if (child?.map) {
      at = child;
      continue;
    }
    if (value === undefined) return;
    if (child) {
      // An empty value on the way: write the rest of the path into it.
      editMap(ed, child, [[path[i + 1], nest(path.slice(i + 2), value)]], { order: orderAt(i + 1) });
      return;
    }
    editMap(ed, at, [[path[i], nest(path.slice(i + 1), value)]], { order: orderAt(i) });
    return;
  }
  const last = path[path.length - 1];
  if (value === undefined && !ed.find(at.map, last)) return;
  editMap(ed, at, [[last, value]], { order: orderAt(path.length - 1) });
}
