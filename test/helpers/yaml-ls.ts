// Red Hat's yaml-language-server (the engine of the YAML extension for VS Code), driven over LSP
// stdio the way that extension drives it: the `yamlValidation` contributions of package.json are
// sent as `json/schemaAssociations`, settings answer `workspace/configuration`. The schemas are
// read from disk by the server itself, so the tests see what a user of that extension sees. A
// schema contributor (the extension's API for them) is asked as that extension asks it: the
// server sends `custom/schema/request` and `custom/schema/content`, which the contributor answers.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SchemaContributor } from '../../extension/core/yamlContributor';

export const ROOT = path.resolve(__dirname, '../../..');

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface LspDiagnostic {
  range: LspRange;
  message: string;
  severity?: number;
  source?: string;
}
export interface LspCompletionItem {
  label: string;
  kind?: number;
  insertText?: string;
  insertTextFormat?: number;
  textEdit?: { newText: string; range: LspRange };
  documentation?: string | { kind: string; value: string };
}

/** The associations package.json contributes, as the YAML extension reads them. */
function schemaAssociations(): Record<string, string[]> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { yamlValidation: Array<{ fileMatch: string[]; url: string }> } };
  const out: Record<string, string[]> = {};
  for (const v of pkg.contributes.yamlValidation) out[pathToFileURL(path.join(ROOT, v.url)).href] = v.fileMatch;
  return out;
}

export class YamlLanguageServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  /** The last diagnostics published per document, and how many times they were published. */
  private readonly diagnostics = new Map<string, { count: number; list: LspDiagnostic[] }>();
  private readonly diagnosticWaiters: Array<() => void> = [];
  private readonly versions = new Map<string, number>();
  private stderr = '';

  private constructor(private readonly contributor?: SchemaContributor) {
    const bin = require.resolve('yaml-language-server/bin/yaml-language-server');
    this.child = spawn(process.execPath, [bin, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`yaml-language-server exited (${code}): ${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  static async start(contributor?: SchemaContributor): Promise<YamlLanguageServer> {
    const ls = new YamlLanguageServer(contributor);
    await ls.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      workspaceFolders: [{ uri: pathToFileURL(ROOT).href, name: 'stepwise' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: {
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    ls.notify('initialized', {});
    ls.notify('json/schemaAssociations', schemaAssociations());
    if (contributor) ls.notify('yaml/registerCustomSchemaRequest', null);
    ls.notify('workspace/didChangeConfiguration', { settings: {} });
    // The association is applied asynchronously: wait until a probe document is validated by it.
    const probe = 'stepwise-probe.task.yaml';
    while (!(await ls.open(probe, 'version: 2\n')).some((d) => /version|Missing property/i.test(d.message))) await ls.nextDiagnostics();
    ls.notify('textDocument/didClose', { textDocument: { uri: pathToFileURL(path.resolve(ROOT, probe)).href } });
    return ls;
  }

  /** Resolves when the server next publishes diagnostics (for any document). */
  private nextDiagnostics(): Promise<void> {
    return new Promise((resolve) => {
      const waiter = () => {
        this.diagnosticWaiters.splice(this.diagnosticWaiters.indexOf(waiter), 1);
        resolve();
      };
      this.diagnosticWaiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    await exited;
  }

  /** Opens (or replaces) a document and returns the diagnostics published for that version. */
  async open(file: string, text: string): Promise<LspDiagnostic[]> {
    const uri = pathToFileURL(path.resolve(ROOT, file)).href;
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const published = this.diagnostics.get(uri)?.count ?? 0;
    if (version === 1) this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
    else this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return this.diagnosticsAfter(uri, published);
  }

  async completion(file: string, position: LspPosition): Promise<LspCompletionItem[]> {
    const uri = pathToFileURL(path.resolve(ROOT, file)).href;
    const result = (await this.request('textDocument/completion', { textDocument: { uri }, position })) as { items: LspCompletionItem[] } | LspCompletionItem[] | null;
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  async hover(file: string, position: LspPosition): Promise<string> {
    const uri = pathToFileURL(path.resolve(ROOT, file)).href;
    const result = (await this.request('textDocument/hover', { textDocument: { uri }, position })) as { contents: { value: string } | string } | null;
    if (!result) return '';
    return typeof result.contents === 'string' ? result.contents : result.contents.value;
  }

  /** The diagnostics of the next publication for a document (the server does not say the version). */
  private diagnosticsAfter(uri: string, published: number): Promise<LspDiagnostic[]> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const d = this.diagnostics.get(uri);
        if (!d || d.count <= published) return false;
        resolve(d.list);
        return true;
      };
      if (check()) return;
      const waiter = () => {
        if (check()) this.diagnosticWaiters.splice(this.diagnosticWaiters.indexOf(waiter), 1);
      };
      this.diagnosticWaiters.push(waiter);
    });
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(JSON.parse(body) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } });
    }
  }

  private answerSchemaRequest(contributor: SchemaContributor, id: number, method: string, params: unknown): void {
    const arg = String(Array.isArray(params) ? params[0] : params);
    const answer = method === 'custom/schema/request' ? Promise.resolve(contributor.requestSchema(arg) ?? null) : contributor.requestSchemaContent(arg);
    answer.then(
      (result) => this.send({ jsonrpc: '2.0', id, result }),
      (err: Error) => this.send({ jsonrpc: '2.0', id, error: { code: -32603, message: err.message } }),
    );
  }

  private handle(msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } }): void {
    if (msg.method === undefined && msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
      return;
    }
    if (msg.method === 'workspace/configuration') {
      // The YAML extension's defaults: validation, hovers and completion on; no schemas by setting.
      const items = (msg.params as { items: Array<{ section: string }> }).items;
      const answer = items.map((i) => (i.section === 'yaml' ? { validate: true, hover: true, completion: true, format: { enable: false } } : null));
      this.send({ jsonrpc: '2.0', id: msg.id, result: answer });
      return;
    }
    if (msg.id !== undefined && (msg.method === 'custom/schema/request' || msg.method === 'custom/schema/content') && this.contributor) {
      this.answerSchemaRequest(this.contributor, msg.id, msg.method, msg.params);
      return;
    }
    if (msg.id !== undefined && msg.method) {
      this.send({ jsonrpc: '2.0', id: msg.id, result: null });
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics') {
      const p = msg.params as { uri: string; diagnostics: LspDiagnostic[] };
      this.diagnostics.set(p.uri, { count: (this.diagnostics.get(p.uri)?.count ?? 0) + 1, list: p.diagnostics });
      for (const w of [...this.diagnosticWaiters]) w();
    }
  }
}
