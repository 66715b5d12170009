import * as path from 'node:path';
import { argsObject, InstructionFailure, type InstructionHandler } from './types';

/** A unary gRPC call described by a `.proto` file. Result: the response message. */
export const grpc: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'grpc');
  const fail = (message: string): never => {
    throw new InstructionFailure('grpc', message);
  };
  if (typeof a.address !== 'string' || !a.address) fail(`grpc needs an 'address' (host:port), from a secret such as "{{ secrets.BILLING_ADDRESS }}".`);
  if (typeof a.proto !== 'string' || !a.proto) fail("grpc needs a 'proto': the .proto file, relative to the task file.");
  if (typeof a.service !== 'string' || !a.service) fail("grpc needs a 'service': its full name with the package, such as billing.v1.Invoices.");
  if (typeof a.method !== 'string' || !a.method) fail("grpc needs a 'method' of the service.");
  if (a.request !== undefined && (!a.request || typeof a.request !== 'object' || Array.isArray(a.request))) fail("grpc 'request' must be a mapping: the request message's fields.");
  if (a.metadata !== undefined && (!a.metadata || typeof a.metadata !== 'object' || Array.isArray(a.metadata))) fail("grpc 'metadata' must be a mapping: name -> value.");
  const call = {
    address: a.address as string,
    proto: path.resolve(ctx.baseDir, a.proto as string),
    service: a.service as string,
    method: a.method as string,
    request: (a.request as Record<string, unknown> | undefined) ?? {},
    metadata: Object.fromEntries(Object.entries((a.metadata as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
    tls: a.tls === true,
  };
  // Required here: other tasks never load gRPC (see drivers/grpc.ts).
  const { unaryCall } = require('./drivers/grpc') as typeof import('./drivers/grpc');
  try {
    return await unaryCall(call, ctx.signal);
  } catch (err) {
    throw new InstructionFailure('grpc', (err as Error).message);
  }
};
