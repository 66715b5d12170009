// `npm start` opens a scratch copy of samples/ in a git-ignored folder: a user's experiments
// (auto-saved) never rewrite the tracked samples, and survive the next `npm start`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-scratch-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function scratchSamples(root: string): Promise<string> {
  const mod = await import(pathToFileURL(path.join(REPO, 'test', 'vscode-harness', 'scratch.mjs')).href);
  return mod.scratchSamples(root);
}

describe('npm start: the scratch samples', () => {
  it('copies samples/ once into .scratch/samples and keeps what the user changed there', async () => {
    fs.mkdirSync(path.join(tmp, 'samples'));
    fs.writeFileSync(path.join(tmp, 'samples', 'hello.task.yaml'), 'tracked\n');
    const dir = await scratchSamples(tmp);
    assert.equal(dir, path.join(tmp, '.scratch', 'samples'));
    assert.equal(fs.readFileSync(path.join(dir, 'hello.task.yaml'), 'utf8'), 'tracked\n');
    fs.writeFileSync(path.join(dir, 'hello.task.yaml'), 'my experiment\n');
    assert.equal(await scratchSamples(tmp), dir);
    assert.equal(fs.readFileSync(path.join(dir, 'hello.task.yaml'), 'utf8'), 'my experiment\n', 'the next start keeps it');
    assert.equal(fs.readFileSync(path.join(tmp, 'samples', 'hello.task.yaml'), 'utf8'), 'tracked\n', 'the tracked sample is untouched');
  });

  it('the scratch folder is ignored by git in this repository', () => {
    execFileSync('git', ['check-ignore', '-q', path.join('.scratch', 'samples', 'hello.task.yaml')], { cwd: REPO });
  });
});
