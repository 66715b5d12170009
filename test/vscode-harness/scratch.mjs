// The folder `npm start` opens: a copy of samples/ in the git-ignored .scratch/, made once, so a
// user's experiments (auto-saved) never rewrite the tracked samples and survive the next start.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function scratchSamples(root) {
  const dir = path.join(root, '.scratch', 'samples');
  if (!fs.existsSync(dir)) fs.cpSync(path.join(root, 'samples'), dir, { recursive: true });
  return dir;
}
