// The `stepwise` command line. Exit codes: 0 success, 1 the run (or lint) found failure, 2 the
// file does not lint clean or the usage is wrong.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { formatDuration } from '../expr/duration';
import type { JournalEvent } from '../journal/events';
import { replay } from '../journal/replay';
import { lintText, RULES } from '../lint/index';
import { realClock, virtualClock } from '../runtime/clock';
import { createEngine, type Engine } from '../runtime/engine';
import { coerceInput, InputError, loadTaskFile, TaskLoadError } from '../runtime/load';
import { MocksError, parseMocks, type Mocks } from '../runtime/mocks';
import type { Run } from '../runtime/run';
import { tracesWanted } from '../observe/wanted';
import { SecretsError, secretsFromEnv as secretsOf } from '../secrets/env';
import { findConfig } from '../plugins/config';
import { lintOptions, NO_PLUGINS, type LoadedPlugins } from '../plugins/lint-options';
import { DEFAULT_RUNS_DIR, fileStore } from '../store/file';
import { memoryStore } from '../store/memory';
import type { RunStore } from '../store/store';
import { dapCommand } from './dap';
import { expandFiles } from './files';
import { graphCommand } from './graph';
import { flatten, formatText, type FileFindings } from './lint-output';
import { retryCommand, type RetryCliOptions } from './retry';
import { formatSarif, gitRoot, withPages } from './sarif';
import { serveCommand } from './serve';
import { testCommand } from './test';
import { describeEvent, displayStatus, style, useColour } from './report';

const VERSION = '0.1.0';

/** A failure the user can fix, with the exit code it deserves. */
class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

interface RunOptions {
  input: string[];
  inputFile?: string;
  mocks?: string;
  clock?: 'real' | 'virtual';
  store: string;
  json?: boolean;
}

const st = style(useColour(process.stdout));
const err = style(useColour(process.stderr));

function openStore(spec: string): RunStore {
  return spec === 'memory' ? memoryStore() : fileStore(path.resolve(spec));
}

function readMocks(file: string | undefined): Mocks | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`Mocks file not found: ${file}`, 2);
  }
  try {
    return parseMocks(text, file);
  } catch (e) {
    if (e instanceof MocksError) throw new CliError(e.message, 2);
    throw e;
  }
}

/** `STEPWISE_SECRET_TOKEN=…` (or `STEPWISE_SECRET_TOKEN_FILE=path`) makes `secrets.TOKEN` available to expressions. */
function secretsFromEnv(): Record<string, string> {
  try {
    return secretsOf(process.env);
  } catch (e) {
    if (e instanceof SecretsError) throw new CliError(e.message, 2);
    throw e;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Prints a run (and the runs it calls) as its journal grows; returns when it ends. */
async function follow(engine: Engine, run: Run, json: boolean): Promise<number> {
  const started = new Map<string, number>();
  engine.onJournal((r, e: JournalEvent) => {
    if (json) {
      process.stdout.write(JSON.stringify({ runId: r.id, ...e }) + '\n');
      return;
    }
    if (e.type === 'run-started') started.set(r.id, e.at);
    const line = describeEvent(e, st, started.get(r.id) ?? r.state.startedAt);
    if (line) process.stdout.write((r.id === run.id ? '' : st.dim(`  [${r.id}] `)) + line + '\n');
  });
  if (!json) {
    engine.onOutput((chunk) => {
      if (chunk.stream === 'log') return;
      for (const line of chunk.text.replace(/\n$/, '').split('\n')) process.stdout.write(st.dim(`            │ ${line}`) + '\n');
    });
  }
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(err.yellow('\nCancelling the run (Ctrl-C again to quit at once)…\n'));
    run.cancel('cancelled with Ctrl-C');
  };
  process.on('SIGINT', onSigint);
  // A run waiting only for an event has nothing else keeping the process alive.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const final = await run.done;
  clearInterval(keepAlive);
  process.off('SIGINT', onSigint);
  await engine.store.close();
  if (!json) {
    const took = formatDuration(Math.max(0, (final.endedAt ?? final.startedAt) - final.startedAt));
    process.stdout.write(st.dim(`run ${run.id} ${final.status} in ${took} (${final.clock} clock)\n`));
  }
  return final.status === 'succeeded' ? 0 : 1;
}

/**
 * The plugins of the config file above `file` (stepwise.config.json); a bad one is a usage error.
 * `loaded` keeps each config's plugins for a command that reads many files (lint).
 */
async function plugins(file: string, loaded?: Map<string, LoadedPlugins>): Promise<LoadedPlugins> {
  const config = findConfig(path.dirname(path.resolve(file)));
  if (!config) return NO_PLUGINS;
  const known = loaded?.get(config);
  if (known) return known;
  // Required only when a config applies: loading plugins brings ajv (plugins-run.ts).
  const loader = require('./plugins-run') as typeof import('./plugins-run');
  try {
    const result = await loader.loadPluginsFrom(config);
    loaded?.set(config, result);
    return result;
  } catch (e) {
    if (e instanceof loader.PluginConfigError) throw new CliError(e.message, 2);
    throw e;
  }
}

async function runCommand(file: string, opts: RunOptions): Promise<number> {
  const loaded = await plugins(file);
  let task;
  try {
    task = loadTaskFile(file, lintOptions(loaded));
  } catch (e) {
    if (e instanceof TaskLoadError) throw new CliError(e.message, 2);
    throw e;
  }
  for (const w of task.warnings) {
    process.stderr.write(err.yellow(`${file}:${w.range.start.line + 1}:${w.range.start.column + 1}: warning ${w.message} [${w.code}]\n`));
  }
  const given: Record<string, unknown> = {};
  if (opts.inputFile) {
    let parsed: unknown;
    try {
      parsed = parseYaml(fs.readFileSync(opts.inputFile, 'utf8'));
    } catch (e) {
      throw new CliError(`Cannot read the input file ${opts.inputFile}: ${(e as Error).message}`, 2);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(`${opts.inputFile} must hold a mapping of input names to values.`, 2);
    Object.assign(given, parsed);
  }
  for (const pair of opts.input) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--input expects name=value, not '${pair}'.`, 2);
    const name = pair.slice(0, eq);
    given[name] = coerceInput(task.model, name, pair.slice(eq + 1));
  }
  // Required only when asked for: OpenTelemetry is a bundle of its own (traces-run.ts).
  const tracing = tracesWanted() ? (require('./traces-run') as typeof import('./traces-run')).tracingFromEnv(VERSION) : undefined;
  const engine = createEngine({
    store: openStore(opts.store),
    clock: opts.clock === 'virtual' ? virtualClock() : realClock(),
    mocks: readMocks(opts.mocks),
    secrets: secretsFromEnv(),
    instructions: loaded.handlers,
    loadTask: (child) => loadTaskFile(child, lintOptions(loaded)),
    observer: tracing?.observer,
  });
  let run: Run;
  try {
    run = engine.start(task, { input: given });
  } catch (e) {
    if (e instanceof InputError) throw new CliError(`Invalid input for ${file}:\n  ${e.message.split('\n').join('\n  ')}`, 2);
    throw e;
  }
  try {
    return await follow(engine, run, Boolean(opts.json));
  } finally {
    await tracing?.shutdown();
  }
}

interface LintOptions {
  format: 'text' | 'json' | 'sarif';
  sarifRoot?: string;
}

async function lintCommand(patterns: string[], opts: LintOptions): Promise<number> {
  const { files, missing } = expandFiles(patterns);
  if (missing.length) throw new CliError(`No task file matches: ${missing.join(', ')}`, 2);
  const results: FileFindings[] = [];
  const loaded = new Map<string, LoadedPlugins>();
  for (const file of files) results.push({ file, diagnostics: lintText(fs.readFileSync(file, 'utf8'), lintOptions(await plugins(file, loaded))).diagnostics });
  if (opts.format === 'json') process.stdout.write(JSON.stringify(flatten(results), null, 2) + '\n');
  else if (opts.format === 'sarif') {
    const cwd = process.cwd();
    const root = path.resolve(cwd, opts.sarifRoot ?? gitRoot(cwd) ?? cwd);
    process.stdout.write(formatSarif(results, withPages(RULES), { root, cwd, toolVersion: VERSION }) + '\n');
  }
  else process.stdout.write(formatText(results, st) + '\n');
  return results.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}

async function runsCommand(opts: { store: string; json?: boolean }): Promise<number> {
  const store = openStore(opts.store);
  const rows = [];
  for (const id of await store.list()) {
    const s = replay(await store.read(id));
    rows.push({
      id,
      task: s.task,
      status: displayStatus(s),
      state: s.state ?? '',
      startedAt: new Date(s.startedAt).toISOString(),
      durationMs: (s.endedAt ?? (s.clock === 'real' ? Date.now() : s.startedAt)) - s.startedAt,
    });
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`No runs in ${opts.store}. Start one with: stepwise run FILE\n`);
    return 0;
  }
  const header = ['RUN', 'TASK', 'STATUS', 'STATE', 'STARTED', 'DURATION'];
  const table = rows.map((r) => [r.id, r.task, r.status, r.state, r.startedAt.replace('T', ' ').slice(0, 19), formatDuration(Math.max(0, r.durationMs))]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(st.bold(fmt(header)) + '\n' + table.map(fmt).join('\n') + '\n');
  return 0;
}

async function showCommand(runId: string, opts: { store: string; json?: boolean }): Promise<number> {
  const store = openStore(opts.store);
  const journal = await store.read(runId);
  if (opts.json) {
    for (const e of journal) process.stdout.write(JSON.stringify(e) + '\n');
    return 0;
  }
  const s = replay(journal);
  for (const e of journal) {
    const line = describeEvent(e, st, s.startedAt);
    if (line) process.stdout.write(line + '\n');
  }
  process.stdout.write(st.dim(`status ${displayStatus(s)}; state ${s.state ?? '-'}; data ${JSON.stringify(s.data)}\n`));
  return 0;
}

async function resumeCommand(runId: string, opts: { store: string; mocks?: string; clock?: 'real' | 'virtual'; json?: boolean }): Promise<number> {
  const store = openStore(opts.store);
  const s = replay(await store.read(runId));
  if (s.phase !== 'ended' && displayStatus(s) === 'running' && s.pid !== process.pid) {
    throw new CliError(`Run ${runId} is still running in process ${s.pid}; stop that process first.`, 2);
  }
  const clockKind = opts.clock ?? s.clock;
  const engine = createEngine({
    store,
    clock: clockKind === 'virtual' ? virtualClock(Math.max(Date.now(), lastTime(await store.read(runId)))) : realClock(),
    mocks: readMocks(opts.mocks),
    secrets: secretsFromEnv(),
    // The run's plugins: those of the workspace of the file it started from.
    instructions: s.file ? (await plugins(s.file)).handlers : undefined,
  });
  let run: Run;
  try {
    run = await engine.resume(runId, { onChanged: (message) => process.stderr.write(err.yellow(`warning: ${message}`) + '\n') });
  } catch (e) {
    if (e instanceof TaskLoadError) throw new CliError(e.message, 2);
    throw new CliError((e as Error).message, 1);
  }
  return follow(engine, run, Boolean(opts.json));
}

function lastTime(journal: JournalEvent[]): number {
  return journal.length ? journal[journal.length - 1].at : 0;
}

async function sendCommand(runId: string, event: string, opts: { store: string; data?: string }): Promise<number> {
  let data: unknown = null;
  if (opts.data !== undefined) {
    try {
      data = JSON.parse(opts.data);
    } catch (e) {
      throw new CliError(`--data must be JSON: ${(e as Error).message}`, 2);
    }
  }
  const store = openStore(opts.store);
  const s = replay(await store.read(runId));
  if (s.phase === 'ended') throw new CliError(`Run ${runId} has ended (${s.status}); it takes no more events.`, 1);
  await store.sendEvent(runId, event, data);
  const status = displayStatus(s);
  process.stdout.write(
    status === 'interrupted'
      ? `Event '${event}' queued for run ${runId}; it is delivered when the run is resumed (stepwise resume ${runId}).\n`
      : `Event '${event}' sent to run ${runId}.\n`,
  );
  return 0;
}

export function program(): Command {
  const storeOption = () => new Option('--store <dir|memory>', 'where journals live').default(DEFAULT_RUNS_DIR);
  const clockOption = () => new Option('--clock <clock>', 'real, or virtual to jump over waits').choices(['real', 'virtual']);
  const cmd = new Command('stepwise')
    .description('Run, lint and inspect Stepwise tasks (*.task.yaml).')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError();
  cmd
    .command('run')
    .description('run a task and print each step as it happens')
    .argument('<file>', 'task file')
    .option('-i, --input <name=value>', 'an input value (repeatable)', collect, [])
    .option('--input-file <file>', 'inputs from a YAML or JSON file')
    .option('--mocks <file>', 'mocks file: results, errors and events instead of real calls')
    .addOption(clockOption().default('real'))
    .addOption(storeOption())
    .option('--json', 'print the journal events as JSON lines')
    .action(async (file: string, opts: RunOptions) => {
      process.exitCode = await runCommand(file, opts);
    });
  cmd
    .command('lint')
    .description('check task files; exit 0 when clean, 1 on errors')
    .argument('<files...>', 'files, folders or globs')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--sarif-root <dir>', 'SARIF file locations are relative to this folder (default: the git repository root, else the current folder)')
    .action(async (files: string[], opts: LintOptions) => {
      process.exitCode = await lintCommand(files, opts);
    });
  cmd
    .command('runs')
    .description('list the runs in the store')
    .addOption(storeOption())
    .option('--json', 'print as JSON')
    .action(async (opts: { store: string; json?: boolean }) => {
      process.exitCode = await runsCommand(opts);
    });
  cmd
    .command('show')
    .description("print a run's journal")
    .argument('<run-id>')
    .addOption(storeOption())
    .option('--json', 'print the journal as JSON lines')
    .action(async (runId: string, opts: { store: string; json?: boolean }) => {
      process.exitCode = await showCommand(runId, opts);
    });
  cmd
    .command('resume')
    .description('continue an interrupted run from its journal')
    .argument('<run-id>')
    .addOption(storeOption())
    .option('--mocks <file>', 'mocks file')
    .addOption(clockOption())
    .option('--json', 'print the journal events as JSON lines')
    .action(async (runId: string, opts: { store: string; mocks?: string; clock?: 'real' | 'virtual'; json?: boolean }) => {
      process.exitCode = await resumeCommand(runId, opts);
    });
  cmd
    .command('retry')
    .description("start a new run that takes a run's journal up to its last entry into a state, and goes on from there")
    .argument('<run-id>')
    .option('--from <state>', 'the state to enter again (default: the state the run failed in)')
    .addOption(storeOption())
    .option('--mocks <file>', 'mocks file')
    .addOption(clockOption())
    .option('--json', 'print the journal events as JSON lines')
    .action(async (runId: string, opts: RetryCliOptions) => {
      process.exitCode = await retryCommand(runId, opts, {
        openStore,
        readMocks,
        secrets: secretsFromEnv,
        plugins,
        follow,
        warn: (text) => process.stderr.write(err.yellow(text) + '\n'),
        fail: (message, code) => new CliError(message, code),
      });
    });
  cmd
    .command('send')
    .description('send an event to a run (running here, in another process, or interrupted)')
    .argument('<run-id>')
    .argument('<event>', 'event name')
    .option('--data <json>', 'event data as JSON')
    .addOption(storeOption())
    .action(async (runId: string, event: string, opts: { store: string; data?: string }) => {
      process.exitCode = await sendCommand(runId, event, opts);
    });
  cmd.addCommand(dapCommand());
  cmd.addCommand(serveCommand());
  cmd.addCommand(testCommand());
  cmd.addCommand(graphCommand());
  return cmd;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof CliError) {
      process.stderr.write(err.red('error: ') + e.message + '\n');
      process.exitCode = e.exitCode;
      return;
    }
    const name = (e as Error).name;
    if (name === 'UnknownRunError') {
      process.stderr.write(err.red('error: ') + (e as Error).message + '\n');
      process.exitCode = 2;
      return;
    }
    process.stderr.write(err.red('internal error: ') + ((e as Error).stack ?? String(e)) + '\n');
    process.exitCode = 1;
  }
}

// A closed pipe (`stepwise show … | head`) is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

void main(process.argv);
