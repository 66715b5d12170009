// `npm run test:electron`: the same compiled suite as `npm run test:vscode`, run by
// @vscode/test-electron in a downloaded VS Code desktop (for machines that can download it: a
// laptop, public CI). These project machines cannot; use `npm run test:vscode` there.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './setup.mjs';

const SUITE_INDEX = path.join(ROOT, 'out', 'vscode', 'test', 'vscode', 'index.js');

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(ROOT, 'samples'), workspace, { recursive: true });
  const resultFile = path.join(tmp, 'result.json');
  let failed = 0;
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: SUITE_INDEX,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { STEPWISE_TEST_RESULT: resultFile },
    });
  } catch (err) {
    failed = 1;
    if (!fs.existsSync(resultFile)) {
      console.error(`test-electron could not run the suite: ${err?.message ?? err}`);
      console.error('Where VS Code cannot be downloaded (as on the project machines), use: npm run test:vscode');
    }
  }
  let passed = 0;
  if (fs.existsSync(resultFile)) {
    const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    passed = r.passed;
    failed = r.failed;
    for (const t of r.tests.filter((x) => x.state === 'failed')) console.log(`FAILED ${t.title}\n${t.error}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
