// Stepwise's own DAP requests: skip a wait, send an event, read a journal, where the run stands,
// Continue Live from a replay.
import { ContinuedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fail, type RequestContext } from './dap-requests';

/** Custom requests: `skipWait`, `sendEvent` {name, data?, runId?}, `journal` {runId?}, `position`. */
export const CUSTOM_REQUESTS = ['skipWait', 'sendEvent', 'journal', 'position', 'continueLive'] as const;

export function customRequest(session: RequestContext, command: string, response: DebugProtocol.Response, args: Record<string, unknown> | undefined): void {
  switch (command) {
    case 'skipWait':
      return session.answer(response, () => {
        session.requireLaunch();
        const r = session.runtime.skipWait();
        session.handles.reset();
        session.sendEvent(new ContinuedEvent(r.thread, false));
        response.body = { skipped: r.skipped, due: new Date(r.due).toISOString() };
      });
    case 'sendEvent':
      return session.answer(response, async () => {
        session.requireLaunch();
        if (typeof args?.name !== 'string' || !args.name) fail("sendEvent needs a 'name' (and optional 'data').");
        response.body = await session.runtime.sendEvent(args.name, args.data, typeof args.runId === 'string' ? args.runId : undefined);
      });
    case 'journal':
      return session.answer(response, async () => {
        session.requireLaunch();
        response.body = { events: await session.runtime.journal(typeof args?.runId === 'string' ? args.runId : undefined) };
      });
    case 'continueLive':
      return session.answer(response, async () => {
        session.requireLaunch();
        session.handles.reset();
        response.body = await session.runtime.continueLive();
      });
    case 'position':
      return session.answer(response, () => {
        session.requireLaunch();
        const stop = session.runtime.stopped;
        response.body = session.runtime.views.currentPosition(stop?.runId);
      });
    default:
      return session.error(response, `Unknown request '${command}'.`);
  }
}
