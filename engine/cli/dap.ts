// `stepwise dap`: the debug adapter over stdio; `stepwise dap --port N`: a TCP server (port 0
// picks a free port); it prints the port it listens on.
import { Command, InvalidArgumentError } from 'commander';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535.');
  return n;
}

export function dapCommand(): Command {
  return new Command('dap')
    .exitOverride()
    .description('run the debug adapter (Debug Adapter Protocol) on stdio, or as a TCP server with --port')
    .option('--port <port>', 'listen on this TCP port instead of stdio (0 picks a free one)', port)
    .option('--host <host>', 'the address to listen on with --port', '127.0.0.1')
    .action(async (opts: { port?: number; host: string }) => {
      // Required here, not imported at the top: other commands never load the debug adapter (dap-run.ts).
      const { runDap } = require('./dap-run') as typeof import('./dap-run');
      await runDap(opts);
    });
}
