// Runs the linter off the extension host's main thread: a 5,000-state file takes seconds to parse,
// and the extension host must keep answering every other extension meanwhile.
import { parentPort } from 'node:worker_threads';
import type { ValidateFunction } from 'ajv';
import { lintText, type LintOptions } from '../engine/lint/index';
import type { JsonSchema, PluginKindInfo } from '../engine/plugins/define';
import { cachedCompiler } from './core/schemaCache';

export interface LintRequest {
  id: number;
  text: string;
  /** The kinds of the document's plugins (plain data: their schemas are compiled here); absent without a config. */
  plugins?: PluginKindInfo[];
}

export interface LintReply {
  id: number;
  result?: ReturnType<typeof lintText>;
  error?: string;
  ms: number;
}

let compileSchema: ((schema: JsonSchema) => ValidateFunction) | undefined;

function options(plugins: PluginKindInfo[] | undefined): LintOptions {
  if (!plugins) return {};
  // A config without plugins still makes every kind not built in unknown, as in the CLI.
  if (!plugins.length) return { plugins };
  if (!compileSchema) {
    // Loaded on the first plugin kind: a workspace without plugins never loads ajv.
    const Ajv = (require('ajv') as typeof import('ajv')).default;
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    compileSchema = cachedCompiler((schema) => ajv.compile(schema));
  }
  return { plugins, compileSchema };
}

parentPort?.on('message', (req: LintRequest) => {
  const started = Date.now();
  let reply: LintReply;
  try {
    reply = { id: req.id, result: lintText(req.text, options(req.plugins)), ms: 0 };
  } catch (err) {
    // lintText is built never to throw; if it does anyway the editor gets a message, not a crash.
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err), ms: 0 };
  }
  reply.ms = Date.now() - started;
  parentPort?.postMessage(reply);
});
