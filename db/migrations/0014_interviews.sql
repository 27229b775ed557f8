-- Owner: interviews component (C6 "Gestisci colloqui online", B4 the company's invitations,
-- the video room's lobby and signalling).

-- An online interview a company (or agency, or professional firm) asks of a candidate of
-- one of its offers, whose application the CPI sent it. States:
--   richiesto -> confermato | rifiutato | modifica_richiesta   (the candidate)
--   modifica_richiesta -> richiesto (the company's new date)
--   richiesto | confermato | modifica_richiesta -> annullato   (the company)
-- CONCLUSO is not stored: a confirmed interview past its end is concluded.
-- Every change is one conditional UPDATE (WHERE status IN the expected states).
CREATE TABLE IF NOT EXISTS interviews (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    offer_id       INTEGER NOT NULL REFERENCES offers (id),
    company_id     INTEGER NOT NULL REFERENCES companies (id),
    person_id      INTEGER NOT NULL REFERENCES people (id),
    start_at       INTEGER NOT NULL,
    end_at         INTEGER NOT NULL CHECK (end_at > start_at),
    description    TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'richiesto'
                   CHECK (status IN ('richiesto', 'confermato', 'rifiutato', 'modifica_richiesta', 'annullato')),
    -- the candidate's availability with "Richiedi modifica"
    change_note    TEXT,
    -- the calendar's SEQUENCE: raised at every change the candidate is told of
    sequence       INTEGER NOT NULL DEFAULT 0,
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    -- the room's lobby: the company is in the room; the candidate knocked; the company
    -- let them in (each cleared when that party leaves)
    company_in_at  INTEGER,
    waiting_at     INTEGER,
    admitted_at    INTEGER,
    -- signalling messages written so far (bounded by the component)
    signals        INTEGER NOT NULL DEFAULT 0
);
-- an application has at most one open invitation (richiesto, modifica_richiesta, or
-- confermato and not yet over): the invitation's INSERT ... WHERE NOT EXISTS decides
CREATE INDEX IF NOT EXISTS interviews_application ON interviews (application_id, status);
CREATE INDEX IF NOT EXISTS interviews_person ON interviews (person_id, start_at);
CREATE INDEX IF NOT EXISTS interviews_company ON interviews (company_id, start_at);

-- The room's signalling (WebRTC offer, answer, ICE candidates, hello/ready/bye) between the
-- two parties: no media passes through the portal. The id only grows (AUTOINCREMENT), so a
-- reader asks for the messages `after` the last it saw, on any replica.
CREATE TABLE IF NOT EXISTS interview_signals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    interview_id INTEGER NOT NULL REFERENCES interviews (id),
    sender       TEXT NOT NULL CHECK (sender IN ('company', 'candidate')),
    kind         TEXT NOT NULL CHECK (kind IN ('hello', 'ready', 'offer', 'answer', 'candidate', 'bye')),
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS interview_signals_read ON interview_signals (interview_id, sender, id);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (14, 'interviews');
