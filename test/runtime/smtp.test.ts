// The `smtp` instruction against a real SMTP server (smtp-server, by nodemailer's authors) on
// 127.0.0.1: what the server receives, the result, failures, and a timeout that drops the session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createEngine } from '../../engine/runtime/engine';
import { ofType, runToEnd, taskFrom, virtualEngine } from '../helpers/tasks';

const PASSWORD = 'pw-s3cr3t-4471';

interface Received {
  user?: string;
  password?: string;
  from?: string;
  to: string[];
  raw: string;
}

let server: SMTPServer;
let port = 0;
const received: Received[] = [];
/** Sessions the server has closed, by id. */
const closed = new Set<string>();
/** Sessions whose DATA the server holds without answering (a stalled server). */
const stalled = new Set<string>();

before(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, session, callback) {
      if (auth.username === 'mailer' && auth.password === PASSWORD) return callback(null, { user: auth.username });
      callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@nowhere.example')) return callback(new Error(`No such mailbox <${address.address}>`));
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        if (raw.includes('Subject: stall')) {
          stalled.add(session.id);
          return;
        }
        received.push({
          user: session.user as string | undefined,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback(null, 'queued');
      });
    },
    onClose(session) {
      closed.add(session.id);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function mailTask(smtpArgs: string, extra = ''): ReturnType<typeof taskFrom> {
  return taskFrom(`
    version: 1
    name: mail
    input:
      version: { type: string }
    start: a
    states:
      a:
        do:
          - smtp:
              host: "{{ secrets.SMTP_HOST }}"
              port: "={{ $number(secrets.SMTP_PORT) }}"
              user: "{{ secrets.SMTP_USER }}"
              password: "{{ secrets.SMTP_PASSWORD }}"
              ${smtpArgs}
            as: mail
            ${extra}
        next: done
        catch:
          - { to: viaSmtp, error: smtp }
          - { to: viaTimeout, error: timeout }
      done: { final: true }
      viaSmtp: { final: true, status: failed }
      viaTimeout: { final: true, status: failed }
  `);
}

const secrets = () => ({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USER: 'mailer', SMTP_PASSWORD: PASSWORD });

/** The headers and body of a raw message (headers unfolded, names lowercase). */
function parse(raw: string): { headers: Record<string, string>; body: string } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: rest.join('\r\n\r\n') };
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('smtp', () => {
  test('sends a mail with the settings from secrets; the server gets its envelope, headers and body', async () => {
    const { engine } = virtualEngine({ secrets: secrets() });
    const task = mailTask(`from: "Stepwise <robot@example.com>"
              to: [ada@example.com, bob@example.com]
              cc: carol@example.com
              subject: "Release {{ input.version }} is out"
              text: "Version {{ input.version }} is live."
              headers: { X-Run: "{{ run.id }}" }`);
    const { state, journal } = await runToEnd(engine, task, { version: '2.4.0' });
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const mail = received.at(-1)!;
    assert.equal(mail.user, 'mailer');
    assert.equal(mail.from, 'robot@example.com');
    assert.deepEqual(mail.to, ['ada@example.com', 'bob@example.com', 'carol@example.com']);
    const { headers, body } = parse(mail.raw);
    assert.equal(headers.subject, 'Release 2.4.0 is out');
    assert.equal(headers.from, 'Stepwise <robot@example.com>');
    assert.equal(headers.to, 'ada@example.com, bob@example.com');
    assert.equal(headers.cc, 'carol@example.com');
    assert.equal(headers['x-run'], state.runId);
    assert.match(body, /^Version 2\.4\.0 is live\.\r?\n?$/);
    const result = state.data.mail as { messageId: string; accepted: string[]; rejected: string[] };
    assert.equal(result.messageId, headers['message-id']);
    assert.deepEqual(result.accepted, ['ada@example.com', 'bob@example.com', 'carol@example.com']);
    assert.deepEqual(result.rejected, []);
    assert.ok(!JSON.stringify(journal).includes(PASSWORD), 'the password is not journaled');
  });

  test('a refused recipient is in rejected; a mail that no recipient accepts fails with kind smtp', async () => {
    const { engine } = virtualEngine({ secrets: secrets() });
    const some = await runToEnd(engine, mailTask(`from: robot@example.com
              to: [ada@example.com, ghost@nowhere.example]
              subject: hi
              text: hello`));
    assert.equal(some.state.status, 'succeeded', JSON.stringify(some.state.error));
    assert.deepEqual((some.state.data.mail as { rejected: string[] }).rejected, ['ghost@nowhere.example']);
    assert.deepEqual(received.at(-1)!.to, ['ada@example.com']);

    const none = await runToEnd(engine, mailTask(`from: robot@example.com
              to: ghost@nowhere.example
              subject: hi
              text: hello`));
    assert.equal(none.state.state, 'viaSmtp');
    assert.match(ofType(none.journal, 'instruction-failed')[0].error.message, /No such mailbox <ghost@nowhere\.example>/);
  });

  test('a wrong password fails with kind smtp, and the message does not show the password', async () => {
    const { engine } = virtualEngine({ secrets: { ...secrets(), SMTP_PASSWORD: 'wrong-pass-993' } });
    const { state, journal } = await runToEnd(engine, mailTask(`from: robot@example.com
              to: ada@example.com
              subject: hi
              text: hello`));
    assert.equal(state.state, 'viaSmtp');
    const failed = ofType(journal, 'instruction-failed')[0];
    assert.equal(failed.error.kind, 'smtp');
    assert.match(failed.error.message, /Invalid username or password/);
    assert.ok(!JSON.stringify(journal).includes('wrong-pass-993'));
  });

  test('missing fields fail with a message saying what to write', async () => {
    const { engine } = virtualEngine({ secrets: secrets() });
    for (const [args, message] of [
      ['to: ada@example.com\n              subject: hi\n              text: x', /smtp needs a 'from'/],
      ['from: robot@example.com\n              subject: hi\n              text: x', /smtp needs 'to'/],
    ] as const) {
      const { journal } = await runToEnd(engine, mailTask(args));
      assert.match(ofType(journal, 'instruction-failed')[0].error.message, message);
    }
  });

  test('a timeout drops the session with a server that does not answer', async () => {
    const engine = createEngine({ secrets: secrets() });
    const before = new Set(closed);
    const { state } = await runToEnd(engine, mailTask(`from: robot@example.com
              to: ada@example.com
              subject: stall
              text: hello`, 'timeout: 300ms'));
    assert.equal(state.state, 'viaTimeout');
    await waitFor('the stalled session to close', () => [...stalled].some((id) => closed.has(id) && !before.has(id)));
  });
});
