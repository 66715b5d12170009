// The designer's state in React: one reducer (step.ts) fed synchronously, so that events arriving
// faster than React renders (keys typed 10 ms apart, a click right after a blur) each see the
// state the previous one left, and the edits and messages each event asks for are sent once.
import { useCallback, useRef, useState } from 'react';
import type { WebviewMessage } from '../protocol';
import { INITIAL, step, type DesignerState, type Proposal, type UiEvent } from './step';

export function useDesigner(send: (p: Proposal) => void, post: (m: WebviewMessage) => void): [DesignerState, (e: UiEvent) => void] {
  const current = useRef<DesignerState>(INITIAL);
  const [state, setState] = useState<DesignerState>(INITIAL);
  const effects = useRef({ send, post });
  effects.current = { send, post };
  const dispatch = useCallback((event: UiEvent) => {
    const r = step(current.current, event);
    current.current = r.state;
    setState(r.state);
    for (const p of r.proposals) effects.current.send(p);
    for (const m of r.messages) effects.current.post(m);
  }, []);
  return [state, dispatch];
}
