import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseDuration } from '../expr/duration';
import { argsObject, InstructionFailure, type InstructionHandler } from './types';

const MAX_CAPTURE = 1024 * 1024;

/** A local process, never through a shell unless the task says `shell: true`. */
export const exec: InstructionHandler = (ctx) => {
  const a = argsObject(ctx, 'exec');
  if (typeof a.command !== 'string' || !a.command) throw new InstructionFailure('exec', "exec needs a 'command'.");
  const command = a.command;
  const args = Array.isArray(a.args) ? a.args.map(String) : [];
  const cwd = path.resolve(ctx.baseDir, typeof a.cwd === 'string' ? a.cwd : '.');
  const env = { ...process.env };
  for (const [k, v] of Object.entries((a.env as Record<string, unknown>) ?? {})) env[k] = String(v);
  const timeoutMs = typeof a.timeout === 'string' ? parseDuration(a.timeout) : undefined;
  const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signal = timeout ? AbortSignal.any([ctx.signal, timeout]) : ctx.signal;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, shell: a.shell === true, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
      ctx.output('stdout', chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
      ctx.output('stderr', chunk);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (ctx.signal.aborted) return reject(err);
      if (timeout?.aborted) return reject(new InstructionFailure('timeout', `${command} timed out after ${a.timeout}.`));
      const why = err.code === 'ENOENT' ? `command '${command}' not found (cwd ${cwd})` : err.message;
      reject(new InstructionFailure('exec', why));
    });
    child.on('close', (code, killedBy) => {
      if (signal.aborted) return;
      const result = { exitCode: code ?? -1, stdout, stderr };
      if (code === 0) return resolve(result);
      const tail = stderr.trim().split('\n').slice(-3).join('\n');
      const status = killedBy ? `killed by ${killedBy}` : `exit status ${code}`;
      reject(new InstructionFailure('exec', `${command} failed: ${status}${tail ? `: ${tail}` : ''}`));
    });
  });
};
