import { argsObject, InstructionFailure, type InstructionHandler } from './types';

/** Publishes a message on a NATS subject. Result: `{ subject }`. */
export const publish: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'publish');
  const connection = brokerConnection(a, 'publish');
  if (typeof a.subject !== 'string' || !a.subject) throw new InstructionFailure('publish', "publish needs a 'subject', such as orders.created.");
  if (a.headers !== undefined && (!a.headers || typeof a.headers !== 'object' || Array.isArray(a.headers))) throw new InstructionFailure('publish', "publish 'headers' must be a mapping: name -> value.");
  const headers = Object.fromEntries(Object.entries((a.headers as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]));
  // Required here: other tasks never load the NATS client (see drivers/nats.ts).
  const nats = require('./drivers/nats') as typeof import('./drivers/nats');
  try {
    return await nats.publish(connection, a.subject, a.data, headers, ctx.signal);
  } catch (err) {
    throw new InstructionFailure('publish', (err as Error).message);
  }
};

/** The NATS URL of `publish` and `consume`. */
export function brokerConnection(a: Record<string, unknown>, kind: string): string {
  if (typeof a.connection !== 'string' || !a.connection) {
    throw new InstructionFailure(kind, `${kind} needs a 'connection': a NATS URL from a secret, such as "{{ secrets.NATS_URL }}".`);
  }
  return a.connection;
}
