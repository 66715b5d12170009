// Watches one folder for entries created, changed or deleted, with node's own watcher: it sees
// what another process (the CLI) writes whatever VS Code's file watcher excludes or misses, and
// it waits for a folder that does not exist yet (a workspace before its first run) by watching
// the nearest ancestor that does, going one level deeper each time one appears.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FolderWatch {
  dispose(): void;
}

function exists(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The folder itself when it exists, else its nearest existing ancestor. */
function nearest(dir: string): string {
  let at = dir;
  while (!exists(at)) {
    const up = path.dirname(at);
    if (up === at) return at;
    at = up;
  }
  return at;
}

/** Calls `onChange` for each change in `dir`, and when `dir` appears or disappears. */
export function watchFolder(dir: string, onChange: () => void): FolderWatch {
  let watcher: fs.FSWatcher | undefined;
  let target: string | undefined;
  let disposed = false;

  const arm = (): void => {
    if (disposed) return;
    const next = nearest(dir);
    if (next === target && watcher) return;
    const wasAtDir = target === dir;
    watcher?.close();
    watcher = undefined;
    target = next;
    try {
      watcher = fs.watch(next, () => (next === dir && exists(dir) ? onChange() : rearm()));
      watcher.on('error', rearm);
    } catch {
      target = undefined;
      // Removed between the check and the watch: look again. Otherwise (no watches left in the
      // system) the view still refreshes on its button and on the runs of this window.
      if (!exists(next)) setImmediate(arm);
      return;
    }
    if ((next === dir) !== wasAtDir) onChange();
    // Created between the check and the watch: the watch above would not see it.
    if (next !== dir && nearest(dir) !== next) arm();
  };
  const rearm = (): void => {
    watcher?.close();
    watcher = undefined;
    arm();
  };

  arm();
  return {
    dispose() {
      disposed = true;
      watcher?.close();
    },
  };
}
