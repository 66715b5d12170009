// Schedule claims on PostgreSQL (tables of migration 4): a tick is claimed by inserting its row,
// and the primary key lets one insert through however many servers try at once.
import type { Pool } from '../store/postgres/db';
import type { ScheduleClaims, ScheduleKey, ScheduleState } from './claims';

interface StateRow {
  spec: string;
  since: Date;
  paused: boolean;
}

const toState = (r: StateRow): ScheduleState => ({ spec: r.spec, since: r.since.getTime(), paused: r.paused });

// A changed spec starts the schedule afresh; the same spec keeps its row as it is.
const STATE_SQL = `
INSERT INTO schedules (task, idx, spec, since) VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000))
ON CONFLICT (task, idx) DO UPDATE SET spec = EXCLUDED.spec, since = EXCLUDED.since, paused = false
  WHERE schedules.spec <> EXCLUDED.spec`;

export function pgClaims(pool: Pool): ScheduleClaims {
  const state = async (key: ScheduleKey, spec: string, now: number): Promise<ScheduleState> => {
    await pool.query(STATE_SQL, [key.task, key.index, spec, now]);
    const r = await pool.query<StateRow>('SELECT spec, since, paused FROM schedules WHERE task = $1 AND idx = $2', [key.task, key.index]);
    return toState(r.rows[0]);
  };
  return {
    state,
    async setPaused(key, spec, paused, now) {
      await state(key, spec, now);
      const r = await pool.query<StateRow>(
        `UPDATE schedules SET paused = $3,
           since = CASE WHEN paused AND NOT $3 THEN to_timestamp($4::double precision / 1000) ELSE since END
         WHERE task = $1 AND idx = $2 RETURNING spec, since, paused`,
        [key.task, key.index, paused, now],
      );
      return toState(r.rows[0]);
    },
    async claim(key, tick, owner) {
      const r = await pool.query(
        `INSERT INTO schedule_ticks (task, idx, tick, claimed_by) VALUES ($1, $2, to_timestamp($3::double precision / 1000), $4)
         ON CONFLICT DO NOTHING`,
        [key.task, key.index, tick, owner],
      );
      return r.rowCount === 1;
    },
    async recordRun(key, tick, runId) {
      await pool.query('UPDATE schedule_ticks SET run_id = $4 WHERE task = $1 AND idx = $2 AND tick = to_timestamp($3::double precision / 1000)', [key.task, key.index, tick, runId]);
      // Older claims are kept an hour, for a server whose clock lags, then only the latest run's.
      await pool.query(
        `DELETE FROM schedule_ticks WHERE task = $1 AND idx = $2 AND tick < to_timestamp($3::double precision / 1000) AND claimed_at < now() - interval '1 hour'`,
        [key.task, key.index, tick],
      );
    },
    async lastRun(key) {
      const r = await pool.query<{ tick: Date; run_id: string }>(
        'SELECT tick, run_id FROM schedule_ticks WHERE task = $1 AND idx = $2 AND run_id IS NOT NULL ORDER BY tick DESC LIMIT 1',
        [key.task, key.index],
      );
      return r.rows[0] ? { tick: r.rows[0].tick.getTime(), runId: r.rows[0].run_id } : undefined;
    },
  };
}
