import { brokerConnection } from './publish';
import { argsObject, InstructionFailure, type InstructionHandler } from './types';

/**
 * Waits for one message on a NATS subject (as long as the instruction's `timeout` allows). Result:
 * `{ subject, data, headers }`.
 */
export const consume: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'consume');
  const connection = brokerConnection(a, 'consume');
  if (typeof a.subject !== 'string' || !a.subject) throw new InstructionFailure('consume', "consume needs a 'subject', such as deploys.* (wildcards allowed).");
  // Required here: other tasks never load the NATS client (see drivers/nats.ts).
  const nats = require('./drivers/nats') as typeof import('./drivers/nats');
  try {
    return await nats.consume(connection, a.subject, ctx.signal);
  } catch (err) {
    throw new InstructionFailure('consume', (err as Error).message);
  }
};
