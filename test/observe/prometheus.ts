// A strict reader of the Prometheus text exposition format (0.0.4) for the tests: every line must
// be a HELP, a TYPE or a sample, every sample's family declared by a TYPE before it.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function splitLabels(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) {
      current += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (current) parts.push(current);
  return parts;
}

export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const where = `line ${i + 1} ${JSON.stringify(line)}`;
    if (line.startsWith('# HELP ')) return;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!TYPES.has(type)) throw new Error(`unknown type at ${where}`);
      types.set(name, type);
      return;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment at ${where}`);
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample: ${where}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    if (!types.has(m[1]) && !types.has(family)) throw new Error(`sample of an undeclared family at ${where}`);
    const labels: Record<string, string> = {};
    for (const part of splitLabels(m[2] ?? '')) {
      const l = LABEL.exec(part);
      if (!l) throw new Error(`bad label ${JSON.stringify(part)} at ${where}`);
      labels[l[1]] = l[2];
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value at ${where}`);
    samples.push({ name: m[1], labels, value });
  });
  return { samples, types };
}

/** The value of the one sample of `name` whose labels include `labels` (0 when there is none). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}
