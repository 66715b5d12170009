// `emit` on PostgreSQL reaches every run that waits for the event, wherever it is: released runs
// through their inboxes at once, and runs held by a worker (another one, or another family of the
// same one) through a notification their worker answers by writing to their inboxes. Each emit has
// an id and each inbox entry's id derives from it and the run, so a run released while the event
// travels, reached both ways, gets the event once.
import { randomUUID } from 'node:crypto';
import type { Pool } from '../store/postgres/db';

export const EMIT_CHANNEL = 'stepwise_emit';
/** Below PostgreSQL's 8000-byte NOTIFY limit. */
const EMIT_PAYLOAD_MAX = 7900;

/** What a worker hears of an emit; without `data` when it was too large for the notification. */
export interface EmitNotice {
  emitId: string;
  from: string;
  name: string;
  data?: unknown;
}

/** Delivers an event run `from` emitted to the released runs and tells the workers of the others. */
export async function broadcastEmit(pool: Pool, from: string, name: string, data: unknown): Promise<void> {
  const emitId = randomUUID();
  const json = JSON.stringify(data ?? null);
  await deliverToReleased(pool, emitId, from, name, json);
  const full = JSON.stringify({ emitId, from, name, data: data ?? null });
  // NOTIFY payloads stop at 8000 bytes: a larger event is read from the emitter's journal.
  const payload = Buffer.byteLength(full) <= EMIT_PAYLOAD_MAX ? full : JSON.stringify({ emitId, from, name });
  await pool.query('SELECT pg_notify($1, $2)', [EMIT_CHANNEL, payload]);
}

/** The notice in a notification's payload; undefined when it is not one. */
export function parseEmit(payload: string): EmitNotice | undefined {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

/** Writes the event to the inboxes of `targets`, runs a worker holds that wait for it. */
export async function deliverToHeld(pool: Pool, m: EmitNotice, targets: string[]): Promise<void> {
  let json: string;
  if ('data' in m) json = JSON.stringify(m.data ?? null);
  else {
    const r = await pool.query<{ data: unknown }>(
      `SELECT x.event->'data' AS data FROM journal j CROSS JOIN LATERAL jsonb_array_elements(j.events) WITH ORDINALITY AS x(event, n)
        WHERE j.run_id = $1 AND x.event->>'type' = 'emitted' AND x.event->>'event' = $2 ORDER BY j.seq DESC, x.n DESC LIMIT 1`,
      [m.from, m.name],
    );
    json = JSON.stringify(r.rows[0]?.data ?? null);
  }
  if (targets.length) {
    await pool.query(
      `WITH ins AS (INSERT INTO inbox (id, run_id, name, data)
                    SELECT md5($1::text || ':' || t)::uuid, t, $3, $4::jsonb FROM unnest($2::text[]) AS t
                     WHERE EXISTS (SELECT 1 FROM runs WHERE id = t AND ended_at IS NULL)
                    ON CONFLICT (id) DO NOTHING RETURNING run_id),
            woken AS (UPDATE runs SET next_due_at = now() FROM ins
                       WHERE runs.id = ins.run_id AND runs.lease_owner IS NULL AND runs.status = 'running' RETURNING runs.id)
       SELECT pg_notify('stepwise_inbox', run_id) FROM ins
       UNION ALL SELECT pg_notify('stepwise_wake', id) FROM woken`,
      [m.emitId, targets, m.name, json],
    );
  }
  // A run released between the emitter's delivery and now was in neither place: look again.
  await deliverToReleased(pool, m.emitId, m.from, m.name, json);
}

async function deliverToReleased(pool: Pool, emitId: string, from: string, name: string, json: string): Promise<void> {
  await pool.query(
    `WITH targets AS (
       SELECT id FROM runs WHERE ended_at IS NULL AND status = 'running' AND lease_owner IS NULL
          AND $2 = ANY(waiting_events) AND id <> $1 ORDER BY id FOR UPDATE),
     ins AS (INSERT INTO inbox (id, run_id, name, data)
             SELECT md5($4::text || ':' || id)::uuid, id, $2, $3::jsonb FROM targets ON CONFLICT (id) DO NOTHING RETURNING run_id),
     upd AS (UPDATE runs SET next_due_at = now() FROM ins WHERE runs.id = ins.run_id RETURNING runs.id)
     SELECT pg_notify('stepwise_wake', id) FROM upd`,
    [from, name, json, emitId],
  );
}
