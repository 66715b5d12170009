// A served task's `call` stays inside the served folder (`--tasks DIR`), on the embedded store and
// on PostgreSQL: `..`, absolute paths and symbolic links out of it are refused before the file is
// read, and a file that is not a task is never echoed (its keys could be secrets) in an error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshDatabase } from '../postgres/helpers';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, until } from './client';

const procs: ServeProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  for (const c of cleanups) await c();
});

const caller = (name: string, target: string) => `version: 1
name: ${name}
start: go
states:
  go:
    do:
      - call: { task: ${JSON.stringify(target)} }
        as: child
    next: done
  done: { final: true }
`;

const leaf = (name: string) => `version: 1
name: ${name}
start: go
states:
  go:
    do:
      - set: { ran: ${JSON.stringify(name)} }
    next: done
  done: { final: true }
`;

const SECRETS = 'db_password: hunter2\napi_token: tok-123\n';

/** parent/{outside.task.yaml, secrets.yaml} and the served parent/tasks/ calling out of itself. */
function layout(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-confine-'));
  const dir = path.join(parent, 'tasks');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(parent, 'outside.task.yaml'), leaf('outside'));
  fs.writeFileSync(path.join(parent, 'secrets.yaml'), SECRETS);
  fs.writeFileSync(path.join(dir, 'notes.yaml'), SECRETS);
  fs.symlinkSync(path.join(parent, 'outside.task.yaml'), path.join(dir, 'linked.task.yaml'));
  fs.symlinkSync(parent, path.join(dir, 'up'));
  fs.writeFileSync(path.join(dir, 'sub', 'inner.task.yaml'), leaf('inner'));
  fs.writeFileSync(path.join(dir, 'inside.task.yaml'), caller('inside', './sub/inner.task.yaml'));
  fs.writeFileSync(path.join(dir, 'sub', 'sibling.task.yaml'), caller('sibling', '../sub/../sub/inner.task.yaml'));
  fs.writeFileSync(path.join(dir, 'dotdot.task.yaml'), caller('dotdot', '../outside.task.yaml'));
  fs.writeFileSync(path.join(dir, 'absolute.task.yaml'), caller('absolute', path.join(parent, 'outside.task.yaml')));
  fs.writeFileSync(path.join(dir, 'link.task.yaml'), caller('link', './linked.task.yaml'));
  fs.writeFileSync(path.join(dir, 'linkdir.task.yaml'), caller('linkdir', './up/outside.task.yaml'));
  fs.writeFileSync(path.join(dir, 'secret.task.yaml'), caller('secret', '../secrets.yaml'));
  fs.writeFileSync(path.join(dir, 'notes.task.yaml'), caller('notes', './notes.yaml'));
  return dir;
}

// 'worker-only': the runs execute in a `--no-api` process, which has no task folder of its own.
for (const kind of ['file', 'postgres', 'worker-only'] as const) {
  // Only a process with the folder can tell a file outside it from one that is not a task.
  const outsideMessage = kind === 'worker-only' ? /is not a served task/ : /outside the served tasks folder/;
  describe(`call from a served task (${kind})`, () => {
    let base = '';
    before(async () => {
      const dir = layout();
      let store: string;
      if (kind === 'file') {
        store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-confine-store-'));
      } else {
        const db = await freshDatabase('confine');
        cleanups.push(db.drop);
        store = db.url;
      }
      const p = await serve(['--store', store, '--tasks', dir, '--port', '0', '--poll-every', '200ms', ...(kind === 'worker-only' ? ['--workers', '0'] : [])]);
      procs.push(p);
      base = p.url!;
      if (kind === 'worker-only') procs.push(await serve(['--store', store, '--no-api', '--poll-every', '200ms']));
    });

    const run = async (task: string) => {
      const a = await call(base, 'POST', '/v1/runs', { task });
      assert.equal(a.status, 201, JSON.stringify(a.json));
      const id = a.json.run.id as string;
      return until(`run ${id} to end`, async () => {
        const r = (await call(base, 'GET', `/v1/runs/${id}`)).json.run;
        return r.endedAt ? r : undefined;
      });
    };

    test('a task inside the folder calls another inside it', async () => {
      for (const task of ['inside', 'sibling']) {
        const r = await run(task);
        assert.equal(r.status, 'succeeded', JSON.stringify(r.journal));
        assert.equal(r.data.child.data.ran, 'inner');
      }
    });

    for (const task of ['dotdot', 'absolute', 'link', 'linkdir']) {
      test(`'${task}': a call out of the folder is refused, and nothing outside runs`, async () => {
        const r = await run(task);
        assert.equal(r.status, 'failed');
        const text = JSON.stringify(r.journal);
        assert.match(text, outsideMessage);
        assert.match(text, /--tasks/);
        assert.doesNotMatch(text, /"ran"/);
        const runs = (await call(base, 'GET', '/v1/runs?task=outside')).json.runs;
        assert.deepEqual(runs, [], 'no run of the outside task');
      });
    }

    for (const task of ['secret', 'notes']) {
      test(`'${task}': calling a file that is not a served task never shows its contents`, async () => {
        const r = await run(task);
        assert.equal(r.status, 'failed');
        const text = JSON.stringify(r.journal);
        assert.match(text, task === 'secret' ? outsideMessage : /not a served task/);
        for (const secret of ['db_password', 'hunter2', 'api_token', 'tok-123']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
      });
    }
  });
}
