// Instructions: result names (`as`) and instruction kinds.
import type { Fix, InstructionModel } from '../model/types';
import { BUILTIN_KINDS } from '../schema/validate';
import { nearest } from '../schema/suggest';
import { replaceScalar } from '../schema/yamltext';
import { rule, type Finding } from './rule';

export const duplicateAs = rule('duplicate-as', 'error', 'Two instructions of one state store their result under the same `as` name.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of ctx.states.values()) {
    const first = new Map<string, InstructionModel>();
    const used = new Set(s.do.map((i) => i.as).filter((a): a is string => a !== undefined));
    for (const ins of s.do) {
      if (ins.as === undefined || !ins.fields.as) continue;
      const earlier = first.get(ins.as);
      if (!earlier) {
        first.set(ins.as, ins);
        continue;
      }
      let n = 2;
      while (used.has(`${ins.as}_${n}`)) n++;
      const rename = `${ins.as}_${n}`;
      used.add(rename);
      let fix: Fix | undefined;
      const node = ctx.node([...ctx.instructionPath(s, ins), 'as'])?.node;
      const edit = node ? replaceScalar(node, rename) : undefined;
      if (edit) fix = { title: `Rename to '${rename}'`, edits: [edit] };
      out.push({
        message: `'as: ${ins.as}' is already used by instruction ${earlier.index} of state '${s.name}': this result would overwrite data.${ins.as}. Give it another name.`,
        range: ins.fields.as.value,
        fix,
      });
    }
  }
  return out;
});

export const unknownKind = rule(
  'unknown-kind',
  'warning',
  'An instruction kind that is not built in and looks like a misspelt built-in kind (or, when the registered kinds are known, is not registered).',
  (_model, ctx) => {
    const plugins = ctx.options.plugins?.map((k) => k.kind);
    const registered = ctx.options.customKinds || plugins ? [...(ctx.options.customKinds ?? []), ...(plugins ?? [])] : undefined;
    const out: Finding[] = [];
    for (const { ins, path } of ctx.instructions()) {
      const kind = ins.kind;
      if (!kind || (BUILTIN_KINDS as readonly string[]).includes(kind) || registered?.includes(kind)) continue;
      const suggestion = nearest(kind, BUILTIN_KINDS, { maxDistance: kind.length <= 4 ? 1 : 2, prefix: false });
      if (!suggestion && !registered) continue; // a custom kind of an embedding program
      let message = `'${kind}' is not a built-in instruction kind`;
      const near = suggestion ?? (plugins ? nearest(kind, plugins, { maxDistance: kind.length <= 4 ? 1 : 2, prefix: false }) : undefined);
      message += near
        ? `: did you mean '${near}'? (A custom kind must be registered with the engine or come from a plugin of stepwise.config.json.)`
        : ` and no plugin of the workspace's stepwise.config.json or registered custom kind is named '${kind}'.`;
      let fix: Fix | undefined;
      const key = ctx.node([...path, kind])?.key;
      const edit = near && key ? replaceScalar(key, near) : undefined;
      if (edit) fix = { title: `Change to '${near}'`, edits: [edit] };
      out.push({ message, range: ins.kindRange, fix });
    }
    return out;
  },
);
