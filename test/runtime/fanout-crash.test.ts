// Crash test of a fan-out: a child process runs a `parallel` and a `map` of real processes with the
// file store and the real clock; it is killed with SIGKILL at random moments and resumed until the
// run ends. No branch or item whose result was journaled may run again.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import { fileStore } from '../../engine/store/file';
import { replay } from '../../engine/journal/replay';
import type { JournalEvent } from '../../engine/journal/events';
import { parseOnlyLoader, rmDir, tmpDir, withTimeout } from '../helpers/tasks';

const CHILD = path.join(__dirname, '..', 'helpers', 'crash-child.js');
const NODE = process.execPath.replace(/\\/g, '/');
const KILLS = 12;

const dir = tmpDir('stepwise-fanout-crash-');
after(() => rmDir(dir));
const runsDir = path.join(dir, 'runs');
const taskFile = path.join(dir, 'fanout.task.yaml');
const echo = (arg: string) => `{ exec: { command: "${NODE}", args: [ "-e", "setTimeout(() => console.log(process.argv[1]), 40)", "${arg}" ] } }`;

fs.writeFileSync(
  taskFile,
  `version: 1
name: fanout
data: { regions: [eu, us, ap, sa, af, me, oc, an] }
start: build
states:
  build:
    do:
      - parallel:
          web: ${echo('web')}
          api: ${echo('api')}
          docs: { sleep: 150ms }
        as: builds
    next: deploy
  deploy:
    do:
      - map:
          items: "={{ data.regions }}"
          concurrency: 3
          do: ${echo('{{ item }}-{{ index }}')}
        as: deployed
      - set: { summary: "={{ $join(data.deployed.$trim(stdout), ',') }}" }
    next: done
  done: { final: true }
`,
);

function readJournal(runId: string): JournalEvent[] {
  const file = path.join(runsDir, `${runId}.jsonl`);
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.pop(); // a torn last line (no newline) was never acknowledged
  return lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as JournalEvent);
}

function runChild(runId: string, mode: 'start' | 'resume', killAfterMs: number | undefined): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, runsDir, taskFile, runId, mode], { env: { ...process.env, STEPWISE_CRASH_CHILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (c) => {
      stdout += c;
      if (timer || killAfterMs === undefined || !stdout.includes('ready\n')) return;
      timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, killAfterMs);
    });
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ killed: killed && code === null, code, stderr });
    });
  });
}

/** Each branch or item has at most one result per state entry, and none starts after its result. */
function checkFanout(journal: JournalEvent[], label: string): number {
  assert.deepEqual(journal.map((e) => e.seq), journal.map((_, i) => i + 1), `${label}: seqs are 1..n`);
  const finished = new Set<string>();
  let entry = 0;
  let rerun = 0;
  const started = new Set<string>();
  for (const e of journal) {
    if (e.type === 'state-entered') entry = e.seq;
    if (e.type !== 'branch-started' && e.type !== 'branch-finished') continue;
    const key = `${entry}:${e.index}:${e.branch ?? e.item}`;
    assert.ok(!finished.has(key), `${label}: ${key} ${e.type} at seq ${e.seq} after its result`);
    if (e.type === 'branch-finished') finished.add(key);
    else if (started.has(key)) rerun++;
    else started.add(key);
  }
  assert.equal(journal.filter((e) => e.type === 'run-ended').length, 1, `${label}: one run-ended`);
  return rerun;
}

describe('fan-out crash and resume', () => {
  test(`killed with SIGKILL at random moments (${KILLS}+ kills), no finished branch or item runs again`, { timeout: 180_000 }, async (t) => {
    const engine = createEngine({ store: fileStore(path.join(dir, 'reference')), loadTask: parseOnlyLoader });
    const reference = await withTimeout(engine.start(parseOnlyLoader(taskFile)).done, 60_000, 'reference run');
    await engine.store.close();
    assert.equal(reference.status, 'succeeded', JSON.stringify(reference.error));
    assert.equal(reference.data.summary, 'eu-0,us-1,ap-2,sa-3,af-4,me-5,oc-6,an-7');

    const started = Date.now();
    let kills = 0;
    const runIds: string[] = [];
    while (kills < KILLS && Date.now() - started < 90_000) {
      const runId = `fan-${runIds.length}`;
      runIds.push(runId);
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 200, `${runId}: no end after 200 children`);
        const journal = readJournal(runId);
        if (journal.at(-1)?.type === 'run-ended') break;
        const mode = journal.length === 0 ? 'start' : 'resume';
        const out = await runChild(runId, mode, kills < KILLS ? 20 + Math.floor(Math.random() * 400) : undefined);
        if (out.killed) kills++;
        else assert.equal(out.code, 0, `${runId}: child (${mode}) exited with ${out.code}: ${out.stderr}`);
      }
    }
    assert.ok(kills >= KILLS, `only ${kills} kills`);
    let rerun = 0;
    for (const runId of runIds) {
      const journal = readJournal(runId);
      rerun += checkFanout(journal, runId);
      const state = replay(journal);
      assert.equal(state.status, 'succeeded', `${runId}: ${JSON.stringify(state.error)}`);
      assert.equal(state.data.summary, reference.data.summary, `${runId}: results in item order`);
    }
    t.diagnostic(`${runIds.length} runs, ${kills} kills, ${rerun} branches or items in flight at a kill ran again`);
  });
});
