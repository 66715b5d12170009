// Task files for the REST tests, written to a temporary folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GREET = `version: 1
name: greet
description: Greets someone
input:
  name: { type: string, default: world }
  times: { type: integer, default: 1 }
start: hello
states:
  hello:
    do:
      - set: { greeting: "Hello, {{ input.name }}!" }
    next: done
  done: { final: true }
`;

/** Waits for the event `go` (ok must be true) or gives up after an hour. */
export const WAIT = `version: 1
name: wait
start: waiting
states:
  waiting:
    do:
      - log: "waiting for go"
    on:
      - to: done
        event: go
        when: "event.data.ok = true"
      - to: expired
        after: 1h
  done:
    do:
      - set: { by: "={{ event.data.by }}" }
    next: finished
  finished: { final: true }
  expired: { final: true, status: failed }
`;

export const BROKEN = `version: 1
name: broken
start: nowhere
states:
  first:
    on:
      - to: missing
`;

/** Scheduled once a year (1 January, 03:00), so that no tick falls within a test. */
export const NIGHTLY = `version: 1
name: nightly
schedule:
  - cron: "0 3 1 1 *"
start: done
states:
  done: { final: true }
`;

export function tasksFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-rest-'));
  fs.writeFileSync(path.join(dir, 'greet.task.yaml'), GREET);
  fs.writeFileSync(path.join(dir, 'wait.task.yaml'), WAIT);
  fs.writeFileSync(path.join(dir, 'broken.task.yaml'), BROKEN);
  return dir;
}
