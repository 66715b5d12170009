// A test page for the built webview bundle (dist/webview) in headless Chromium, with a fake host:
// `acquireVsCodeApi` is a stub that records what the webview posts, and a host in Node that does
// what the extension will do — apply edit operations with engine/edit to its text (undo and redo them), lint, and send
// the new document back. The page is served over HTTP with the real CSP of webview/html.ts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { applyEdits, editTask } from '../../engine/edit/index';
import { lintText } from '../../engine/lint/index';
import { webviewHtml } from '../../webview/html';
import { outlineOf, type GraphViewState, type HostMessage, type WebviewMessage } from '../../webview/protocol';
import { THEMES, type TestTheme } from './themes';

function findRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'webview', 'protocol.ts'))) return dir;
  }
  return process.cwd();
}

export const ROOT = findRoot();
const DIST = path.join(ROOT, 'dist', 'webview');

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumPath(): string | undefined {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (p && fs.existsSync(p)) return p;
  return undefined;
}

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/webview when it is missing or older than webview/ (or engine/edit, model). */
export function ensureBuilt(): void {
  const main = path.join(DIST, 'main.js');
  const sources = Math.max(newest(path.join(ROOT, 'webview')), newest(path.join(ROOT, 'engine', 'model')));
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= sources) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-webview.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface TestEnv {
  browser: Browser;
  origin: string;
  close(): Promise<void>;
}

export async function startEnv(): Promise<TestEnv> {
  ensureBuilt();
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const nonce = url.searchParams.get('nonce') ?? 'test-nonce-0123456789';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(webviewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css`, title: 'test' }));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = path.join(DIST, path.basename(url.pathname));
    if (!fs.existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  return {
    browser,
    origin,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface OpenOptions {
  text: string;
  fileName?: string;
  theme?: TestTheme;
  viewState?: GraphViewState;
  breakpoints?: string[];
  width?: number;
  height?: number;
  /** Apply edits and send the new document back (default true). */
  autoApply?: boolean;
  /** Send the document when the webview is ready (default true). */
  autoDocument?: boolean;
}

export class FakeHost {
  readonly messages: WebviewMessage[] = [];
  readonly errors: string[] = [];
  readonly breakpoints: Set<string>;
  version = 1;
  text: string;
  autoApply: boolean;
  viewState: GraphViewState | undefined;
  /** The texts before each applied edit, and those undone (VS Code's undo stack, one step per edit). */
  private undoStack: string[] = [];
  private redoStack: string[] = [];
  private waiters: Array<{ pred: (m: WebviewMessage) => boolean; resolve: (m: WebviewMessage) => void }> = [];

  constructor(
    readonly page: Page,
    private readonly options: OpenOptions,
  ) {
    this.text = options.text;
    this.autoApply = options.autoApply ?? true;
    this.breakpoints = new Set(options.breakpoints ?? []);
    this.viewState = options.viewState;
  }

  get uri(): string {
    return `file:///work/${this.options.fileName ?? 'test.task.yaml'}`;
  }

  async send(message: HostMessage): Promise<void> {
    await this.page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'), message as unknown as Record<string, unknown>);
  }

  async sendDocument(): Promise<void> {
    const { model, diagnostics } = lintText(this.text);
    await this.send({ type: 'document', uri: this.uri, fileName: this.options.fileName ?? 'test.task.yaml', version: this.version, text: this.text, model: outlineOf(model), diagnostics });
  }

  /** A text edit made beside the graph (as a text editor would). */
  async setText(text: string): Promise<void> {
    this.text = text;
    this.version++;
    await this.sendDocument();
  }

  async receive(m: WebviewMessage): Promise<void> {
    this.messages.push(m);
    for (const w of [...this.waiters]) {
      if (w.pred(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
    switch (m.type) {
      case 'ready':
        if (this.viewState) await this.send({ type: 'viewState', state: this.viewState });
        await this.send({ type: 'breakpoints', states: [...this.breakpoints] });
        if (this.options.autoDocument !== false) await this.sendDocument();
        break;
      case 'edit': {
        if (!this.autoApply) break;
        const r = editTask(this.text, m.operation);
        if (!r.error) {
          this.undoStack.push(this.text);
          this.redoStack = [];
          this.text = applyEdits(this.text, r.edits);
          this.version++;
          await this.sendDocument();
        }
        await this.send({ type: 'editResult', id: m.id, error: r.error, references: r.references, state: r.state });
        break;
      }
      case 'undo':
      case 'redo': {
        const [from, to] = m.type === 'undo' ? [this.undoStack, this.redoStack] : [this.redoStack, this.undoStack];
        const text = from.pop();
        if (text === undefined) break;
        to.push(this.text);
        await this.setText(text);
        break;
      }
      case 'toggleBreakpoint':
        if (this.breakpoints.has(m.state)) this.breakpoints.delete(m.state);
        else this.breakpoints.add(m.state);
        await this.send({ type: 'breakpoints', states: [...this.breakpoints] });
        break;
      case 'viewState':
        this.viewState = m.state;
        break;
      case 'log':
        if (m.level === 'error') this.errors.push(m.message);
        break;
    }
  }

  /** Messages before this index have been consumed by waitFor. */
  private cursor = 0;

  /**
   * Resolves with the first matching message not consumed yet (already received, or to come);
   * the messages before it are consumed too.
   */
  waitFor<T extends WebviewMessage['type']>(type: T, pred: (m: Extract<WebviewMessage, { type: T }>) => boolean = () => true, timeout = 15000): Promise<Extract<WebviewMessage, { type: T }>> {
    const match = (m: WebviewMessage) => m.type === type && pred(m as Extract<WebviewMessage, { type: T }>);
    for (let i = this.cursor; i < this.messages.length; i++) {
      if (match(this.messages[i])) {
        this.cursor = i + 1;
        return Promise.resolve(this.messages[i] as Extract<WebviewMessage, { type: T }>);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${type}' message within ${timeout} ms; got ${JSON.stringify(this.messages.slice(this.cursor).slice(-6))}`)), timeout);
      this.waiters.push({
        pred: match,
        resolve: (m) => {
          clearTimeout(timer);
          this.cursor = this.messages.indexOf(m) + 1;
          resolve(m as Extract<WebviewMessage, { type: T }>);
        },
      });
    });
  }

  edits(): Array<Extract<WebviewMessage, { type: 'edit' }>> {
    return this.messages.filter((m): m is Extract<WebviewMessage, { type: 'edit' }> => m.type === 'edit');
  }

  async waitForNodes(count: number, timeout = 10000): Promise<void> {
    await this.page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('.react-flow__node').length === n, count, { timeout });
  }

  /**
   * Selects a state with Find (which also brings it into view), then leaves the search box. Enter
   * finds only once the search holds the typed query, so it is pressed again until the state is
   * selected.
   */
  async find(name: string): Promise<void> {
    const page = this.page;
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('Control+f');
    await page.keyboard.type(name);
    const selected = page.locator(`.react-flow__node[data-id="${name}"] .sw-node.sw-selected`);
    for (let i = 0; i < 50 && !(await selected.count()); i++) {
      await page.keyboard.press('Enter');
      await selected.waitFor({ timeout: 200 }).catch(() => undefined);
    }
    await selected.waitFor({ timeout: 1000 });
    await page.keyboard.press('Escape');
  }

  /** Waits until ELK's layout (not the quick one) is on screen and nothing is pending. */
  async waitForLayout(timeout = 30000): Promise<void> {
    // ELK's picture is in, and the view was fitted to it (data-fitted counts the fits after the
    // first paint's): nothing moves under the mouse after this.
    const settled = '.sw-canvas[data-busy="false"]:is([data-layout="worker"], [data-layout="merged"])[data-fitted]:not([data-fitted="0"])';
    await this.page.waitForSelector(settled, { timeout });
    // Quiet for a while (no layout started since): the picture will not move under the mouse.
    for (let i = 0; i < 20; i++) {
      await this.page.waitForTimeout(200);
      if (await this.page.locator(settled).count()) return;
      await this.page.waitForSelector(settled, { timeout });
    }
  }
}

export async function openEditor(env: TestEnv, options: OpenOptions): Promise<FakeHost> {
  const context = await env.browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const host = new FakeHost(page, options);
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') host.errors.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => host.errors.push(`page error: ${err.message}`));
  await page.exposeFunction('__stepwiseToHost', (json: string) => host.receive(JSON.parse(json) as WebviewMessage));
  const theme = THEMES[options.theme ?? 'dark'];
  await page.addInitScript((t: { vars: Record<string, string>; bodyClass: string; kind: string }) => {
    const g = globalThis as unknown as Record<string, unknown> & { document: any; MutationObserver: any };
    let state: unknown;
    g.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => (g.__stepwiseToHost as (s: string) => void)(JSON.stringify(m)),
      getState: () => state,
      setState: (s: unknown) => {
        state = s;
      },
    });
    // VS Code puts the theme's variables on <html> and a class on <body>; the page's own script
    // runs at the end of <body>, so both are in place before it.
    let vars = false;
    const apply = () => {
      const root = g.document.documentElement;
      if (root && !vars) {
        vars = true;
        for (const [k, v] of Object.entries(t.vars)) root.style.setProperty(`--vscode-${k}`, v);
      }
      if (g.document.body) {
        g.document.body.className = t.bodyClass;
        g.document.body.setAttribute('data-vscode-theme-kind', t.kind);
        return true;
      }
      return false;
    };
    if (!apply()) {
      const obs = new g.MutationObserver(() => {
        if (apply()) obs.disconnect();
      });
      obs.observe(g.document, { childList: true, subtree: true });
    }
  }, theme);
  const ready = host.waitFor('ready', () => true, 15000);
  await page.goto(`${env.origin}/index.html`);
  await ready;
  return host;
}

/** Sets the theme on a running page the way VS Code does (variables, then the body class). */
export async function setTheme(page: Page, theme: TestTheme): Promise<void> {
  const t = THEMES[theme];
  await page.evaluate((x: { vars: Record<string, string>; bodyClass: string; kind: string }) => {
    const g = globalThis as unknown as { document: any };
    const root = g.document.documentElement;
    for (let i = root.style.length - 1; i >= 0; i--) {
      const name = root.style[i];
      if (name.startsWith('--vscode-')) root.style.removeProperty(name);
    }
    for (const [k, v] of Object.entries(x.vars)) root.style.setProperty(`--vscode-${k}`, v);
    g.document.body.className = x.bodyClass;
    g.document.body.setAttribute('data-vscode-theme-kind', x.kind);
  }, t);
}

export function readSample(name: string): string {
  return fs.readFileSync(path.join(ROOT, 'samples', name), 'utf8');
}
