import { brokerConnection } from './publish';
import { argsObject, InstructionFailure, type InstructionHandler } from './types';
import type { BrokerChange, Consumed } from './drivers/nats';

/**
 * Waits for one message on a NATS subject (as long as the instruction's `timeout` allows). Result:
 * `{ subject, data, headers }`.
 */
export const consume: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'consume');
  const connection = brokerConnection(a, 'consume');
  if (typeof a.subject !== 'string' || !a.subject) throw new InstructionFailure('consume', "consume needs a 'subject', such as deploys.* (wildcards allowed).");
  try {
    return await nats().consume(connection, a.subject, ctx.signal);
  } catch (err) {
    throw new InstructionFailure('consume', (err as Error).message);
  }
};

/**
 * The messages on a subject for a `consume` transition (runtime/consume.ts), until `signal` aborts
 * or the reader stops, across broker outages (`onBroker` hears of each); a failure (the first
 * connection, a login refused) is an error of kind `consume`.
 */
export async function* subscribe(connection: string, subject: string, signal: AbortSignal, onBroker: (change: BrokerChange) => void): AsyncGenerator<Consumed> {
  try {
    yield* nats().messages(connection, subject, signal, onBroker);
  } catch (err) {
    throw new InstructionFailure('consume', (err as Error).message);
  }
}

// Required here: other tasks never load the NATS client (see drivers/nats.ts).
function nats(): typeof import('./drivers/nats') {
  return require('./drivers/nats') as typeof import('./drivers/nats');
}
