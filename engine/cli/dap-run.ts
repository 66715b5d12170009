// The work of `stepwise dap`, loaded only when that command runs (it brings the debug adapter): the
// bundle of the CLI keeps it in a file of its own, dist/dap-run.js.
import { serveTcp } from '../debug/server';
import { runStdio } from '../debug/stdio';

export async function runDap(opts: { port?: number; host: string }): Promise<void> {
  if (opts.port === undefined) {
    runStdio();
    return;
  }
  const server = await serveTcp(opts.port, opts.host);
  process.stdout.write(`Stepwise debug adapter listening on ${server.host}:${server.port}\n`);
}
