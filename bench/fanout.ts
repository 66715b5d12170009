// Fan-out: a `map` of 1,000 items, each a `call` of a 3-state task, on the memory store, in items
// per second, against the same 1,000 child runs started side by side without a parent.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTask } from '../engine/model/parse';
import { virtualClock } from '../engine/runtime/clock';
import { createEngine } from '../engine/runtime/engine';
import { memoryStore } from '../engine/store/memory';
import { median, row } from './measure';

const ITEMS = 1000;

const CHILD = `version: 1
name: step3
input:
  n: { type: integer, default: 0 }
data: { total: 0 }
start: a
states:
  a:
    do: [ { set: { total: "={{ input.n }}" } } ]
    next: b
  b:
    do: [ { set: { total: "={{ data.total + 1 }}" } } ]
    next: c
  c: { final: true }
`;

const PARENT = `version: 1
name: fan
data: { items: [] }
start: run
states:
  run:
    do:
      - set: { items: "={{ [1..${ITEMS}] }}" }
      - map:
          items: "={{ data.items }}"
          do: { call: { task: ./step3.task.yaml, input: { n: "={{ item }}" } } }
        as: results
    next: done
  done: { final: true }
`;

export async function benchFanout(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-fanout-'));
  try {
    const childFile = path.join(dir, 'step3.task.yaml');
    fs.writeFileSync(childFile, CHILD);
    const child = { model: parseTask(CHILD).model, file: childFile };
    const parent = { model: parseTask(PARENT).model, file: path.join(dir, 'fan.task.yaml') };
    const loadTask = () => child;
    const mapRates: number[] = [];
    const directRates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const engine = createEngine({ store: memoryStore(), clock: virtualClock(), loadTask });
      let t0 = performance.now();
      const final = await engine.start(parent).done;
      mapRates.push(ITEMS / ((performance.now() - t0) / 1000));
      if (final.status !== 'succeeded' || (final.data.results as unknown[]).length !== ITEMS) throw new Error(`fan-out benchmark run ended ${final.status}: ${final.error?.message}`);
      const direct = createEngine({ store: memoryStore(), clock: virtualClock(), loadTask });
      t0 = performance.now();
      await Promise.all(Array.from({ length: ITEMS }, (_, n) => direct.start(child, { input: { n } }).done));
      directRates.push(ITEMS / ((performance.now() - t0) / 1000));
    }
    const a = median(mapRates);
    const b = median(directRates);
    row(`map of ${ITEMS} calls of a 3-state task (memory)`, `${Math.round(a).toLocaleString('en')} items/s`, `${Math.round(b).toLocaleString('en')} runs/s`, a / b, '≥ 0.5× the runs alone', a / b >= 0.5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchFanout().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
