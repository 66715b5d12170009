// The `grpc` instruction's use of @grpc/grpc-js and @grpc/proto-loader, in a bundle of its own
// (scripts/build.mjs) that only a task with a `grpc` instruction loads. It throws plain errors:
// this bundle has its own copy of any class it imports.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface GrpcCall {
  address: string;
  /** Absolute path of the .proto file. */
  proto: string;
  /** The service's full name, package included (billing.v1.Invoices). */
  service: string;
  method: string;
  request: Record<string, unknown>;
  metadata: Record<string, string>;
  tls: boolean;
}

// Messages as JSON: field names as written in the .proto, 64-bit integers and enums as strings,
// unset fields with their defaults.
const LOAD_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, callback: (err: grpc.ServiceError | null, response: unknown) => void) => grpc.ClientUnaryCall;

/** One unary call over a channel of its own, closed when the call ends or the signal aborts. */
export async function unaryCall(call: GrpcCall, signal: AbortSignal): Promise<unknown> {
  let definition: protoLoader.PackageDefinition;
  try {
    definition = await protoLoader.load(call.proto, LOAD_OPTIONS);
  } catch (err) {
    throw new Error(`could not read ${call.proto}: ${(err as Error).message}`);
  }
  const services = Object.entries(definition).filter(([, d]) => isService(d));
  const service = definition[call.service];
  if (!service || !isService(service)) {
    throw new Error(`${call.proto} has no service '${call.service}'; it has: ${services.map(([n]) => n).join(', ') || 'none'}.`);
  }
  const method = service[call.method];
  if (!method) throw new Error(`service '${call.service}' has no method '${call.method}'; it has: ${Object.keys(service).join(', ')}.`);
  if (method.requestStream || method.responseStream) throw new Error(`'${call.service}.${call.method}' streams; grpc makes unary calls only.`);
  const Client = grpc.makeGenericClientConstructor(service, call.service);
  const client = new Client(call.address, call.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(call.metadata)) metadata.set(k, v);
  try {
    return await new Promise((resolve, reject) => {
      const pending = (client[call.method] as UnaryMethod).call(client, call.request, metadata, (err, response) => {
        if (!err) return resolve(response);
        reject(new Error(`${call.service}/${call.method} failed: ${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`));
      });
      signal.addEventListener('abort', () => pending.cancel(), { once: true });
    });
  } finally {
    client.close();
  }
}

function isService(d: unknown): d is protoLoader.ServiceDefinition {
  return !!d && typeof d === 'object' && !('format' in d) && Object.values(d).every((m) => m && typeof m === 'object' && 'path' in m);
}
