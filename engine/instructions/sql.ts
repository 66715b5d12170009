import { argsObject, InstructionFailure, type InstructionHandler } from './types';

/**
 * A PostgreSQL query with its values passed apart (`$1`, `$2` … from `params`), never spliced into
 * the SQL: lint refuses templates in `query`. Result: `{ rows, rowCount }`.
 */
export const sql: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'sql');
  if (typeof a.connection !== 'string' || !a.connection) {
    throw new InstructionFailure('sql', `sql needs a 'connection': a PostgreSQL URL from a secret, such as "{{ secrets.DB_URL }}".`);
  }
  if (typeof a.query !== 'string' || !a.query.trim()) throw new InstructionFailure('sql', "sql needs a 'query' (values as $1, $2 … and in 'params').");
  if (a.params !== undefined && !Array.isArray(a.params)) throw new InstructionFailure('sql', "sql 'params' must be a list: the values of $1, $2 … in order.");
  // Required here: other tasks never load pg (see drivers/sql.ts).
  const { runQuery } = require('./drivers/sql') as typeof import('./drivers/sql');
  try {
    return await runQuery(a.connection, a.query, (a.params as unknown[] | undefined) ?? [], ctx.signal);
  } catch (err) {
    throw new InstructionFailure('sql', (err as Error).message);
  }
};
