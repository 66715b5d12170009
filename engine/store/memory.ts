// A store that keeps journals in memory: tests, benchmarks and throwaway runs.
import { randomUUID } from 'node:crypto';
import type { JournalEvent } from '../journal/events';
import { UnknownRunError, type InboxEvent, type RunStore } from './store';

export function memoryStore(): RunStore {
  const journals = new Map<string, JournalEvent[]>();
  const inboxes = new Map<string, InboxEvent[]>();
  const watchers = new Map<string, Set<(e: InboxEvent) => void>>();
  const sources = new Map<string, string>();

  const leave = (runId: string, event: InboxEvent): InboxEvent => {
    if (!journals.has(runId)) throw new UnknownRunError(runId);
    let inbox = inboxes.get(runId);
    if (!inbox) inboxes.set(runId, (inbox = []));
    inbox.push(event);
    for (const w of watchers.get(runId) ?? []) w(event);
    return event;
  };

  return {
    async append(runId, events) {
      let journal = journals.get(runId);
      if (!journal) journals.set(runId, (journal = []));
      for (const e of events) journal.push(e);
    },
    async read(runId) {
      const journal = journals.get(runId);
      if (!journal) throw new UnknownRunError(runId);
      return journal.slice();
    },
    async list() {
      return [...journals.keys()];
    },
    async keepSource(s) {
      if (!sources.has(s.hash)) sources.set(s.hash, s.source);
    },
    async readSource(hash) {
      return sources.get(hash);
    },
    async sendEvent(runId, name, data) {
      return leave(runId, { id: randomUUID(), name, data });
    },
    async requestCancel(runId, reason) {
      leave(runId, { id: randomUUID(), name: 'cancel', data: reason, control: 'cancel' });
    },
    watchInbox(runId, onEvent) {
      let set = watchers.get(runId);
      if (!set) watchers.set(runId, (set = new Set()));
      set.add(onEvent);
      for (const e of inboxes.get(runId) ?? []) onEvent(e);
      return () => set.delete(onEvent);
    },
    async close() {
      watchers.clear();
    },
  };
}
