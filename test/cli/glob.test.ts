// File arguments of `stepwise lint` and `stepwise test`: globs with braces, classes and `**`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import fg from 'fast-glob';
import { expandFiles, isGlob } from '../../engine/cli/files';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-glob-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const NAMES = ['a/deploy.task.yaml', 'a/health.task.yml', 'b/c/retry.task.yaml', 'b/notes.md', 'top.task.yaml', 'node_modules/x/dep.task.yaml'];
for (const n of NAMES) {
  fs.mkdirSync(path.join(dir, path.dirname(n)), { recursive: true });
  fs.writeFileSync(path.join(dir, n), 'version: 1\n');
}

describe('expandFiles', () => {
  it('expands braces', () => {
    assert.deepEqual(expandFiles(['{a,b}/**/*.task.{yaml,yml}'], dir).files.sort(), ['a/deploy.task.yaml', 'a/health.task.yml', 'b/c/retry.task.yaml']);
    assert.deepEqual(expandFiles(['a/{deploy,health}.task.*'], dir).files.sort(), ['a/deploy.task.yaml', 'a/health.task.yml']);
  });

  it('keeps star, question mark, classes and **; leaves out node_modules', () => {
    assert.deepEqual(expandFiles(['**/*.task.yaml'], dir).files.sort(), ['a/deploy.task.yaml', 'b/c/retry.task.yaml', 'top.task.yaml']);
    assert.deepEqual(expandFiles(['?op.task.[xy]aml'], dir).files, ['top.task.yaml']);
  });

  it('a glob that matches nothing is reported missing', () => {
    assert.deepEqual(expandFiles(['{x,y}/*.task.yaml'], dir), { files: [], missing: ['{x,y}/*.task.yaml'] });
  });

  it('a brace list finds exactly the files named in it', () => {
    const tasks = NAMES.filter((n) => n.includes('.task.') && !n.startsWith('node_modules'));
    fc.assert(
      fc.property(fc.subarray(tasks, { minLength: 2 }), (picked) => {
        assert.deepEqual(expandFiles([`{${picked.join(',')}}`], dir).files.sort(), [...picked].sort());
      }),
    );
  });

  it('tells globs from paths as fast-glob does', () => {
    const piece = fc.constantFrom('a', '/', '.', '-', ' ', '*', '?', '!', '[', ']', '(', ')', '{', '}', ',', '..', '|', '+', '@', '\\', 'x.task.yaml');
    fc.assert(
      // fast-glob refuses an empty pattern; expandFiles reports an empty argument missing (below).
      fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }).map((p) => p.join('')), fc.string({ minLength: 1 }), (pieces, any) => {
        assert.equal(isGlob(pieces), fg.isDynamicPattern(pieces), pieces);
        assert.equal(isGlob(any), fg.isDynamicPattern(any), any);
      }),
      { numRuns: 500 },
    );
  });

  it('an empty argument is missing, not the current folder', () => {
    assert.deepEqual(expandFiles([''], dir), { files: [], missing: [''] });
  });
});
