// What the package test (package.test.ts) does with the installed package as a library: a
// program run from CommonJS and from an ES module, and a TypeScript file for tsc.

/** A program that runs a task whose `upper` kind is defined in it; `lib` is how it gets the library. */
export function program(lib: string): string {
  return `${lib}
const upper = defineInstruction({
  kind: 'upper',
  description: 'The text in capitals.',
  args: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
  result: { type: 'object', properties: { text: { type: 'string' } } },
  async run(args) { return { text: args.text.toUpperCase() }; },
});
const task = (text) => taskFromText(['version: 1', 'name: shout', 'start: a', 'input:', '  text: { type: ' + (text ? 'string' : 'integer') + ', required: true }', 'states:', '  a:', '    do:', '      - upper: { text: "={{ input.text }}" }', '        as: out', '    next: done', '  done: { final: true }', ''].join('\\n'));
(async () => {
  const engine = createEngine({ store: memoryStore(), instructions: instructionHandlers(upper) });
  const ok = await engine.start(task(true), { input: { text: 'hello' } }).done;
  const bad = await engine.start(task(false), { input: { text: 5 } }).done;
  const journal = await engine.store.read(bad.runId);
  console.log(JSON.stringify({ status: ok.status, out: ok.data.out, bad: bad.status, error: bad.error && bad.error.message, entries: journal.length }));
})().catch((err) => { console.error(err); process.exit(1); });
`;
}

/** A TypeScript program that uses the declarations; `wrongInput` gives a run an input of the wrong type. */
export function typedProgram(wrongInput: boolean): string {
  const use = `import { createEngine, defineInstruction, fileStore, instructionHandlers, memoryStore, taskFromText, type JournalEntry, type RunState } from '@stepwise-tasks/cli';
const upper = defineInstruction<{ text: string }, { text: string }>({
  kind: 'upper',
  args: { type: 'object', properties: { text: { type: 'string' } } },
  async run(args, ctx) {
    ctx.log(args.text);
    return { text: args.text.toUpperCase() };
  },
});
const engine = createEngine({ store: process.env.DIR ? fileStore(process.env.DIR) : memoryStore(), instructions: instructionHandlers(upper) });
const run = engine.start(taskFromText('version: 1'), { input: { text: 'hi' } });
export const status: Promise<RunState['status']> = run.done.then((s) => s.status);
export const types: Promise<Array<JournalEntry['type']>> = engine.store.read(run.id).then((j) => j.map((e) => e.type));
`;
  return wrongInput ? use.replace("{ input: { text: 'hi' } }", "{ input: 'hi' }") : use;
}
