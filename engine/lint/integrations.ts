// The integration kinds: values go in a `sql`'s `params`, never into its SQL text; credentials come
// from secrets, never written in the task.
import type { Range } from '../model/types';
import type { PathSegment } from '../schema/nodes';
import { rule, type Finding } from './rule';

export const sqlQueryTemplate = rule(
  'sql-query-template',
  'error',
  'A template (`{{ }}`) in the `query` of a `sql` instruction: values belong in `params`, never spliced into SQL.',
  (_model, ctx) => {
    const out: Finding[] = [];
    for (const { ins, path, value } of ctx.instructionsWithBranches()) {
      if (ins.kind !== 'sql') continue;
      const query = ctx.valueIn(value, ['sql', 'query']);
      if (typeof query !== 'string' || !query.includes('{{')) continue;
      out.push({
        message: "The 'query' of a sql instruction holds a template: a value spliced into SQL can change what the SQL does. Write $1, $2 … in the query and put the values in 'params', in order.",
        range: ctx.valueRange([...path, 'sql', 'query'], ins.kindRange),
      });
    }
    return out;
  },
);

/** Fields that hold a credential, by kind; `url` when only a URL's password part is one. */
const CREDENTIALS: Record<string, Array<{ field: string; url: boolean; secret: string }>> = {
  sql: [{ field: 'connection', url: true, secret: 'DB_URL' }],
  smtp: [{ field: 'password', url: false, secret: 'SMTP_PASSWORD' }],
  publish: [{ field: 'connection', url: true, secret: 'NATS_URL' }],
  consume: [{ field: 'connection', url: true, secret: 'NATS_URL' }],
};

export const plainCredential = rule(
  'plain-credential',
  'error',
  'A password written in the task (an `smtp` `password`, a connection URL with `user:password@`, in an instruction or a `consume` transition): it belongs in a secret.',
  (model, ctx) => {
    const out: Finding[] = [];
    const check = (kind: string, args: unknown, path: PathSegment[], fallback: Range) => {
      for (const { field, url, secret } of CREDENTIALS[kind] ?? []) {
        const value = ctx.valueIn(args, [field]);
        if (typeof value !== 'string' || !value || value.includes('{{')) continue;
        if (url && !/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) continue;
        out.push({
          message: `The ${kind} '${field}' holds a password written in the task, where anyone who reads the file (and its history) sees it. Take it from a secret: ${field}: "{{ secrets.${secret} }}".`,
          range: ctx.valueRange([...path, field], fallback),
        });
      }
    };
    for (const { ins, path, value } of ctx.instructionsWithBranches()) if (ins.kind) check(ins.kind, ctx.valueIn(value, [ins.kind]), [...path, ins.kind], ins.kindRange);
    for (const st of model.states) for (const t of st.on) if (t.consume) {
      const path: PathSegment[] = ['states', st.name, 'on', t.index, 'consume'];
      check('consume', ctx.value(path), path, t.consume.range);
    }
    return out;
  },
);
