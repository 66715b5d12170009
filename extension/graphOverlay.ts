// What the graph shows of a run, per task file: the debugged run (from the debugger's
// `stepwise/state` events) or a run shown from the Runs view (its journal's path, see
// engine/graph/runPath.ts). One picture per file, the latest source wins: a new debug session
// replaces a shown run and the other way round. Graph editors post it as the `debug` message.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunPosition } from '../engine/debug/show';
import type { TaskModel } from '../engine/model/types';
import type { DebugView, TransitionKey } from '../engine/graph/types';
import { withFanoutRun } from '../engine/graph/lanes';
import type { DebugStateEvent, StepwiseDebugger } from './debug';

interface Record {
  file: string;
  view: DebugView;
  /** The last state entered (to find the transition taken to the next). */
  last?: string;
}

export class GraphOverlays implements vscode.Disposable {
  /** Keyed by source (`debug` + session id, or `run`) and file; kept after a session ends (the last run's result). */
  private readonly records = new Map<string, Record>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the file (absolute path) whose picture changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    debug: StepwiseDebugger,
    /** The model of a file as its graph shows it (to name the transition between two states). */
    private readonly modelOf: (file: string) => TaskModel | undefined,
  ) {
    this.disposables.push(
      debug.onDidChangeState((e) => this.onDebugState(e)),
      vscode.debug.onDidTerminateDebugSession((s) => this.onDebugEnd(s)),
    );
  }

  /** The picture for a file: the latest of its sources, or an empty one. */
  viewFor(file: string): DebugView {
    const rec = [...this.records.values()].reverse().find((r) => r.file === file);
    return rec ? { ...rec.view, visited: [...rec.view.visited], taken: [...rec.view.taken], fanouts: rec.view.fanouts && [...rec.view.fanouts] } : { active: false, visited: [], taken: [] };
  }

  /** Shows a run's path (from its journal) on the file's graph, in place of what it showed. */
  show(file: string, view: DebugView): void {
    const abs = path.resolve(file);
    this.replace(abs, `run\u0000${abs}`, { file: abs, view });
    this.changed.fire(abs);
  }

  /** The run shown on a file's graph from the Runs view, if that is what it shows. */
  shownRun(file: string): DebugView['run'] {
    const rec = [...this.records.values()].reverse().find((r) => r.file === path.resolve(file));
    return rec?.view.run;
  }

  private replace(file: string, key: string, rec: Record): void {
    for (const [k, r] of this.records) if (r.file === file && k !== key) this.records.delete(k);
    this.records.delete(key);
    this.records.set(key, rec);
  }

  private onDebugState(e: DebugStateEvent): void {
    const pos: RunPosition = e.position;
    // The launched file's run (called tasks' runs show on their own files' graphs).
    const file = pos.file ? path.resolve(pos.file) : undefined;
    if (!file) return;
    const key = `debug\u0000${e.session.id}\u0000${file}`;
    let rec = this.records.get(key);
    if (!rec || (rec.view.visited.length === 0 && !rec.view.active)) {
      // A new session replaces the previous run's picture of this file.
      rec = { file, view: { active: true, visited: [], taken: [], counts: {}, failed: [] } };
      this.replace(file, key, rec);
    }
    const v = rec.view;
    v.active = true;
    v.current = pos.state;
    v.paused = pos.stopped;
    const model = this.modelOf(file);
    const take = (from: string | undefined, to: string) => {
      const k = from && model ? transitionBetween(model, from, to) : undefined;
      if (k && !v.taken.some((x) => x.state === k.state && x.index === k.index && x.list === k.list)) v.taken.push(k);
    };
    for (const h of pos.history ?? []) {
      // A new visit: the state's fan-outs start over.
      v.fanouts = v.fanouts?.filter((f) => f.state !== h.state);
      if (!v.visited.includes(h.state)) v.visited.push(h.state);
      v.counts![h.state] = (v.counts![h.state] ?? 0) + 1;
      take(rec.last, h.state);
      rec.last = h.state;
    }
    // Stopped at a breakpoint on a state, the run has taken the transition but not entered the
    // state yet (it is not in the history): the transition is taken all the same.
    if (pos.state && pos.state !== rec.last) take(rec.last, pos.state);
    if (pos.fanout) v.fanouts = withFanoutRun(v.fanouts ?? [], pos.fanout);
    if (pos.status === 'succeeded' || pos.status === 'failed' || pos.status === 'cancelled') {
      v.status = pos.status;
      if (pos.status === 'failed' && pos.state && !v.failed!.includes(pos.state)) v.failed!.push(pos.state);
    }
    this.changed.fire(file);
  }

  private onDebugEnd(session: vscode.DebugSession): void {
    for (const [k, rec] of this.records) {
      if (!k.startsWith(`debug\u0000${session.id}\u0000`)) continue;
      rec.view.active = false;
      rec.view.paused = false;
      rec.view.current = undefined;
      this.changed.fire(rec.file);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The transition (or catch) of `from` that leads to `to`: the first one, as the model orders them. */
function transitionBetween(model: TaskModel, from: string, to: string): TransitionKey | undefined {
  const state = model.states.find((s) => s.name === from);
  const t = state?.on.find((x) => x.to === to);
  if (t) return { state: from, index: t.index, list: 'on' };
  const c = state?.catch.find((x) => x.to === to);
  return c ? { state: from, index: c.index, list: 'catch' } : undefined;
}
