// Breakpoints of a debug session, as the runtime sees them: line breakpoints mapped to the element
// that owns the line (see engine/model/locate.ts), function breakpoints by state name, their
// conditions, hit counts and log messages. Nothing here knows the Debug Adapter Protocol.
import { compileExpression, type Evaluated } from '../expr/expression';
import { MASK } from '../expr/taint';
import { keyOf, type LocatedFile } from '../model/locate';

const TASK_FILE = /\.task\.ya?ml$/i;

export interface LineBreakpointSpec {
  /** 0-based. */
  line: number;
  /** 0-based; picks among elements written on one line (flow style). */
  column?: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface FunctionBreakpointSpec {
  /** A state name, or `task.state` to pick the state of one task. */
  name: string;
  condition?: string;
  hitCondition?: string;
}

export interface BreakpointResult {
  id: number;
  verified: boolean;
  file?: string;
  /** 0-based: the line of the element the breakpoint stands for. */
  line?: number;
  message?: string;
}

export interface Breakpoint {
  readonly id: number;
  /** `state:NAME`, `instruction:NAME:I`, … for a line breakpoint of a known file. */
  key?: string;
  file?: string;
  /** For a function breakpoint. */
  name?: string;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
  spec: LineBreakpointSpec | FunctionBreakpointSpec;
  result: BreakpointResult;
}

/** `5`, `=5`, `==5` (the 5th hit), `>5`, `>=5`, `<5`, `<=5`, `%5` (every 5th). */
const HIT = /^\s*(==?|>=?|<=?|%)?\s*(\d+)\s*$/;

export function hitConditionProblem(text: string): string | undefined {
  return HIT.test(text) ? undefined : `Hit count '${text}' is not understood: use a number (the Nth hit), '>= N', '> N', '< N', '<= N' or '% N' (every Nth).`;
}

export function hitConditionMet(text: string, hits: number): boolean {
  const m = HIT.exec(text);
  if (!m) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return hits > n;
    case '>=':
      return hits >= n;
    case '<':
      return hits < n;
    case '<=':
      return hits <= n;
    case '%':
      return n > 0 && hits % n === 0;
    default:
      return hits === n;
  }
}

/** A logpoint's message with each `{expression}` replaced by its value (`{{` and `}}` stand for braces). */
export async function interpolate(message: string, evaluate: (source: string) => Promise<Evaluated>): Promise<string> {
  let out = '';
  let i = 0;
  while (i < message.length) {
    const c = message[i];
    if ((c === '{' || c === '}') && message[i + 1] === c) {
      out += c;
      i += 2;
      continue;
    }
    if (c !== '{') {
      out += c;
      i++;
      continue;
    }
    const end = message.indexOf('}', i + 1);
    if (end < 0) {
      out += message.slice(i);
      break;
    }
    const expr = message.slice(i + 1, end).trim();
    try {
      const { value: v, secret } = await evaluate(expr);
      out += secret ? MASK : v === undefined ? 'undefined' : typeof v === 'string' ? v : JSON.stringify(v);
    } catch (err) {
      out += `<${(err as Error).message}>`;
    }
    i = end + 1;
  }
  return out;
}

/** A line or column that cannot be in a file (negative, fractional, unsafe); messages count from 1 as editors do. */
function positionProblem(spec: LineBreakpointSpec): string | undefined {
  if (!Number.isInteger(spec.line) || spec.line < 0) return `Line ${spec.line + 1} is not a line of the file: a line is a whole number from 1.`;
  if (spec.column !== undefined && (!Number.isInteger(spec.column) || spec.column < 0)) return `Column ${spec.column + 1} is not a column of the line: a column is a whole number from 1.`;
  return undefined;
}

function conditionProblem(condition: string | undefined): string | undefined {
  if (!condition?.trim()) return undefined;
  try {
    compileExpression(condition);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export class Breakpoints {
  private nextId = 1;
  private readonly byFile = new Map<string, Breakpoint[]>();
  /** file -> element key -> breakpoints. */
  private readonly index = new Map<string, Map<string, Breakpoint[]>>();
  private functions: Breakpoint[] = [];

  constructor(private readonly known: (file: string) => LocatedFile | undefined, private readonly describeKnown: () => string) {}

  /** Replaces the line breakpoints of a file. */
  setLines(file: string, specs: readonly LineBreakpointSpec[]): BreakpointResult[] {
    const bps = specs.map((spec) => this.verifyLine(file, { id: this.nextId++, file, spec, condition: spec.condition?.trim() || undefined, hitCondition: spec.hitCondition?.trim() || undefined, logMessage: spec.logMessage, hits: 0, result: { id: 0, verified: false } }));
    this.byFile.set(file, bps);
    this.reindex(file);
    return bps.map((b) => b.result);
  }

  /** Verifies a file's breakpoints again (the file became known, or changed); returns the results. */
  refresh(file: string): BreakpointResult[] {
    const bps = this.byFile.get(file) ?? [];
    for (const b of bps) this.verifyLine(file, b);
    this.reindex(file);
    return bps.map((b) => b.result);
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  setFunctions(specs: readonly FunctionBreakpointSpec[], states: (name: string) => boolean): BreakpointResult[] {
    this.functions = specs.map((spec) => {
      const b: Breakpoint = { id: this.nextId++, name: spec.name.trim(), spec, condition: spec.condition?.trim() || undefined, hitCondition: spec.hitCondition?.trim() || undefined, hits: 0, result: { id: 0, verified: false } };
      const problem = conditionProblem(b.condition) ?? (b.hitCondition ? hitConditionProblem(b.hitCondition) : undefined);
      const found = states(b.name!);
      b.result = { id: b.id, verified: !problem && found, message: problem ?? (found ? undefined : `No state '${b.name}' in ${this.describeKnown()}.`) };
      return b;
    });
    return this.functions.map((b) => b.result);
  }

  /** Line breakpoints on an element of a file. */
  at(file: string | undefined, key: string): readonly Breakpoint[] {
    if (!file) return [];
    return this.index.get(file)?.get(key) ?? [];
  }

  /** Function breakpoints on a state of a task. */
  functionsFor(state: string, task: string | undefined): readonly Breakpoint[] {
    if (this.functions.length === 0) return [];
    return this.functions.filter((b) => b.result.verified && (b.name === state || (task !== undefined && b.name === `${task}.${state}`)));
  }

  hasAny(): boolean {
    return this.index.size > 0 || this.functions.length > 0;
  }

  resetHits(): void {
    for (const list of this.byFile.values()) for (const b of list) b.hits = 0;
    for (const b of this.functions) b.hits = 0;
  }

  private verifyLine(file: string, b: Breakpoint): Breakpoint {
    const spec = b.spec as LineBreakpointSpec;
    const located = this.known(file);
    b.key = undefined;
    if (!located) {
      // VS Code offers breakpoints in every YAML file (contributes.breakpoints is per language), so
      // a breakpoint in an ordinary YAML file must say it is ignored, not look like a session problem.
      const message = TASK_FILE.test(file)
        ? `Not part of this debug session: breakpoints work in ${this.describeKnown()}.`
        : 'Not a task file: Stepwise breakpoints apply only to *.task.yaml files.';
      b.result = { id: b.id, verified: false, file, line: spec.line, message };
      return b;
    }
    const problem = positionProblem(spec);
    if (problem) {
      b.result = { id: b.id, verified: false, file, message: problem };
      return b;
    }
    const element = located.lines.at(spec.line, spec.column);
    if (!element) {
      b.result = { id: b.id, verified: false, file, line: spec.line, message: 'No step here: put the breakpoint on a state, an instruction, a transition or a catch entry.' };
      return b;
    }
    const expressionProblem = conditionProblem(b.condition) ?? (b.hitCondition ? hitConditionProblem(b.hitCondition) : undefined);
    b.key = expressionProblem ? undefined : keyOf(element);
    b.result = { id: b.id, verified: !expressionProblem, file, line: element.line, message: expressionProblem };
    return b;
  }

  private reindex(file: string): void {
    const map = new Map<string, Breakpoint[]>();
    for (const b of this.byFile.get(file) ?? []) {
      if (!b.key) continue;
      const list = map.get(b.key);
      if (list) list.push(b);
      else map.set(b.key, [b]);
    }
    if (map.size) this.index.set(file, map);
    else this.index.delete(file);
  }
}
