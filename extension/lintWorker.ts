// Runs the linter off the extension host's main thread: a 5,000-state file takes seconds to parse,
// and the extension host must keep answering every other extension meanwhile.
import { parentPort } from 'node:worker_threads';
import { lintText } from '../engine/lint/index';

export interface LintRequest {
  id: number;
  text: string;
}

export interface LintReply {
  id: number;
  result?: ReturnType<typeof lintText>;
  error?: string;
  ms: number;
}

parentPort?.on('message', (req: LintRequest) => {
  const started = Date.now();
  let reply: LintReply;
  try {
    reply = { id: req.id, result: lintText(req.text), ms: 0 };
  } catch (err) {
    // lintText is built never to throw; if it does anyway the editor gets a message, not a crash.
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err), ms: 0 };
  }
  reply.ms = Date.now() - started;
  parentPort?.postMessage(reply);
});
