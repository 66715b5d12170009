// The samples with their mocks and expected status (samples/expected.json), their reference
// journals from a run in this process, and the comparison of a server's journal with them.
import { parseDocument } from 'yaml';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from '../../engine/journal/events';
import { virtualClock } from '../../engine/runtime/clock';
import { createEngine } from '../../engine/runtime/engine';
import { loadTaskFile } from '../../engine/runtime/load';
import { parseMocks } from '../../engine/runtime/mocks';
import { memoryStore } from '../../engine/store/memory';
import { FANOUT_KINDS } from '../../engine/model/types';

export const root = path.resolve(__dirname, '../../..');
export const samplesDir = path.join(root, 'samples');
export const cli = path.join(root, 'dist', 'cli.js');

export interface Sample {
  file: string;
  name: string;
  mocks: string | null;
  status: 'succeeded' | 'failed' | 'cancelled';
}

type Expected = Record<string, { mocks: string | null; status: Sample['status'] }>;

/**
 * The samples, copied to a folder of their own where each task's mocks file is beside it under
 * the task's name (a server takes '${taskDir}/${taskName}.mocks.yaml'): the fan-out samples
 * share one mocks file, which a child run claimed by any worker finds under its own task's name.
 */
/**
 * The text without its `schedule:`: the tests that serve the samples start and count every run
 * themselves, and a server would start runs of its own at each tick (nightly: every 15 minutes).
 */
function withoutSchedule(text: string): string {
  if (!/^schedule:/m.test(text)) return text;
  const doc = parseDocument(text);
  doc.delete('schedule');
  return doc.toString();
}

export function samplesCopy(): { dir: string; list: Sample[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-pg-samples-'));
  for (const f of fs.readdirSync(samplesDir)) if (f.endsWith('.task.yaml') || f.endsWith('.mocks.yaml')) fs.writeFileSync(path.join(dir, f), withoutSchedule(fs.readFileSync(path.join(samplesDir, f), 'utf8')));
  const expected = JSON.parse(fs.readFileSync(path.join(samplesDir, 'expected.json'), 'utf8')) as Expected;
  const list = Object.entries(expected).map(([file, e]) => {
    const mocks = path.join(dir, file.replace(/\.task\.yaml$/, '.mocks.yaml'));
    if (e.mocks && !fs.existsSync(mocks)) fs.copyFileSync(path.join(samplesDir, e.mocks), mocks);
    return { file: path.join(dir, file), name: loadTaskFile(path.join(dir, file)).model.name!, mocks: e.mocks ? mocks : null, status: e.status };
  });
  return { dir, list };
}

/**
 * A journal as a list of comparable steps: without seq, times, pids and run ids, and without what
 * a recovery adds by design — its `run-recovered` entry, and the steps of the instruction that was
 * in flight when the worker died (journaled once more when it runs again: at least once).
 */
export function normalize(journal: readonly JournalEvent[], runId: string): string[] {
  const kept: JournalEvent[] = [];
  for (const e of journal) {
    if (e.type === 'run-recovered') {
      let open = -1;
      for (let i = kept.length - 1; i >= 0; i--) {
        const k = kept[i];
        if (k.type === 'instruction-finished' || k.type === 'instruction-failed' || k.type === 'state-entered' || k.type === 'transition-taken') break;
        if (k.type === 'instruction-started') {
          open = i;
          break;
        }
      }
      // A fan-out goes on where it was: its branches' child runs are waited for again, not restarted.
      if (open >= 0 && !isFanout(kept[open])) kept.splice(open);
      continue;
    }
    kept.push(e);
  }
  const idPattern = new RegExp(runId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '(\\.\\d+)?', 'g');
  const lines = kept.map((e) => {
    const { seq: _seq, at: _at, ...rest } = e as JournalEvent & Record<string, unknown>;
    const r = rest as Record<string, unknown>;
    delete r.pid;
    delete r.file;
    if (r.type === 'transition-taken' && r.event) r.event = { ...(r.event as object), seq: 0 };
    return JSON.stringify(sortKeys(r)).replace(idPattern, '<run>');
  });
  // Concurrent branches end in any order (on a server, their child runs are on several workers):
  // the steps of a fan-out are compared as a set.
  for (let i = 0; i < kept.length; i++) {
    if (!isFanout(kept[i])) continue;
    let end = i + 1;
    while (end < kept.length && !['instruction-finished', 'instruction-failed'].includes(kept[end].type)) end++;
    lines.splice(i + 1, end - i - 1, ...lines.slice(i + 1, end).sort());
    i = end;
  }
  return lines;
}

function isFanout(e: JournalEvent): boolean {
  return e.type === 'instruction-started' && (FANOUT_KINDS as readonly string[]).includes(e.kind);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Each sample run once in this process (memory store, virtual clock): the journal every server run must match. */
export async function referenceJournals(list: Sample[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const s of list) {
    const engine = createEngine({
      store: memoryStore(),
      clock: virtualClock(),
      mocksFor: (task) => {
        const file = task.file?.replace(/\.task\.ya?ml$/, '.mocks.yaml');
        return file && fs.existsSync(file) ? parseMocks(fs.readFileSync(file, 'utf8'), file) : undefined;
      },
    });
    const run = engine.start(loadTaskFile(s.file), { runId: 'reference' });
    const final = await run.done;
    if (final.status !== s.status) throw new Error(`reference run of ${s.file} ended ${final.status}`);
    out.set(s.name, normalize(await engine.store.read('reference'), 'reference'));
  }
  return out;
}
