-- Owner: appointments component (C5 "Prenotazione appuntamento CPI", X4 calendar files,
-- O1 availability of the CPIs).

-- The manual's four event kinds and their length.
CREATE TABLE IF NOT EXISTS appointment_kinds (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    minutes  INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 240),
    position INTEGER NOT NULL
);
INSERT OR IGNORE INTO appointment_kinds (code, name, minutes, position) VALUES
  ('iscrizione', 'Colloquio per iscrizione al CPI', 45, 1),
  ('curriculum', 'Colloquio per stesura curriculum vitae', 45, 2),
  ('ricerca', 'Colloquio per la ricerca di lavoro', 30, 3),
  ('tirocini', 'Colloquio di attivazione dei tirocini', 30, 4);

-- A CPI's sportelli: where an appointment takes place and how to reach it.
CREATE TABLE IF NOT EXISTS desks (
    id         INTEGER PRIMARY KEY,
    cpi_code   TEXT NOT NULL REFERENCES cpis (code),
    name       TEXT NOT NULL,
    address    TEXT NOT NULL,
    email      TEXT NOT NULL,
    phone      TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS desks_cpi ON desks (cpi_code, name);

-- Weekly opening hours of a desk for one event kind: on `weekday` (1 = Monday) from
-- `start_min` to `end_min` (minutes of the Europe/Rome day), in [valid_from, valid_to]
-- (ISO dates; NULL = open-ended). The slots are the kind's length one after another.
-- Removed rows stay (their bookings keep their place), with removed_at.
CREATE TABLE IF NOT EXISTS desk_hours (
    id         INTEGER PRIMARY KEY,
    desk_id    INTEGER NOT NULL REFERENCES desks (id),
    kind       TEXT NOT NULL REFERENCES appointment_kinds (code),
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_min  INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min    INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440 AND end_min > start_min),
    valid_from TEXT,
    valid_to   TEXT,
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    removed_at INTEGER
);
CREATE INDEX IF NOT EXISTS desk_hours_desk ON desk_hours (desk_id) WHERE removed_at IS NULL;

-- Exceptions to the weekly hours on one day: a closure (open = 0; of one kind, or of the
-- whole desk when kind is NULL), or an extraordinary opening (open = 1, with kind and
-- hours), which is also how a desk opens on a national holiday.
CREATE TABLE IF NOT EXISTS desk_exceptions (
    id         INTEGER PRIMARY KEY,
    desk_id    INTEGER NOT NULL REFERENCES desks (id),
    day        TEXT NOT NULL,
    open       INTEGER NOT NULL CHECK (open IN (0, 1)),
    kind       TEXT REFERENCES appointment_kinds (code),
    start_min  INTEGER CHECK (start_min BETWEEN 0 AND 1439),
    end_min    INTEGER CHECK (end_min BETWEEN 1 AND 1440),
    note       TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    removed_at INTEGER,
    CHECK (open = 0 OR (kind IS NOT NULL AND start_min IS NOT NULL AND end_min > start_min))
);
CREATE INDEX IF NOT EXISTS desk_exceptions_desk ON desk_exceptions (desk_id, day) WHERE removed_at IS NULL;

-- A booking of one slot (desk, kind, start). A slot is booked at most once: the partial
-- unique index decides, whatever the concurrency and the number of replicas.
--   prenotato -> annullato_cittadino | annullato_cpi
CREATE TABLE IF NOT EXISTS appointments (
    id            INTEGER PRIMARY KEY,
    desk_id       INTEGER NOT NULL REFERENCES desks (id),
    kind          TEXT NOT NULL REFERENCES appointment_kinds (code),
    cpi_code      TEXT NOT NULL REFERENCES cpis (code),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL CHECK (end_at > start_at),
    status        TEXT NOT NULL DEFAULT 'prenotato'
                  CHECK (status IN ('prenotato', 'annullato_cittadino', 'annullato_cpi')),
    -- the calendar's SEQUENCE: raised at every change the person is told of
    sequence      INTEGER NOT NULL DEFAULT 0,
    booked_at     INTEGER NOT NULL,
    cancelled_at  INTEGER,
    cancelled_by  INTEGER REFERENCES people (id),
    cancel_reason TEXT,
    reminded_at   INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS appointments_slot ON appointments (desk_id, kind, start_at) WHERE status = 'prenotato';
CREATE INDEX IF NOT EXISTS appointments_person ON appointments (person_id, start_at);
CREATE INDEX IF NOT EXISTS appointments_cpi ON appointments (cpi_code, start_at);
-- the booked slots of one kind at a CPI's desks in a date range (availability): one range
-- of a covering index, without the other kinds' and the cancelled bookings
CREATE INDEX IF NOT EXISTS appointments_taken ON appointments (cpi_code, kind, start_at, desk_id, status) WHERE status = 'prenotato';
CREATE INDEX IF NOT EXISTS appointments_remind ON appointments (start_at) WHERE status = 'prenotato' AND reminded_at IS NULL;

-- "Contatta il CPI": a citizen's message to a CPI, and the operator's answer.
CREATE TABLE IF NOT EXISTS cpi_messages (
    id          INTEGER PRIMARY KEY,
    cpi_code    TEXT NOT NULL REFERENCES cpis (code),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    kind        TEXT REFERENCES appointment_kinds (code),
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    answer      TEXT,
    answered_by INTEGER REFERENCES people (id),
    answered_at INTEGER
);
CREATE INDEX IF NOT EXISTS cpi_messages_cpi ON cpi_messages (cpi_code, created_at);
CREATE INDEX IF NOT EXISTS cpi_messages_person ON cpi_messages (person_id, created_at);

-- An operator's private calendar subscription to their CPI's bookings: the URL holds a
-- random token, stored hashed; one current feed per operator and CPI; revocable.
CREATE TABLE IF NOT EXISTS calendar_feeds (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    cpi_code   TEXT NOT NULL REFERENCES cpis (code),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS calendar_feeds_current ON calendar_feeds (person_id, cpi_code) WHERE revoked_at IS NULL;
INSERT OR IGNORE INTO schema_version (version, name) VALUES (12, 'appointments');
