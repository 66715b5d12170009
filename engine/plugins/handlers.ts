// A plugin instruction kind made an engine handler: its name and schemas checked once, then each
// call's resolved arguments and its result checked against the kind's schemas. The loader of
// stepwise.config.* (load.ts) and code that embeds the engine (`instructionHandlers`) share it.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { BUILTIN_KINDS } from '../instructions/registry';
import { InstructionFailure, type InstructionHandler } from '../instructions/types';
import { FANOUT_KINDS } from '../model/types';
import type { Plugin, PluginInstruction } from './define';

const KIND = /^[a-z][a-z0-9_-]*$/;

type Ajv = import('ajv').default;

function errorsText(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(the value)'} ${e.message}${e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : ''}`).join('; ');
}

function handlerFor(ins: PluginInstruction, checkArgs: ValidateFunction, checkResult: ValidateFunction | undefined): InstructionHandler {
  return async (ctx) => {
    if (!checkArgs(ctx.args)) throw new InstructionFailure(ins.kind, `The arguments of '${ins.kind}' do not fit its schema: ${errorsText(checkArgs.errors)}.`);
    const { signal, runId, state, index, baseDir, clock, log, sleep, output } = ctx;
    const result = await ins.run(ctx.args, { signal, runId, state, index, baseDir, clock, log, sleep, output });
    if (checkResult && !checkResult(result)) throw new InstructionFailure(ins.kind, `'${ins.kind}' returned a result that does not fit its schema: ${errorsText(checkResult.errors)}.`);
    return result;
  };
}

/** The ajv instance that checks plugin arguments and results (loaded when first needed). */
export function pluginAjv(options: { verbose?: boolean } = {}): Ajv {
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  return new Ajv({ allErrors: true, strict: false, ...options });
}

/**
 * The handler of one instruction kind, after checking it: `where` names it in errors, `taken`
 * holds the kinds already defined. Throws an Error saying what to change.
 */
export function compileInstruction(ins: PluginInstruction, where: string, taken: Record<string, unknown>, ajv: Ajv): InstructionHandler {
  if (!ins || typeof ins.kind !== 'string' || !KIND.test(ins.kind)) throw new Error(`${where} has an instruction kind ${JSON.stringify(ins?.kind)}: use lowercase letters, digits, '_' and '-'.`);
  if ((BUILTIN_KINDS as readonly string[]).includes(ins.kind) || (FANOUT_KINDS as readonly string[]).includes(ins.kind)) throw new Error(`${where} defines '${ins.kind}', which is built in.`);
  if (taken[ins.kind]) throw new Error(`${where} defines '${ins.kind}', which another plugin defines too.`);
  if (typeof ins.run !== 'function') throw new Error(`${where}: '${ins.kind}' has no run(args, ctx) function.`);
  let checkArgs: ValidateFunction;
  let checkResult: ValidateFunction | undefined;
  try {
    checkArgs = ajv.compile(ins.args ?? {});
    checkResult = ins.result ? ajv.compile(ins.result) : undefined;
  } catch (err) {
    throw new Error(`${where}: the schema of '${ins.kind}' is not a valid JSON Schema: ${(err as Error).message}`);
  }
  return handlerFor(ins, checkArgs, checkResult);
}

/**
 * Engine handlers (`createEngine({ instructions })`) for instruction kinds defined in code, each
 * checked as a plugin's are: `instructionHandlers(myPlugin)` or `instructionHandlers(kindA, kindB)`.
 */
export function instructionHandlers(...defined: Array<Plugin | PluginInstruction<any, any>>): Record<string, InstructionHandler> {
  const ajv = pluginAjv();
  const handlers: Record<string, InstructionHandler> = {};
  for (const item of defined) {
    const plugin = item && 'instructions' in item ? item : undefined;
    for (const ins of plugin ? plugin.instructions : [item as PluginInstruction]) {
      const handler = compileInstruction(ins, plugin ? `plugin '${plugin.name}'` : `instruction '${ins?.kind}'`, handlers, ajv);
      handlers[ins.kind] = handler;
    }
  }
  return handlers;
}
