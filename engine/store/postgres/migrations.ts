// The PostgreSQL schema, as versioned migrations applied in order when a server or worker starts
// (see migrate in ./db). A migration is never edited once released: add the next one instead.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, journal, pending events and timers',
    sql: `
-- The text of each task version a run was started with, so that any worker runs it as it was.
CREATE TABLE task_sources (
  hash        text PRIMARY KEY,
  name        text NOT NULL,
  file        text,
  source      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_sources_file ON task_sources (file, created_at DESC);

-- One row per run: what the run is doing, and who may execute it (the lease).
CREATE TABLE runs (
  id                text PRIMARY KEY,
  task              text NOT NULL,
  task_hash         text,
  task_file         text,
  parent_id         text,
  clock             text NOT NULL DEFAULT 'real',
  status            text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'paused', 'succeeded', 'failed', 'cancelled')),
  state             text,
  reason            text,
  -- A pause, resume or cancel asked for through the API, applied by the worker that holds the run.
  control           text CHECK (control IN ('pause', 'resume', 'cancel')),
  control_reason    text,
  -- The lease: the worker executing the run, until when, and a fencing epoch bumped on every claim.
  lease_owner       text,
  lease_epoch       integer NOT NULL DEFAULT 0,
  lease_expires_at  timestamptz,
  claimed_at        timestamptz,
  -- Last journal append (or claim, or idle heartbeat): a held run without progress is stuck.
  progress_at       timestamptz NOT NULL DEFAULT now(),
  -- When a released run must be continued: its next timer, or now for an event or a control.
  next_due_at       timestamptz,
  -- Virtual clock: the time a continued run may jump to before it is released again.
  virtual_until     bigint,
  waiting_events    text[] NOT NULL DEFAULT '{}',
  -- Executions of the run: 1, plus one per takeover or retry by recovery.
  attempts          integer NOT NULL DEFAULT 1,
  recover_reason    text,
  last_seq          integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  ended_at          timestamptz
);
CREATE INDEX runs_due ON runs (next_due_at) WHERE ended_at IS NULL AND lease_owner IS NULL;
CREATE INDEX runs_leased ON runs (lease_expires_at) WHERE ended_at IS NULL AND lease_owner IS NOT NULL;
CREATE INDEX runs_owner ON runs (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_task ON runs (task, created_at DESC);
CREATE INDEX runs_status ON runs (status, created_at DESC);
CREATE INDEX runs_ended ON runs (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX runs_waiting ON runs USING gin (waiting_events) WHERE ended_at IS NULL;

-- The journal: (run_id, seq) is the key, so a step can never be journaled twice. worker and epoch
-- record which lease appended each entry.
CREATE TABLE journal (
  run_id       text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq          integer NOT NULL,
  worker       text NOT NULL,
  epoch        integer NOT NULL,
  appended_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  event        jsonb NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- Events sent to runs, until the run journals them (delivered_seq).
CREATE TABLE inbox (
  n              bigserial PRIMARY KEY,
  id             uuid NOT NULL UNIQUE,
  run_id         text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name           text NOT NULL,
  data           jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  delivered_seq  integer
);
CREATE INDEX inbox_pending ON inbox (run_id, n) WHERE delivered_seq IS NULL;

-- The pending timers of a released run (after, poll, sleep, timeouts, retry delays, mocked
-- events); the earliest is the run's next_due_at. Times are on the run's clock.
CREATE TABLE timers (
  run_id  text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  due_at  timestamptz NOT NULL
);
CREATE INDEX timers_run ON timers (run_id);

-- Watchers (the REST service's SSE streams) hear of every journal entry.
CREATE FUNCTION stepwise_journal_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('stepwise_journal', NEW.run_id || ':' || NEW.seq);
  RETURN NULL;
END
$fn$;
CREATE TRIGGER journal_notify AFTER INSERT ON journal FOR EACH ROW EXECUTE FUNCTION stepwise_journal_notify();

-- Releases a run its worker holds while it waits. One call, so that the row lock is taken before
-- the inbox and the control request are looked at: an event or a control that arrives meanwhile
-- makes the run due at once instead of being missed.
-- p_reason: set when the run stopped in the middle of a step (a store error): whoever continues it
-- journals run-recovered with it.
CREATE FUNCTION stepwise_release(p_id text, p_owner text, p_epoch integer, p_due timestamptz,
                                 p_virtual_until bigint, p_waiting text[], p_timers timestamptz[],
                                 p_reason text DEFAULT NULL)
RETURNS TABLE (ok boolean, due timestamptz) LANGUAGE plpgsql AS $fn$
DECLARE
  v_status text;
  v_control text;
  v_due timestamptz := p_due;
BEGIN
  SELECT r.status, r.control INTO v_status, v_control FROM runs r
   WHERE r.id = p_id AND r.lease_owner = p_owner AND r.lease_epoch = p_epoch AND r.ended_at IS NULL
   FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT false, NULL::timestamptz;
    RETURN;
  END IF;
  IF v_status = 'paused' THEN
    v_due := NULL;
  END IF;
  IF v_control IS NOT NULL
     OR (v_status = 'running' AND EXISTS (SELECT 1 FROM inbox i WHERE i.run_id = p_id AND i.delivered_seq IS NULL)) THEN
    v_due := now();
  END IF;
  UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, next_due_at = v_due,
         virtual_until = p_virtual_until, waiting_events = COALESCE(p_waiting, '{}'), updated_at = now(),
         recover_reason = p_reason
   WHERE id = p_id;
  DELETE FROM timers WHERE run_id = p_id;
  INSERT INTO timers (run_id, due_at) SELECT p_id, t FROM unnest(COALESCE(p_timers, '{}')) AS t;
  IF v_due IS NOT NULL AND v_due <= now() THEN
    PERFORM pg_notify('stepwise_wake', p_id);
  END IF;
  RETURN QUERY SELECT true, v_due;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'journal: one row per append',
    sql: `
-- One row per append: the entries of consecutive steps seq..last_seq, in order, in one jsonb array.
-- A journal of many steps is then a few wide rows instead of one narrow row per step, each with its
-- header, key and notification. The append's own statement keeps the guarantees the per-row key and
-- foreign key gave: it inserts only where it moved the run's row, under this worker's lease, and
-- only steps that follow runs.last_seq (stepwise_next_seq: a step is never journaled twice); prune deletes a
-- run's journal with the run.
CREATE TABLE journal_appends (
  run_id       text NOT NULL,
  seq          integer NOT NULL,
  last_seq     integer NOT NULL,
  worker       text NOT NULL,
  epoch        integer NOT NULL,
  appended_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  events       jsonb NOT NULL,
  PRIMARY KEY (run_id, seq)
);
INSERT INTO journal_appends (run_id, seq, last_seq, worker, epoch, appended_at, events)
  SELECT run_id, seq, seq, worker, epoch, appended_at, jsonb_build_array(event) FROM journal;
DROP TABLE journal;
DROP FUNCTION stepwise_journal_notify();
ALTER TABLE journal_appends RENAME TO journal;
ALTER INDEX journal_appends_pkey RENAME TO journal_pkey;

-- The run's last_seq after an append of the steps p_seq..p_last: steps that do not follow the last
-- one journaled fail the append as a duplicate key would (somebody journaled them, or some before).
CREATE FUNCTION stepwise_next_seq(p_run text, p_current integer, p_seq integer, p_last integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_seq <> p_current + 1 THEN
    RAISE unique_violation USING MESSAGE = format('run %s: step %s does not follow step %s, the last journaled', p_run, p_seq, p_current);
  END IF;
  RETURN p_last;
END
$fn$;

-- Each entry with the worker and lease epoch that appended it, for reading by hand.
CREATE VIEW journal_entries AS
  SELECT j.run_id, (x.event->>'seq')::integer AS seq, j.worker, j.epoch, j.appended_at, x.event
    FROM journal j CROSS JOIN LATERAL jsonb_array_elements(j.events) AS x(event);

-- Watchers hear of appends: one notification per statement (per 100 runs appended to), naming the
-- steps journaled as 'run:seq-last_seq', comma-separated.
CREATE FUNCTION stepwise_journal_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('stepwise_journal', string_agg(a.run_id || ':' || a.seq || '-' || a.last_seq, ','))
     FROM (SELECT run_id, seq, last_seq, (row_number() OVER () - 1) / 100 AS chunk FROM appended) a
    GROUP BY a.chunk;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER journal_notify AFTER INSERT ON journal REFERENCING NEW TABLE AS appended
  FOR EACH STATEMENT EXECUTE FUNCTION stepwise_journal_notify();

-- Room on each page for the new version of a run's row: its update on every append stays on the
-- page (a HOT update, no index entries) instead of growing the table and its eight indexes.
ALTER TABLE runs SET (fillfactor = 70);
`,
  },
  {
    version: 3,
    name: 'fan-out: child runs any worker may claim, their parents parked',
    sql: `
-- A fan-out branch's \`call\` is a run of its own: which branch or item of its parent it is, and
-- the child runs a released parent waits for (any of them ending makes it due).
ALTER TABLE runs ADD COLUMN parent_branch text, ADD COLUMN parent_index integer,
  ADD COLUMN waiting_children text[] NOT NULL DEFAULT '{}';
CREATE INDEX runs_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;

-- A run that ends wakes its parent (a released one becomes due; the worker holding one hears
-- 'stepwise_child'), and cancels the child runs still going: none outlives the run that waits for it.
CREATE FUNCTION stepwise_run_ended() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_child text;
BEGIN
  IF NEW.parent_id IS NOT NULL THEN
    PERFORM pg_notify('stepwise_child', NEW.parent_id);
    UPDATE runs SET next_due_at = now()
     WHERE id = NEW.parent_id AND ended_at IS NULL AND lease_owner IS NULL AND status = 'running'
       AND NEW.id = ANY(waiting_children);
    IF FOUND THEN
      PERFORM pg_notify('stepwise_wake', NEW.parent_id);
    END IF;
  END IF;
  FOR v_child IN
    UPDATE runs SET control = 'cancel', control_reason = format('its parent run %s ended', NEW.id),
           next_due_at = CASE WHEN lease_owner IS NULL THEN now() ELSE next_due_at END
     WHERE parent_id = NEW.id AND ended_at IS NULL AND control IS DISTINCT FROM 'cancel'
    RETURNING id
  LOOP
    PERFORM pg_notify('stepwise_control', v_child), pg_notify('stepwise_wake', v_child);
  END LOOP;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER runs_ended AFTER UPDATE OF ended_at ON runs FOR EACH ROW
  WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL) EXECUTE FUNCTION stepwise_run_ended();

-- stepwise_release, and the child runs the released run waits for: one that has ended, or ends
-- while the release commits, makes it due at once. The children's rows are read FOR SHARE, which
-- waits for an end being committed; an end committed after the release finds the run released
-- (stepwise_run_ended). Either way the parent is woken.
DROP FUNCTION stepwise_release(text, text, integer, timestamptz, bigint, text[], timestamptz[], text);
CREATE FUNCTION stepwise_release(p_id text, p_owner text, p_epoch integer, p_due timestamptz,
                                 p_virtual_until bigint, p_waiting text[], p_timers timestamptz[],
                                 p_reason text DEFAULT NULL, p_children text[] DEFAULT '{}')
RETURNS TABLE (ok boolean, due timestamptz) LANGUAGE plpgsql AS $fn$
DECLARE
  v_status text;
  v_control text;
  v_due timestamptz := p_due;
BEGIN
  SELECT r.status, r.control INTO v_status, v_control FROM runs r
   WHERE r.id = p_id AND r.lease_owner = p_owner AND r.lease_epoch = p_epoch AND r.ended_at IS NULL
   FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT false, NULL::timestamptz;
    RETURN;
  END IF;
  IF v_status = 'paused' THEN
    v_due := NULL;
  END IF;
  IF v_control IS NOT NULL
     OR (v_status = 'running' AND EXISTS (SELECT 1 FROM inbox i WHERE i.run_id = p_id AND i.delivered_seq IS NULL)) THEN
    v_due := now();
  END IF;
  IF v_status = 'running' AND cardinality(p_children) > 0 THEN
    PERFORM 1 FROM runs c WHERE c.id = ANY(p_children) FOR SHARE;
    IF EXISTS (SELECT 1 FROM runs c WHERE c.id = ANY(p_children) AND c.ended_at IS NOT NULL) THEN
      v_due := now();
    END IF;
  END IF;
  UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, next_due_at = v_due,
         virtual_until = p_virtual_until, waiting_events = COALESCE(p_waiting, '{}'), updated_at = now(),
         recover_reason = p_reason, waiting_children = COALESCE(p_children, '{}')
   WHERE id = p_id;
  DELETE FROM timers WHERE run_id = p_id;
  INSERT INTO timers (run_id, due_at) SELECT p_id, t FROM unnest(COALESCE(p_timers, '{}')) AS t;
  IF v_due IS NOT NULL AND v_due <= now() THEN
    PERFORM pg_notify('stepwise_wake', p_id);
  END IF;
  RETURN QUERY SELECT true, v_due;
END
$fn$;
`,
  },
  {
    version: 4,
    name: 'schedules: state and one claim per tick',
    sql: `
-- Each schedule of a served task (task name, position in its schedule list): the spec its ticks
-- are counted for, since when (ticks at or before start nothing), and whether it is paused.
CREATE TABLE schedules (
  task    text NOT NULL,
  idx     integer NOT NULL,
  spec    text NOT NULL,
  since   timestamptz NOT NULL,
  paused  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (task, idx)
);

-- One row per tick that started (or skipped) a run: the key lets exactly one server claim a tick.
CREATE TABLE schedule_ticks (
  task        text NOT NULL,
  idx         integer NOT NULL,
  tick        timestamptz NOT NULL,
  claimed_by  text NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now(),
  run_id      text,
  PRIMARY KEY (task, idx, tick)
);
`,
  },
];
