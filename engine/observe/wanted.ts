// Whether traces are asked for, readable without loading OpenTelemetry (the CLI checks it at start).

/** Whether the OTEL_* variables ask for traces over OTLP (the only exporter Stepwise has). */
export function tracesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim().toLowerCase());
  if (exporters.includes('none')) return false;
  return exporters.includes('otlp') || !!env.OTEL_EXPORTER_OTLP_ENDPOINT || !!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
}
