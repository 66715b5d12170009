// A child process for the crash test: runs (or resumes) one run of a task with the file store and
// the real clock, then exits. The test kills it with SIGKILL at random moments.
//
//   STEPWISE_CRASH_CHILD=1 node crash-child.js <runsDir> <taskFile> <runId> start|resume
//
// Secrets come from STEPWISE_SECRET_* variables, as for the CLI.
//
// Without STEPWISE_CRASH_CHILD it does nothing, so a test runner that picks up every .js file of
// a `test` folder runs it harmlessly.
import { createEngine } from '../../engine/runtime/engine';
import { fileStore } from '../../engine/store/file';
import { secretsFromEnv } from '../../engine/secrets/env';
import { parseOnlyLoader } from './tasks';

async function main(): Promise<void> {
  const [runsDir, taskFile, runId, mode] = process.argv.slice(2);
  const engine = createEngine({ store: fileStore(runsDir), loadTask: parseOnlyLoader, secrets: secretsFromEnv() });
  const run = mode === 'resume' ? await engine.resume(runId) : engine.start(parseOnlyLoader(taskFile), { runId });
  // The engine is loaded and the run under way: the parent starts its kill timer from here.
  process.stdout.write('ready\n');
  const state = await run.done;
  await engine.store.close();
  process.stdout.write(JSON.stringify({ status: state.status, seq: state.seq }) + '\n');
}

if (process.env.STEPWISE_CRASH_CHILD === '1') {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(3);
    },
  );
}
