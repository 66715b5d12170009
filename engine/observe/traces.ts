// OpenTelemetry traces of runs: a span per run (per process that executes it), per state entered
// and per instruction or fan-out branch, built from the journal as it is written, so that a span
// says only what the journal says (never a secret). Off unless the standard OTEL_* variables ask
// for an OTLP exporter; the `traceparent` of an instruction's span goes out with its `http` call.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapSetter, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator, getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { BranchTag, JournalEvent, RunError } from '../journal/events';
import { tracesWanted } from './wanted';
import type { InstructionSite, ObservedRun, RunObserver } from './observer';

export interface Tracing {
  readonly observer: RunObserver;
  /** Sends the spans still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/** Traces as the environment configures them, or undefined when it does not ask for them. */
export function tracingFromEnv(version: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!tracesWanted(env)) return undefined;
  // The trace SDK leaves the batch settings to its caller; these are the standard variables.
  const processor = new BatchSpanProcessor({
    exporter: new OTLPTraceExporter(),
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
  });
  const resource = resourceFromAttributes({ 'service.name': getStringFromEnv('OTEL_SERVICE_NAME') ?? 'stepwise', 'service.version': version }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new TracerProvider({ resource, spanProcessors: [processor] });
  return { observer: runTracer(provider.getTracer('stepwise', version)), shutdown: () => provider.shutdown() };
}

interface RunSpans {
  run: Span;
  state?: Span;
  /** Spans of the instructions and branches in flight, by site key. */
  steps: Map<string, Span>;
}

const propagator = new W3CTraceContextPropagator();

function siteKey(state: string, index: number, tag: BranchTag = {}): string {
  return tag.branch !== undefined ? `${state}/${index}/b:${tag.branch}` : tag.item !== undefined ? `${state}/${index}/i:${tag.item}` : `${state}/${index}`;
}

function fail(span: Span, error: RunError): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttribute('stepwise.error.kind', error.kind);
}

/** The journal observer that turns a run's entries into spans of `tracer`. */
export function runTracer(tracer: Tracer): RunObserver {
  const runs = new Map<string, RunSpans>();

  const open = (run: ObservedRun, recovered: boolean): RunSpans => {
    let spans = runs.get(run.id);
    if (spans) return spans;
    // A called run is a child of the `call` in its parent when the parent runs in this process.
    const parent = run.parentRunId ? runs.get(run.parentRunId) : undefined;
    const parentContext: Context = parent ? trace.setSpan(ROOT_CONTEXT, [...parent.steps.values()].at(-1) ?? parent.state ?? parent.run) : ROOT_CONTEXT;
    const span = tracer.startSpan(
      `run ${run.task}`,
      { kind: SpanKind.INTERNAL, attributes: { 'stepwise.run.id': run.id, 'stepwise.task': run.task, 'stepwise.run.recovered': recovered, ...(run.parentRunId ? { 'stepwise.run.parent': run.parentRunId } : {}) } },
      parentContext,
    );
    spans = { run: span, steps: new Map() };
    runs.set(run.id, spans);
    return spans;
  };

  const under = (spans: RunSpans): Context => trace.setSpan(ROOT_CONTEXT, spans.state ?? spans.run);

  const endRun = (runId: string, end: (spans: RunSpans) => void): void => {
    const spans = runs.get(runId);
    if (!spans) return;
    runs.delete(runId);
    for (const s of spans.steps.values()) s.end();
    spans.state?.end();
    end(spans);
    spans.run.end();
  };

  const startStep = (spans: RunSpans, key: string, name: string, kind: string, attributes: Record<string, string | number>): void => {
    spans.steps.get(key)?.end();
    spans.steps.set(key, tracer.startSpan(name, { kind: kind === 'http' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: { 'stepwise.instruction.kind': kind, ...attributes } }, under(spans)));
  };

  const endStep = (spans: RunSpans, key: string, error?: RunError): void => {
    const span = spans.steps.get(key);
    if (!span) return;
    spans.steps.delete(key);
    if (error) fail(span, error);
    span.end();
  };

  const journal = (run: ObservedRun, e: JournalEvent): void => {
    if (e.type === 'run-ended') {
      endRun(run.id, (spans) => {
        spans.run.setAttribute('stepwise.run.status', e.status);
        if (e.error) fail(spans.run, e.error);
      });
      return;
    }
    const spans = open(run, e.type !== 'run-started');
    switch (e.type) {
      case 'state-entered':
        spans.state?.end();
        spans.state = tracer.startSpan(`state ${e.state}`, { attributes: { 'stepwise.state': e.state } }, trace.setSpan(ROOT_CONTEXT, spans.run));
        break;
      case 'instruction-started':
        startStep(spans, siteKey(e.state, e.index), `${e.kind} ${e.state}[${e.index}]`, e.kind, { 'stepwise.instruction.index': e.index, 'stepwise.instruction.attempt': e.attempt });
        break;
      case 'instruction-finished':
        endStep(spans, siteKey(e.state, e.index));
        break;
      case 'instruction-failed':
        endStep(spans, siteKey(e.state, e.index), e.error);
        break;
      case 'branch-started': {
        const tag = { branch: e.branch, item: e.item };
        const label = e.branch !== undefined ? e.branch : `item ${e.item}`;
        startStep(spans, siteKey(e.state, e.index, tag), `${e.kind} ${e.state} › ${label}`, e.kind, {
          'stepwise.instruction.index': e.index,
          'stepwise.instruction.attempt': e.attempt,
          ...(e.branch !== undefined ? { 'stepwise.branch': e.branch } : { 'stepwise.item': e.item ?? -1 }),
        });
        break;
      }
      case 'branch-finished':
        endStep(spans, siteKey(e.state, e.index, e));
        break;
      case 'branch-failed':
        endStep(spans, siteKey(e.state, e.index, e), e.error);
        break;
      case 'branch-cancelled':
        endStep(spans, siteKey(e.state, e.index, e), { kind: 'cancelled', message: 'a sibling branch failed' });
        break;
      case 'transition-taken':
        (spans.state ?? spans.run).addEvent('transition', { 'stepwise.transition.to': e.to, 'stepwise.transition.cause': e.cause, 'stepwise.transition.index': e.index });
        break;
      case 'poll-result':
        (spans.state ?? spans.run).addEvent('poll', { 'stepwise.poll.attempt': e.attempt, 'stepwise.poll.done': e.done });
        break;
      case 'event-received':
        (spans.state ?? spans.run).addEvent('event', { 'stepwise.event': e.name });
        break;
      case 'message-received':
        (spans.state ?? spans.run).addEvent('message', { 'stepwise.message.subject': e.subject });
        break;
      case 'run-paused':
      case 'run-resumed':
        spans.run.addEvent(e.type === 'run-paused' ? 'paused' : 'resumed');
        break;
    }
  };

  const headers = (site: InstructionSite): Record<string, string> => {
    const spans = runs.get(site.runId);
    const span = spans?.steps.get(siteKey(site.state, site.index, site)) ?? spans?.steps.get(siteKey(site.state, site.index));
    if (!span) return {};
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return carrier;
  };

  // A run this process stops executing without an end (released while it waits, its lease lost):
  // its spans end here; whoever continues it opens a run span of its own.
  const left = (runId: string): void => endRun(runId, (spans) => spans.run.setAttribute('stepwise.run.left', true));

  return { journal, headers, left };
}
