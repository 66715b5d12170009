// The debug adapter over stdio: `stepwise dap`, or `node dist/debugAdapter.js` (what a
// DebugAdapterExecutable, nvim-dap or dap-mode starts). Stdout carries the protocol only.
import { StepwiseDebugSession, type StepwiseDebugSessionOptions } from './session';

export function runStdio(options: StepwiseDebugSessionOptions = {}): StepwiseDebugSession {
  // Nothing but protocol messages may reach stdout: stray logging goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const session = new StepwiseDebugSession({ ...options, server: false });
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
  return session;
}
