import { argsObject, InstructionFailure, type InstructionHandler } from './types';

/** Sends a mail through an SMTP server. Result: `{ messageId, accepted, rejected }`. */
export const smtp: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'smtp');
  const fail = (message: string): never => {
    throw new InstructionFailure('smtp', message);
  };
  if (typeof a.host !== 'string' || !a.host) fail(`smtp needs a 'host': the mail server, from a secret such as "{{ secrets.SMTP_HOST }}".`);
  const secure = a.secure === true;
  const port = a.port === undefined ? (secure ? 465 : 587) : Number(a.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`smtp 'port' must be a port number, not ${JSON.stringify(a.port)}.`);
  if (a.password !== undefined && a.user === undefined) fail("smtp has a 'password' but no 'user'.");
  if (typeof a.from !== 'string' || !a.from) fail("smtp needs a 'from' address.");
  const to = addresses(a.to, 'to');
  if (to.length === 0) fail("smtp needs 'to': an address or a list of addresses.");
  const server = { host: a.host as string, port, secure, user: optional(a.user, 'user'), password: optional(a.password, 'password') };
  const mail = {
    from: a.from as string,
    to,
    cc: addresses(a.cc, 'cc'),
    bcc: addresses(a.bcc, 'bcc'),
    replyTo: optional(a.replyTo, 'replyTo'),
    subject: optional(a.subject, 'subject'),
    text: optional(a.text, 'text'),
    html: optional(a.html, 'html'),
    headers: Object.fromEntries(Object.entries((a.headers as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
  };
  // Required here: other tasks never load nodemailer (see drivers/smtp.ts).
  const { sendMail } = require('./drivers/smtp') as typeof import('./drivers/smtp');
  try {
    return await sendMail(server, mail, ctx.signal);
  } catch (err) {
    const e = err as Error & { response?: string };
    throw new InstructionFailure('smtp', `sending the mail failed: ${e.response ?? e.message}`);
  }
};

function addresses(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const v of list) if (typeof v !== 'string' || !v) throw new InstructionFailure('smtp', `smtp '${field}' must be an address or a list of addresses.`);
  return list as string[];
}

function optional(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new InstructionFailure('smtp', `smtp '${field}' must be text.`);
  return String(value);
}
