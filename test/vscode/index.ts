// The entry VS Code's extension host loads for the integration suite (`extensionTestsPath`), under
// @vscode/test-electron or the code-server harness alike. It runs mocha over the *.test.js files
// beside it and writes a JSON result file, because the hosts forward console output badly
// (code-server leaves mocha's `%s` placeholders unfilled).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms?: number;
  error?: string;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  tests: TestRecord[];
}

/** A reporter that prints one plain line per test (no format strings) and keeps the records. */
function recorder(records: TestRecord[]) {
  return class extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      runner.on('pass', (t) => {
        records.push({ title: t.fullTitle(), state: 'passed', ms: t.duration });
        console.log(`  ✓ ${t.fullTitle()} (${t.duration ?? 0} ms)`);
      });
      runner.on('fail', (t, err: Error) => {
        records.push({ title: t.fullTitle(), state: 'failed', ms: t.duration, error: err?.stack ?? String(err) });
        console.log(`  ✗ ${t.fullTitle()}: ${err?.message ?? err}`);
      });
      runner.on('pending', (t) => {
        records.push({ title: t.fullTitle(), state: 'pending' });
        console.log(`  - ${t.fullTitle()} (skipped)`);
      });
    }
  };
}

export function run(): Promise<void> {
  const records: TestRecord[] = [];
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: recorder(records) as unknown as string,
    grep: process.env.STEPWISE_TEST_GREP || undefined,
  });
  for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      const result: SuiteResult = {
        passed: records.filter((r) => r.state === 'passed').length,
        failed: records.filter((r) => r.state === 'failed').length,
        pending: records.filter((r) => r.state === 'pending').length,
        tests: records,
      };
      const out = process.env.STEPWISE_TEST_RESULT;
      if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
      console.log(`${result.passed} passed, ${result.failed} failed`);
      if (failures > 0) reject(new Error(`${failures} test${failures === 1 ? '' : 's'} failed`));
      else resolve();
    });
  });
}
