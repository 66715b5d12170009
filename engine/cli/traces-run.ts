// Traces for `stepwise run`, in a bundle of its own (dist/traces-run.js) that the CLI loads only
// when the OTEL_* variables ask for traces, so that other runs start without OpenTelemetry.
export { tracingFromEnv } from '../observe/traces';
