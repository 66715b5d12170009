// Crash test: a child process runs a task with the file store and the real clock; it is killed
// with SIGKILL at random moments and resumed until the run ends. The journal must stay whole.
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
const KILLS = 20;

const dir = tmpDir('stepwise-crash-');
after(() => rmDir(dir));
const runsDir = path.join(dir, 'runs');
const taskFile = path.join(dir, 'crashy.task.yaml');

function stateYaml(i: number, next: string): string {
  return `
  s${i}:
    do:
      - set: { count: "={{ data.count + 1 }}" }
      - sleep: 20ms
      - exec: { command: "${NODE}", args: [ "-e", "console.log(process.argv[1])", "s${i}" ] }
        as: out
      - set: { trail: "={{ $append(data.trail, $trim(data.out.stdout)) }}" }
      - log: "s${i} done, count {{ data.count }}"
    ${next}`;
}

const STATES = 6;
let yaml = `version: 1\nname: crashy\ndata: { count: 0, trail: [] }\nstart: s1\nstates:`;
for (let i = 1; i < STATES; i++) yaml += stateYaml(i, `next: s${i + 1}`);
yaml += stateYaml(STATES, `on:\n      - to: done\n        when: "data.count = ${STATES}"\n      - to: bad`);
yaml += `\n  done: { final: true }\n  bad: { final: true, status: failed }\n`;
fs.writeFileSync(taskFile, yaml);

function readJournal(runId: string): JournalEvent[] {
  const file = path.join(runsDir, `${runId}.jsonl`);
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.pop(); // a torn last line (no newline) was never acknowledged
  return lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as JournalEvent);
}

interface Outcome {
  killed: boolean;
  code: number | null;
  stderr: string;
}

/** Runs a child; `killAfterMs` counts from the moment it has loaded the engine and starts the run. */
function runChild(runId: string, mode: 'start' | 'resume', killAfterMs: number | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, runsDir, taskFile, runId, mode], {
      env: { ...process.env, STEPWISE_CRASH_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

function checkJournal(journal: JournalEvent[], label: string): void {
  assert.deepEqual(journal.map((e) => e.seq), journal.map((_, i) => i + 1), `${label}: seqs are 1..n without gap or duplicate`);
  let entry = 0;
  const open = new Map<number, JournalEvent>();
  const finished = new Set<string>();
  for (const e of journal) {
    if (e.type === 'state-entered') {
      entry = e.seq;
      open.clear();
    }
    if (e.type === 'instruction-started') open.set(e.index, e);
    if (e.type === 'instruction-finished' || e.type === 'instruction-failed') {
      const started = open.get(e.index);
      assert.ok(started && started.type === 'instruction-started' && started.state === e.state, `${label}: ${e.type} seq ${e.seq} has no instruction-started before it`);
      open.delete(e.index);
    }
    if (e.type === 'instruction-finished') {
      const key = `${entry}:${e.index}`;
      assert.ok(!finished.has(key), `${label}: ${e.state}[${e.index}] finished twice in the entry at seq ${entry}`);
      finished.add(key);
    }
  }
  assert.equal(journal.filter((e) => e.type === 'run-started').length, 1, `${label}: one run-started`);
  assert.equal(journal.filter((e) => e.type === 'run-ended').length, 1, `${label}: one run-ended`);
  assert.equal(journal.at(-1)?.type, 'run-ended', `${label}: ends with run-ended`);
}

describe('crash and resume', () => {
  test(`killed with SIGKILL at random moments (${KILLS}+ kills), every run resumes to the same end`, { timeout: 180_000 }, async (t) => {
    // The expected end: the same task, uninterrupted, in this process.
    const engine = createEngine({ store: fileStore(path.join(dir, 'reference')), loadTask: parseOnlyLoader });
    const reference = await withTimeout(engine.start(parseOnlyLoader(taskFile)).done, 60_000, 'reference run');
    await engine.store.close();
    assert.equal(reference.status, 'succeeded', JSON.stringify(reference.error));
    assert.equal(reference.data.count, STATES);

    const started = Date.now();
    let kills = 0;
    let children = 0;
    const runIds: string[] = [];
    while (kills < KILLS && Date.now() - started < 60_000) {
      const runId = `crash-${runIds.length}`;
      runIds.push(runId);
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 200, `${runId}: no end after 200 children`);
        const journal = readJournal(runId);
        if (journal.at(-1)?.type === 'run-ended') break;
        const mode = journal.length === 0 ? 'start' : 'resume';
        const killAfter = kills < KILLS ? 20 + Math.floor(Math.random() * 380) : undefined;
        const out = await runChild(runId, mode, killAfter);
        children++;
        if (out.killed) kills++;
        else assert.equal(out.code, 0, `${runId}: child (${mode}) exited with ${out.code}: ${out.stderr}`);
      }
    }
    assert.ok(kills >= KILLS, `only ${kills} kills`);

    for (const runId of runIds) {
      const journal = readJournal(runId);
      checkJournal(journal, runId);
      const state = replay(journal);
      assert.equal(state.status, 'succeeded', `${runId}: ${JSON.stringify(state.error)}`);
      assert.deepEqual(state.data, reference.data, `${runId}: final data`);
    }
    const recovered = runIds.reduce((n, id) => n + readJournal(id).filter((e) => e.type === 'run-recovered').length, 0);
    assert.ok(recovered > 0, 'some runs were resumed');
    // Instructions that had started but not finished when the process died, and ran again.
    let redone = 0;
    for (const id of runIds) {
      const j = readJournal(id);
      j.forEach((e, i) => {
        if (e.type === 'run-recovered' && j[i - 1]?.type === 'instruction-started') redone++;
      });
    }
    t.diagnostic(`${runIds.length} runs, ${children} children, ${kills} kills, ${recovered} recoveries, ${redone} instructions redone`);
  });
});
