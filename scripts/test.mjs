// `npm test`: every suite runs, whatever an earlier one did, and the failures are reported together
// at the end. Only a failed build stops the rest (there is nothing to test without it). The last
// line sums the node tests and the real-VS Code tests as `test: N passed, N failed`.
import { spawn } from 'node:child_process';

const steps = [
  { name: 'typecheck', cmd: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'build', cmd: ['npm', 'run', '--silent', 'build'], required: true },
  { name: 'compile tests', cmd: ['npm', 'run', '--silent', 'compile-tests'] },
  { name: 'node tests', cmd: ['node', '--test', '--test-concurrency=2', 'out/test/'], counts: /^(?:# |ℹ )(pass|fail) (\d+)$/gm },
  { name: 'vscode tests', cmd: ['node', 'test/vscode-harness/run.mjs'], before: ['npm', 'run', '--silent', 'compile-vscode-tests'], counts: /^vscode: (\d+) (passed), (\d+) (failed)$/gm },
];

function run([cmd, ...args]) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

/** Passed and failed counts a step printed: node's `# pass N`/`# fail N`, the harness's closing line. */
function counts(step, out) {
  const n = { passed: 0, failed: 0 };
  for (const m of out.matchAll(step.counts)) {
    if (m[1] === 'pass') n.passed += Number(m[2]);
    else if (m[1] === 'fail') n.failed += Number(m[2]);
    else {
      n.passed += Number(m[1]);
      n.failed += Number(m[3]);
    }
  }
  return n;
}

const results = [];
for (const step of steps) {
  process.stdout.write(`\n=== ${step.name}\n`);
  let r = step.before ? await run(step.before) : { code: 0, out: '' };
  if (r.code === 0) r = await run(step.cmd);
  results.push({ step, code: r.code, ...(step.counts ? counts(step, r.out) : {}) });
  if (r.code !== 0 && step.required) break;
}

process.stdout.write('\n=== summary\n');
let passed = 0;
let failed = 0;
for (const r of results) {
  const tally = r.passed !== undefined ? ` (${r.passed} passed, ${r.failed} failed)` : '';
  process.stdout.write(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.step.name}${tally}\n`);
  passed += r.passed ?? 0;
  // A step that failed without counting a failed test (a crash, a type error) still counts as one.
  failed += r.failed || (r.code !== 0 ? 1 : 0);
}
// The failed build that skipped them is already counted.
for (const s of steps.slice(results.length)) process.stdout.write(`SKIP ${s.name} (the build failed)\n`);
process.stdout.write(`test: ${passed} passed, ${failed} failed\n`);
process.exitCode = failed ? 1 : 0;
