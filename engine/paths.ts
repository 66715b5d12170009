// Whether a path lies outside a folder, by the path alone. Outside is a whole `..` segment (or
// another root): a file named `.. notes` or `..x` in the folder is inside it.
import * as path from 'node:path';

/** Whether `file` is outside `dir` (`dir` itself is not outside). */
export function isOutside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}
