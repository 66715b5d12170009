// The debug adapter as a TCP server (`stepwise dap --port N`): one session per connection, for
// DAP clients that connect to a port (nvim-dap, dap-mode, tests). Nagle's algorithm is off on every
// socket: with it, each step waits ~40 ms for the delayed ACK.
import * as net from 'node:net';
import { StepwiseDebugSession, type StepwiseDebugSessionOptions } from './session';

export interface DapServer {
  server: net.Server;
  port: number;
  host: string;
  close(): Promise<void>;
}

export function serveTcp(port: number, host = '127.0.0.1', options: StepwiseDebugSessionOptions = {}): Promise<DapServer> {
  const sessions = new Set<StepwiseDebugSession>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const session = new StepwiseDebugSession({ ...options, server: true, onEnd: () => socket.end() });
    sessions.add(session);
    socket.on('close', () => {
      sessions.delete(session);
      void session.close('the debugger client went away');
    });
    session.start(socket, socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as net.AddressInfo;
      resolve({
        server,
        port: address.port,
        host,
        async close() {
          await Promise.all([...sessions].map((s) => s.close('the debug adapter stopped')));
          await new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}
