// A webview's DOM as a person sees it, for tests in the extension host. The code-server harness
// (test/vscode-harness/webview-probe.mjs) drives the browser that shows the workbench; through its
// loopback address (STEPWISE_WEBVIEW_PROBE) a test reads a webview's DOM and clicks or drags in it
// with the real mouse. Hosts without it (test-electron) cannot reach a webview's DOM: the tests
// that need it fail and say so rather than pass without looking.
import { waitFor } from './helpers';

export class WebviewDom {
  /** `title`: the webview document's title (the graph editor's is the task file's base name). */
  constructor(readonly title: string) {}

  private async request<T>(body: Record<string, unknown>): Promise<T> {
    const url = process.env.STEPWISE_WEBVIEW_PROBE;
    if (!url) throw new Error("This test reads a webview's DOM, which needs the code-server harness: run it with npm run test:vscode.");
    const response = await fetch(`${url}/webview`, { method: 'POST', body: JSON.stringify({ title: this.title, ...body }) });
    const answer = (await response.json()) as { value?: T; error?: string };
    if (!response.ok || answer.error) throw new Error(`webview '${this.title}': ${answer.error ?? response.status}`);
    return answer.value as T;
  }

  /** The value of a JavaScript expression evaluated in the webview's page. */
  evaluate<T>(expression: string): Promise<T> {
    return this.request<T>({ action: 'evaluate', expression });
  }

  /** A real mouse click on the first element matching `selector`. */
  async click(selector: string, options: { button?: 'right'; clickCount?: number } = {}): Promise<void> {
    await this.request({ action: 'click', selector, ...options });
  }

  /** Presses the mouse on `from`, moves it in steps to `to` and releases it there. */
  async drag(from: string, to: string): Promise<void> {
    await this.request({ action: 'drag', from, to });
  }

  /** Types `text` into the element matching `selector`, one key every `delay` ms. */
  async type(selector: string, text: string, delay = 10): Promise<void> {
    await this.request({ action: 'type', selector, text, delay });
  }

  /** Presses a key (e.g. 'Escape', 'Delete', 'Control+z') where the keyboard focus is. */
  async press(key: string): Promise<void> {
    await this.request({ action: 'press', key });
  }

  /** Sets the size of the browser window that shows the workbench. */
  async viewport(width: number, height: number): Promise<void> {
    await this.request({ action: 'viewport', width, height });
  }

  /** A screenshot of the workbench into `file` (under the project's .scratch/). */
  async screenshot(file: string): Promise<string> {
    return this.request<string>({ action: 'screenshot', file });
  }

  /** Finds a state with the toolbar's search, as a person brings a state that is out of sight into
   * view (the canvas never scrolls): Enter selects and centres it, Escape leaves the search box. */
  async find(state: string): Promise<void> {
    await this.click('.sw-search');
    await this.type('.sw-search', state);
    const selected = `document.querySelector(${JSON.stringify(`${nodeSelector(state)}.selected`)})`;
    await waitFor(`Find to select ${state}`, async () => {
      if (await this.evaluate<boolean>(`!!${selected}`)) return true;
      await this.press('Enter');
      return undefined;
    });
    await this.press('Escape');
  }

  /** Waits until the expression is truthy in the webview; returns its value. */
  waitFor<T>(what: string, expression: string, ms = 30_000): Promise<T> {
    return waitFor(what, async () => (await this.evaluate<T>(expression)) || undefined, ms);
  }

  /** The classes of the element matching `selector` ([] when there is none). */
  async classes(selector: string): Promise<string[]> {
    return this.evaluate<string[]>(`[...(document.querySelector(${JSON.stringify(selector)})?.classList ?? [])]`);
  }
}

/** The selector of a state's node on the graph. */
export function nodeSelector(state: string): string {
  return `.react-flow__node[data-id=${JSON.stringify(state)}]`;
}

/** The selector of a transition's edge (`list` `on` or `catch`, the model's index). */
export function edgeSelector(state: string, index: number, list: 'on' | 'catch' = 'on'): string {
  return `.react-flow__edge[data-testid=${JSON.stringify(`rf__edge-${list}:${index}:${state}`)}]`;
}
