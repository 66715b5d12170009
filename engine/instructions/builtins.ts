// set, log, emit, sleep and call: instructions that act on the run itself.
import * as path from 'node:path';
import { parseDuration } from '../expr/duration';
import { argsObject, InstructionFailure, type InstructionHandler } from './types';

/** The assigned values are the result; the journal applies them to `data` (see replay). */
export const set: InstructionHandler = async (ctx) => argsObject(ctx, 'set');

export const log: InstructionHandler = async (ctx) => {
  const a = ctx.shownArgs;
  await ctx.log(typeof a === 'string' ? a : JSON.stringify(a));
  return null;
};

/** The event leaves the run (to other runs, through the store): it carries the shown data. */
export const emit: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'emit');
  if (typeof a.event !== 'string' || !a.event) throw new InstructionFailure('emit', "emit needs an 'event' name.");
  await ctx.emit(a.event, (ctx.shownArgs as Record<string, unknown>).data ?? null);
  return null;
};

export const sleep: InstructionHandler = async (ctx) => {
  const ms = typeof ctx.args === 'string' ? parseDuration(ctx.args) : undefined;
  if (ms === undefined) throw new InstructionFailure('sleep', `sleep needs a duration such as 10s, not ${JSON.stringify(ctx.args)}.`);
  await ctx.sleep(ms);
  return null;
};

/** The child's input is journaled in its own journal: it gets the shown input (a child reads `secrets` itself). */
export const call: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'call');
  if (typeof a.task !== 'string' || !a.task) throw new InstructionFailure('call', "call needs a 'task' file.");
  const shown = (ctx.shownArgs as Record<string, unknown>).input;
  const input = (shown && typeof shown === 'object' ? shown : {}) as Record<string, unknown>;
  const child = await ctx.callTask(path.resolve(ctx.baseDir, a.task), input);
  return { status: child.status, data: child.data, runId: child.runId };
};
