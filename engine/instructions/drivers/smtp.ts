// The `smtp` instruction's use of nodemailer, in a bundle of its own (scripts/build.mjs) that only a
// task with an `smtp` instruction loads. It throws plain errors: this bundle has its own copy of any
// class it imports.
import nodemailer from 'nodemailer';

export interface SmtpServer {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
}

export interface Mail {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string;
  subject?: string;
  text?: string;
  html?: string;
  headers: Record<string, string>;
}

export interface SmtpResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

const TIMEOUT_MS = 30_000;

/** Sends one mail over a connection of its own, closed when the mail is sent or the signal aborts. */
export async function sendMail(server: SmtpServer, mail: Mail, signal: AbortSignal): Promise<SmtpResult> {
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.secure,
    auth: server.user !== undefined ? { user: server.user, pass: server.password ?? '' } : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({ ...mail, signal });
    const address = (a: unknown) => (typeof a === 'string' ? a : (a as { address: string }).address);
    return { messageId: info.messageId, accepted: info.accepted.map(address), rejected: info.rejected.map(address) };
  } finally {
    transport.close();
  }
}
