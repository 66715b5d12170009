// Test files on disk for the task-test tests: a temporary folder with a task, its test file and
// any other files, loaded the way `stepwise test` loads them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTestFile, type LoadedTestFile } from '../../engine/testing/load';
import { allCases, runCases, type SuiteResult } from '../../engine/testing/suite';
import { dedent } from '../helpers/tasks';

/** A task with an http call, a poll, an exec, an event and a timer: every kind of wait and call. */
export const PIPELINE = `
  version: 1
  name: pipeline
  input:
    env: { type: string, default: staging }
  data:
    shipped: false
  start: build
  states:
    build:
      do:
        - http: { url: "https://ci.example.com/build" }
          as: build
      on:
        - to: wait
          when: "data.build.status = 200"
        - to: failed
      catch:
        - to: failed
          error: http
    wait:
      timeout: 1h
      on:
        - to: ship
          poll:
            every: 1m
            do: { http: { url: "https://ci.example.com/status" } }
            until: "result.body.done = true"
      catch:
        - to: failed
          error: timeout
    ship:
      do:
        - exec: { command: deploy-tool, args: [apply] }
          as: deploy
        - set: { shipped: true }
      next: approve
    approve:
      on:
        - to: done
          event: approved
        - to: failed
          after: 2h
    done: { final: true }
    failed: { final: true, status: failed }
`;

/** Mocks that take PIPELINE to `done` (its event after 30m). */
export const HAPPY_MOCKS = `
  - { state: build, instruction: build, result: { status: 200, body: {} } }
  - { state: wait, poll: 0, results: [ { status: 200, body: { done: false } }, { status: 200, body: { done: true } } ] }
  - { state: ship, instruction: deploy, result: { exitCode: 0, stdout: "", stderr: "" } }
  - { event: approved, after: 30m, data: { by: ada } }
`;

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-testing-'));
}

/** Writes files (name -> YAML, dedented) into a new temporary folder; returns the folder. */
export function writeFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), dedent(text));
  return dir;
}

/** A test file for PIPELINE with the given cases (YAML under `cases:`) and default mocks (a list). */
export function pipelineTest(cases: string, defaultMocks?: string): LoadedTestFile {
  const dir = writeFiles({ 'pipeline.task.yaml': PIPELINE });
  let head = 'task: ./pipeline.task.yaml\n';
  if (defaultMocks !== undefined) {
    fs.writeFileSync(path.join(dir, 'pipeline.mocks.yaml'), `mocks:\n${indent(dedent(defaultMocks).trim(), 2)}\n`);
    head += 'mocks: ./pipeline.mocks.yaml\n';
  }
  fs.writeFileSync(path.join(dir, 'pipeline.test.yaml'), `${head}cases:\n${indent(dedent(cases).trimEnd(), 2)}\n`);
  return loadTestFile(path.join(dir, 'pipeline.test.yaml'));
}

export async function runAll(test: LoadedTestFile): Promise<SuiteResult> {
  const errors = test.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`the test file has errors: ${errors.map((d) => d.message).join('; ')}`);
  return runCases(allCases([test]));
}

function indent(text: string, n: number): string {
  return text.replace(/^(?=.)/gm, ' '.repeat(n));
}
