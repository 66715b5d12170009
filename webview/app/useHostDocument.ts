// What the host tells the graph: the document (and the last one whose YAML could be read), the
// stored view state, breakpoints, the debugger's picture, test coverage, the instruction kinds
// offered, selections made in the text, the results of edits and commands. Each is state here; the
// designer reducer hears of documents and selections.
import { useCallback, useEffect, useRef, useState } from 'react';
import { BUILTIN_OFFER } from '../../engine/graph/kinds';
import { asPanels, isBrokenYaml, type DebugView, type DocumentMessage, type GraphViewState, type HostMessage, type KindOffer, type WebviewMessage } from '../protocol';

/** The host's latest `coverage` message. */
export type CoverageState = Omit<Extract<HostMessage, { type: 'coverage' }>, 'type'>;
import type { Selection } from '../designer/step';

export interface Toast {
  kind: 'error' | 'warning' | 'info';
  message: string;
}

export interface HostHandlers {
  select(selection: Selection): void;
  /** An edit was refused (`error`) or applied (`state`: what to select once the document has it). */
  editResult(m: Extract<HostMessage, { type: 'editResult' }>): void;
  command(command: string): void;
}

export function useHostDocument(post: (m: WebviewMessage) => void, initialView: GraphViewState, handlers: HostHandlers) {
  const [doc, setDoc] = useState<DocumentMessage | null>(null);
  const [good, setGood] = useState<DocumentMessage | null>(null);
  const [view, setView] = useState<GraphViewState>(initialView);
  const [breakpoints, setBreakpoints] = useState<Set<string>>(new Set());
  const [debug, setDebug] = useState<DebugView>();
  const [coverage, setCoverage] = useState<CoverageState>({ available: false, coverage: null });
  const [toast, setToast] = useState<Toast | null>(null);
  const [kinds, setKinds] = useState<KindOffer>(BUILTIN_OFFER);
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const m = e.data as HostMessage;
      if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
      switch (m.type) {
        case 'document':
          setDoc(m);
          if (!isBrokenYaml(m.diagnostics)) setGood(m);
          break;
        case 'viewState':
          setView({ pins: { ...m.state.pins }, direction: m.state.direction === 'RIGHT' ? 'RIGHT' : 'DOWN', panels: asPanels(m.state.panels) });
          break;
        case 'breakpoints':
          setBreakpoints(new Set(m.states));
          break;
        case 'debug':
          setDebug(m.debug);
          break;
        case 'coverage':
          setCoverage({ available: m.available, coverage: m.coverage });
          break;
        case 'kinds':
          setKinds(m.offer);
          break;
        case 'select':
          latest.current.select(m.transition ? { kind: 'edge', id: `${m.transition.list}:${m.transition.index}:${m.transition.state}` } : m.state ? { kind: 'state', id: m.state } : null);
          break;
        case 'editResult':
          if (m.error) setToast({ kind: 'error', message: m.error });
          else if (m.references?.length) {
            const where = m.references.map((r) => (r.kind === 'start' ? 'start' : `${r.state} (${r.kind === 'catch' ? 'catch' : 'transition'} ${r.index + 1})`));
            setToast({ kind: 'warning', message: `The state is deleted; ${m.references.length} reference${m.references.length > 1 ? 's' : ''} to it remain${m.references.length > 1 ? '' : 's'}: ${where.join(', ')}. They are marked on the graph.` });
          }
          latest.current.editResult(m);
          break;
        case 'command':
          latest.current.command(m.command);
          break;
        case 'theme':
          break;
      }
    };
    window.addEventListener('message', onMessage);
    post({ type: 'ready' });
    return () => window.removeEventListener('message', onMessage);
  }, [post]);

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), toast.kind === 'error' ? 10000 : 8000);
    return () => clearTimeout(t);
  }, [toast]);

  const saveView = useCallback(
    (next: GraphViewState) => {
      setView(next);
      post({ type: 'viewState', state: next });
    },
    [post],
  );

  return { doc, good, view, saveView, breakpoints, setBreakpoints, debug, coverage, toast, setToast, kinds };
}
