// The parsed model of a task test file (`*.test.yaml`): the cases, their mocks and expectations,
// each with the source range of its YAML so that lint findings and test results point at the text.
import type { Diagnostic, Range } from '../model/types';
import type { Mocks } from '../runtime/mocks';

export const TEST_FILE = /\.test\.ya?ml$/;

export const EXPECT_KEYS = ['status', 'path', 'visits', 'never', 'data', 'error', 'within'] as const;
export type ExpectKey = (typeof EXPECT_KEYS)[number];

export const RUN_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

export interface Located<T> {
  value: T;
  range: Range;
}

/** One entry of a `mocks:` list, as written: what it targets. */
export interface MockEntry {
  state?: string;
  instruction?: string | number;
  poll?: number;
  event?: string;
  /** The subject of a mocked message. */
  consume?: string;
  range: Range;
}

export interface MockList {
  mocks: Mocks;
  entries: MockEntry[];
  range: Range;
}

export interface StateList {
  states: Array<Located<string>>;
  range: Range;
}

export interface Expectation {
  status?: Located<string>;
  path?: StateList;
  visits?: StateList;
  never?: StateList;
  /** JSONata predicates over `data`, `input` and `run`; all must hold. */
  data?: Array<Located<string>>;
  error?: Located<string>;
  /** A duration of virtual time; `ms` is absent when it does not parse. */
  within?: Located<string> & { ms?: number };
  range: Range;
}

export interface TestCaseModel {
  name: string;
  keyRange: Range;
  /** The case's value (its mapping). */
  range: Range;
  input: Record<string, unknown>;
  inputRange?: Range;
  /** The case's own mocks; they replace the file's default mocks. */
  mocks?: MockList;
  expect: Expectation;
}

export interface TestFileModel {
  /** The task file, relative to the test file. */
  task?: Located<string>;
  /** The default mocks file of every case, relative to the test file. */
  mocks?: Located<string>;
  cases: TestCaseModel[];
  range: Range;
}

export interface TestParseResult {
  model: TestFileModel;
  diagnostics: Diagnostic[];
  text: string;
}
