// Prometheus metrics of a server process (prom-client), read from the journal as it is written.
// Counters count what this process saw; `stepwise_runs_waiting` asks the store, so every process
// of a PostgreSQL deployment reports the same figure (aggregate it with max, not sum).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JournalEvent } from '../journal/events';
import type { ObservedRun, ServerObserver } from './observer';

export interface Metrics {
  readonly observer: ServerObserver;
  /** The text a scrape gets, and its content type. */
  scrape(): Promise<{ contentType: string; text: string }>;
  /** How late a schedule's tick started its run, in seconds. */
  scheduleLag(task: string, seconds: number): void;
}

export interface MetricsOptions {
  /** Runs waiting for a timer, a poll or an event, as the store knows them. */
  waiting?: () => Promise<number>;
}

// Instructions run from milliseconds (a `set`) to hours (a deploy behind an `http`).
const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  // The standard process_* and nodejs_* names, which existing dashboards read.
  collectDefaultMetrics({ register: registry });
  const started = new Counter({ name: 'stepwise_runs_started_total', help: 'Runs started, by task.', labelNames: ['task'], registers: [registry] });
  const ended = new Counter({ name: 'stepwise_runs_ended_total', help: 'Runs ended, by task and final status.', labelNames: ['task', 'status'], registers: [registry] });
  const steps = new Histogram({
    name: 'stepwise_instruction_duration_seconds',
    help: 'Time from the start of an instruction (or of a fan-out branch) to its result or error, by task, kind and outcome.',
    labelNames: ['task', 'kind', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const transitions = new Counter({ name: 'stepwise_transitions_total', help: 'Transitions taken, by task and cause.', labelNames: ['task', 'cause'], registers: [registry] });
  const leasesLost = new Counter({ name: 'stepwise_leases_lost_total', help: 'Runs a worker of this process lost the lease of.', registers: [registry] });
  const takeovers = new Counter({ name: 'stepwise_runs_taken_over_total', help: 'Runs a worker of this process took over after their lease expired.', registers: [registry] });
  const lag = new Histogram({
    name: 'stepwise_schedule_lag_seconds',
    help: 'How late a schedule tick started its run, by task.',
    labelNames: ['task'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  if (options.waiting) {
    const waiting = options.waiting;
    new Gauge({
      name: 'stepwise_runs_waiting',
      help: 'Runs waiting for a timer, a poll or an event.',
      registers: [registry],
      async collect() {
        this.set(await waiting());
      },
    });
  }

  // Start times of the instructions in flight, per run, so that an ended run leaves nothing behind.
  const inFlight = new Map<string, Map<string, number>>();
  const begin = (run: ObservedRun, key: string) => {
    let m = inFlight.get(run.id);
    if (!m) inFlight.set(run.id, (m = new Map()));
    m.set(key, performance.now());
  };
  const finish = (run: ObservedRun, key: string, kind: string, outcome: 'succeeded' | 'failed') => {
    const t0 = inFlight.get(run.id)?.get(key);
    if (t0 === undefined) return;
    inFlight.get(run.id)!.delete(key);
    steps.observe({ task: run.task, kind, outcome }, (performance.now() - t0) / 1000);
  };

  const journal = (run: ObservedRun, e: JournalEvent): void => {
    switch (e.type) {
      case 'run-started':
        started.inc({ task: run.task });
        break;
      case 'instruction-started':
        begin(run, `${e.state}/${e.index}`);
        break;
      case 'instruction-finished':
      case 'instruction-failed':
        finish(run, `${e.state}/${e.index}`, e.kind, e.type === 'instruction-finished' ? 'succeeded' : 'failed');
        break;
      case 'branch-started':
        begin(run, `${e.state}/${e.index}/${e.branch ?? e.item}`);
        break;
      case 'branch-finished':
      case 'branch-failed':
        finish(run, `${e.state}/${e.index}/${e.branch ?? e.item}`, e.kind, e.type === 'branch-finished' ? 'succeeded' : 'failed');
        break;
      case 'transition-taken':
        transitions.inc({ task: run.task, cause: e.cause });
        break;
      case 'run-ended':
        ended.inc({ task: run.task, status: e.status });
        inFlight.delete(run.id);
        break;
    }
  };

  return {
    observer: { journal, leaseLost: () => leasesLost.inc(), takenOver: () => takeovers.inc() },
    async scrape() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
    scheduleLag: (task, seconds) => lag.observe({ task }, seconds),
  };
}
