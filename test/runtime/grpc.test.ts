// The `grpc` instruction against a real grpc-js server on 127.0.0.1, the service described by a
// .proto file next to the task: the request and metadata the server gets, the response as the
// result, a failing status, an unknown method, and a timeout that cancels the call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createEngine } from '../../engine/runtime/engine';
import { MASK } from '../../engine/runtime/redact';
import { ofType, rmDir, runToEnd, taskFrom, tmpDir, virtualEngine } from '../helpers/tasks';

const PROTO = `
syntax = "proto3";
package billing.v1;

service Invoices {
  rpc GetInvoice (GetInvoiceRequest) returns (Invoice);
  rpc Hang (GetInvoiceRequest) returns (Invoice);
}

message GetInvoiceRequest { string id = 1; }

enum State { STATE_UNSPECIFIED = 0; OPEN = 1; PAID = 2; }

message Invoice {
  string id = 1;
  int64 total_cents = 2;
  State state = 3;
  repeated string lines = 4;
  string seen_token = 5;
}
`;

const TOKEN = 'grpc-s3cr3t-7070';
let dir: string;
let server: grpc.Server;
let address = '';
const cancelled: string[] = [];

before(async () => {
  dir = tmpDir('stepwise-grpc-');
  fs.writeFileSync(path.join(dir, 'billing.proto'), PROTO);
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(path.join(dir, 'billing.proto'), { keepCase: true })) as unknown as { billing: { v1: { Invoices: grpc.ServiceClientConstructor } } };
  server = new grpc.Server();
  server.addService(pkg.billing.v1.Invoices.service, {
    GetInvoice(call: grpc.ServerUnaryCall<{ id: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      if (call.request.id === 'missing') return callback({ code: grpc.status.NOT_FOUND, details: 'no invoice missing' });
      const auth = String(call.metadata.get('authorization')[0] ?? '');
      callback(null, { id: call.request.id, total_cents: '9007199254740993', state: 'PAID', lines: ['a', 'b'], seen_token: auth });
    },
    Hang(call: grpc.ServerUnaryCall<{ id: string }, unknown>) {
      call.on('cancelled', () => cancelled.push(call.request.id));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  address = `127.0.0.1:${port}`;
});

after(() => {
  server.forceShutdown();
  rmDir(dir);
});

function grpcTask(args: string, extra = '', service = 'billing.v1.Invoices'): ReturnType<typeof taskFrom> {
  return taskFrom(
    `
    version: 1
    name: billing
    start: a
    states:
      a:
        do:
          - grpc:
              address: "{{ secrets.BILLING_ADDRESS }}"
              proto: ./billing.proto
              service: ${service}
              ${args}
            as: out
            ${extra}
        next: done
        catch:
          - { to: viaGrpc, error: grpc }
          - { to: viaTimeout, error: timeout }
      done: { final: true }
      viaGrpc: { final: true, status: failed }
      viaTimeout: { final: true, status: failed }
  `,
    path.join(dir, 'billing.task.yaml'),
  );
}

const secrets = () => ({ BILLING_ADDRESS: address, TOKEN });

describe('grpc', () => {
  test('calls a unary method from the .proto next to the task; the response is the result, as JSON', async () => {
    const { engine } = virtualEngine({ secrets: secrets() });
    const { state, journal } = await runToEnd(engine, grpcTask(`method: GetInvoice
              request: { id: inv-42 }
              metadata: { authorization: "Bearer {{ secrets.TOKEN }}" }`));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const out = state.data.out as Record<string, unknown>;
    assert.deepEqual({ ...out, seen_token: undefined }, { id: 'inv-42', total_cents: '9007199254740993', state: 'PAID', lines: ['a', 'b'], seen_token: undefined });
    // The server got the metadata in clear; the journaled response that echoes it is masked.
    assert.equal(out.seen_token, `Bearer ${MASK}`);
    assert.ok(!JSON.stringify(journal).includes(TOKEN));
  });

  test('a failing status fails with kind grpc, its name and details', async () => {
    const { engine } = virtualEngine({ secrets: secrets() });
    const { state, journal } = await runToEnd(engine, grpcTask(`method: GetInvoice
              request: { id: missing }`));
    assert.equal(state.state, 'viaGrpc');
    assert.match(ofType(journal, 'instruction-failed')[0].error.message, /billing\.v1\.Invoices\/GetInvoice failed: NOT_FOUND: no invoice missing/);
  });

  test('an unknown service or method names what the .proto has', async () => {
    const { engine } = virtualEngine({ secrets: secrets() });
    const method = await runToEnd(engine, grpcTask('method: GetInvoices'));
    assert.match(ofType(method.journal, 'instruction-failed')[0].error.message, /no method 'GetInvoices'; it has: GetInvoice, Hang\./);
    const service = await runToEnd(engine, grpcTask('method: GetInvoice', '', 'billing.Invoices'));
    assert.match(ofType(service.journal, 'instruction-failed')[0].error.message, /has no service 'billing\.Invoices'; it has: billing\.v1\.Invoices\./);
  });

  test('a timeout cancels the call on the server', async () => {
    const engine = createEngine({ secrets: secrets() });
    const { state } = await runToEnd(engine, grpcTask(`method: Hang
              request: { id: hang-1 }`, 'timeout: 300ms'));
    assert.equal(state.state, 'viaTimeout');
    const deadline = Date.now() + 10_000;
    while (!cancelled.includes('hang-1')) {
      if (Date.now() > deadline) throw new Error('the server never saw the call cancelled');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
