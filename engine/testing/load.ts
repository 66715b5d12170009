// Reads a test file and what it names (the task file, the default mocks file), and lints them
// together. Reading goes through `readText` so that an editor can lint unsaved text.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, LineCounter, parseDocument, type Node } from 'yaml';
import { sortDiagnostics } from '../lint/index';
import { rangeFactory } from '../model/positions';
import type { Diagnostic, TaskModel } from '../model/types';
import { MocksError, NO_MOCKS, parseMocks, type Mocks } from '../runtime/mocks';
import { calledTasks } from './callees';
import { lintTestModel, taskErrors, type ForeignMocks } from './lint';
import type { TestFileModel } from './model';
import { mockEntries, parseTestFile } from './parse';

export type ReadText = (file: string) => string;

export interface LoadedTestFile {
  /** Absolute path of the test file. */
  file: string;
  text: string;
  model: TestFileModel;
  /** The test file's problems (its own and those of the files it names); errors mean it cannot run. */
  diagnostics: Diagnostic[];
  /** Absolute path of the task file, when `task` is given. */
  taskFile?: string;
  task?: TaskModel;
  /** The default mocks of every case (from `mocks:`). */
  mocks: Mocks;
}

const readFile: ReadText = (file) => fs.readFileSync(file, 'utf8');

export function loadTestFile(file: string, readText: ReadText = readFile, text?: string): LoadedTestFile {
  const abs = path.resolve(file);
  const src = text ?? readText(abs);
  const parsed = parseTestFile(src, abs);
  const diagnostics = [...parsed.diagnostics];
  const { model } = parsed;
  const out: LoadedTestFile = { file: abs, text: src, model, diagnostics, mocks: NO_MOCKS };
  const dir = path.dirname(abs);
  const fail = (code: string, message: string, at: Diagnostic['range']) => diagnostics.push({ code, severity: 'error', message, range: at });

  if (model.task) {
    const taskFile = path.resolve(dir, model.task.value);
    const taskText = readOrReport(taskFile, 'task file', model.task.range);
    if (taskText !== undefined) {
      out.taskFile = taskFile;
      const checked = taskErrors(path.relative(dir, taskFile) || taskFile, taskText, model.task.range);
      diagnostics.push(...checked.diagnostics);
      out.task = checked.model;
    }
  }
  let foreign: ForeignMocks | undefined;
  if (model.mocks) {
    const mocksFile = path.resolve(dir, model.mocks.value);
    const mocksText = readOrReport(mocksFile, 'mocks file', model.mocks.range);
    if (mocksText !== undefined) {
      const shown = path.relative(dir, mocksFile);
      try {
        out.mocks = parseMocks(mocksText, shown);
        foreign = { file: shown, entries: entriesOf(mocksText), at: model.mocks.range };
      } catch (e) {
        if (!(e instanceof MocksError)) throw e;
        fail('invalid-mocks', `The mocks file does not read: ${e.message}`, model.mocks.range);
      }
    }
  }
  const callees = out.task && out.taskFile ? calledTasks(out.task, out.taskFile, readText) : [];
  diagnostics.push(...lintTestModel(model, out.task, foreign, callees));
  sortDiagnostics(diagnostics);
  return out;

  function readOrReport(target: string, what: string, at: Diagnostic['range']): string | undefined {
    try {
      return readText(target);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      fail('missing-file', err.code === 'ENOENT' ? `The ${what} ${target} does not exist.` : `The ${what} ${target} cannot be read: ${err.message}`, at);
      return undefined;
    }
  }
}

function entriesOf(mocksText: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(mocksText, { lineCounter });
  const toRange = rangeFactory(lineCounter, mocksText.length);
  const list = isMap(doc.contents) ? (doc.contents.get('mocks', true) as Node | undefined) : undefined;
  return list ? mockEntries(list, (n) => toRange(n.range?.[0] ?? 0, n.range?.[1] ?? 0)) : [];
}
