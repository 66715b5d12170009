// The messages between the graph editor's webview and the extension host, defined once and
// imported by both sides. The TextDocument is the only truth: the host sends the document (text,
// parsed model, diagnostics) whenever it changes; the webview only proposes edits (operation
// objects of engine/edit), which the host turns into text edits with `editTask` and applies.
// Types only (plus small guards): no `vscode`, no DOM, no React.
import type { EditOperation, StateReference, TransitionList } from '../engine/edit/types';
import type { Diagnostic } from '../engine/model/types';
import type { DebugView, LayoutDirection, Point, TaskOutline, TransitionKey } from '../engine/graph/types';
import type { GraphCoverage } from '../engine/graph/coverage';
import type { KindOffer } from '../engine/graph/kinds';

export type { EditOperation, StateReference, TransitionList } from '../engine/edit/types';
export type { GraphCoverage } from '../engine/graph/coverage';
export type { KindGroup, KindOffer, OfferedKind } from '../engine/graph/kinds';

/** VS Code's theme kinds (the webview also reads the body class VS Code sets: `vscode-dark`, …). */
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export type { Box, CatchOutline, DebugView, FanoutOutline, FanoutRun, InstructionOutline, LaneStatus, LayoutDirection, Point, ShownRun, StateOutline, StateRunInfo, TaskOutline, TransitionKey, TransitionOutline } from '../engine/graph/types';
export { outlineOf } from '../engine/graph/types';

/**
 * What the graph keeps per file outside the task YAML (never written into it): the positions of
 * the nodes the user dragged (pins) and the layout direction. The host stores it (e.g. in the
 * workspace state, keyed by the document's URI) and sends it back when the file is opened again.
 */
export interface GraphViewState {
  pins: Record<string, Point>;
  direction: LayoutDirection;
  /** Which panels are shown; one choice for the whole workspace, not per file (absent: all). */
  panels?: GraphPanels;
}

export interface GraphPanels {
  minimap: boolean;
  inspector: boolean;
  palette: boolean;
}

/**
 * `panels` when it holds booleans, else undefined (the host stores what a webview sends). A choice
 * stored before the palette could be hidden shows it.
 */
export function asPanels(value: unknown): GraphPanels | undefined {
  const p = value as Partial<GraphPanels> | null | undefined;
  if (!p || typeof p !== 'object' || typeof p.minimap !== 'boolean' || typeof p.inspector !== 'boolean') return undefined;
  return { minimap: p.minimap, inspector: p.inspector, palette: typeof p.palette === 'boolean' ? p.palette : true };
}

// ------------------------------------------------------------------ host -> webview

export interface DocumentMessage {
  type: 'document';
  uri: string;
  /** The file's base name (shown in the empty state and the title). */
  fileName: string;
  /** The TextDocument's version: edits proposed on an older one may be refused. */
  version: number;
  text: string;
  /** `outlineOf(lintText(text).model)` (a TaskModel is accepted too, but is much larger to post). */
  model: TaskOutline;
  /** `lintText(text).diagnostics`: YAML errors among them make the graph keep its last good picture. */
  diagnostics: Diagnostic[];
  /** True when the document cannot be edited (e.g. a read-only file system): editing is turned off. */
  readOnly?: boolean;
}

export type HostMessage =
  | DocumentMessage
  /** The pins and layout direction stored for this file (sent once, before or after the first document). */
  | { type: 'viewState'; state: GraphViewState }
  | { type: 'theme'; kind: ThemeKind }
  /**
   * The instruction kinds the palette and inspector offer for this document: the built-in ones and
   * its plugins' (sent after `ready` and whenever the plugins change; until then, the built-in ones).
   */
  | { type: 'kinds'; offer: KindOffer }
  /** The states that have a breakpoint (the same VS Code breakpoints as the ones at their lines). */
  | { type: 'breakpoints'; states: string[] }
  | { type: 'debug'; debug: DebugView }
  /**
   * The file's coverage from the Test Explorer's latest Coverage run: `available` when there is
   * one; `coverage` when the graph is asked to paint it (toolbar or command), else null.
   */
  | { type: 'coverage'; available: boolean; coverage: GraphCoverage | null }
  /** The cursor moved in a text editor of this document: select this state (or transition). */
  | { type: 'select'; state?: string; transition?: TransitionKey }
  /** The answer to an `edit`: an error to show, the references a deleted state left, what to select. */
  | { type: 'editResult'; id: number; error?: string; references?: StateReference[]; state?: string }
  /** A command run from VS Code (editor title, palette, keybinding) that the webview carries out. */
  | { type: 'command'; command: WebviewCommand };

export type WebviewCommand = 'addState' | 'fitView' | 'relayout' | 'find' | 'toggleDirection' | 'exportGraph';

// ------------------------------------------------------------------ webview -> host

export type WebviewMessage =
  /** The webview has loaded and listens: send the document, view state, breakpoints, debug state. */
  | { type: 'ready' }
  /** Apply this operation to the document whose version is `version` (one undo step). */
  | { type: 'edit'; id: number; version: number; operation: EditOperation; label?: string }
  /** Show this state (and element) in a text editor beside the graph. */
  | { type: 'reveal'; state: string; element?: { kind: 'transition' | 'catch' | 'instruction'; index: number }; focus?: boolean }
  /** Toggle the VS Code breakpoint at this state's line. */
  | { type: 'toggleBreakpoint'; state: string }
  /** The pins or the layout direction changed: store them for this file. */
  | { type: 'viewState'; state: GraphViewState }
  /** Ctrl/Cmd+Z and Ctrl/Cmd+Y (or Shift+Z) on the canvas: run VS Code's undo/redo on the document. */
  | { type: 'undo' }
  | { type: 'redo' }
  /** Open the YAML in a text editor beside the graph. */
  | { type: 'openText' }
  /** A lane of a parallel/map that calls a task was clicked: open that task's graph (`task` as written in the `call`). */
  | { type: 'openTask'; task: string }
  /** The toolbar's Coverage toggle: paint the file's test coverage on the graph, or stop. */
  | { type: 'showCoverage'; show: boolean }
  /** The graph drawn for Export (the toolbar's button, or the host's `exportGraph` command): write both files. */
  | { type: 'export'; svg: string; png: string }
  /** A message for the extension's log (webview errors, layout fallbacks). */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type WebviewMessageType = WebviewMessage['type'];

/** How an exported PNG starts (a data: URL of base64 bytes). */
export const PNG_DATA_URL = 'data:image/png;base64,';

const WEBVIEW_TYPES: ReadonlySet<string> = new Set<WebviewMessageType>(['ready', 'edit', 'reveal', 'toggleBreakpoint', 'viewState', 'undo', 'redo', 'openText', 'openTask', 'showCoverage', 'export', 'log']);

/**
 * Checks a message posted by the webview before the host acts on it (the webview runs untrusted
 * content's projection; never trust its shape). Returns the message, or undefined.
 */
export function asWebviewMessage(data: unknown): WebviewMessage | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const m = data as Record<string, unknown>;
  if (typeof m.type !== 'string' || !WEBVIEW_TYPES.has(m.type)) return undefined;
  switch (m.type) {
    case 'edit':
      return typeof m.id === 'number' && typeof m.version === 'number' && !!m.operation && typeof m.operation === 'object' && typeof (m.operation as { type?: unknown }).type === 'string' ? (m as unknown as WebviewMessage) : undefined;
    case 'reveal':
    case 'toggleBreakpoint':
      return typeof m.state === 'string' ? (m as unknown as WebviewMessage) : undefined;
    case 'viewState': {
      const s = m.state as Partial<GraphViewState> | undefined;
      return s && typeof s === 'object' && s.pins && typeof s.pins === 'object' && (s.direction === 'DOWN' || s.direction === 'RIGHT') ? (m as unknown as WebviewMessage) : undefined;
    }
    case 'log':
      return typeof m.message === 'string' ? (m as unknown as WebviewMessage) : undefined;
    case 'openTask':
      return typeof m.task === 'string' && m.task.length > 0 ? (m as unknown as WebviewMessage) : undefined;
    case 'showCoverage':
      return typeof m.show === 'boolean' ? (m as unknown as WebviewMessage) : undefined;
    case 'export':
      return typeof m.svg === 'string' && m.svg.startsWith('<svg') && typeof m.png === 'string' && m.png.startsWith(PNG_DATA_URL) ? (m as unknown as WebviewMessage) : undefined;
    default:
      return m as unknown as WebviewMessage;
  }
}

/** True when the diagnostics say the YAML could not be read (the graph then keeps its last good picture). */
export function isBrokenYaml(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.code === 'yaml-syntax' && d.severity === 'error');
}

export const DEFAULT_VIEW_STATE: GraphViewState = { pins: {}, direction: 'DOWN' };
