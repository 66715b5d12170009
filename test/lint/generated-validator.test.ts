// The schema's validator is compiled ahead (engine/schema/task-validator.ts) so that no process pays
// for compiling it; this keeps it the validator of the schema as it is now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '../../..');

test('engine/schema/task-validator.ts is what scripts/generate-validator.mjs writes for task.schema.json', async () => {
  const generator = (await import(pathToFileURL(path.join(root, 'scripts', 'generate-validator.mjs')).href)) as { validatorSource(): string; OUTPUT: string };
  assert.equal(fs.readFileSync(generator.OUTPUT, 'utf8'), generator.validatorSource(), 'the schema changed: run node scripts/generate-validator.mjs');
});
