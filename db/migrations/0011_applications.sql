-- Owner: applications component (C1 C4, O1 evaluation).

-- An application to an offer ("Compila candidatura"): the person, the CV chosen (its id
-- while it exists: the CV is the cv component's and may be deleted; what was sent is in
-- application_files), the requirements as declared, and the CPI's esito:
--   inserita -> presa_in_carico -> inviata (all'azienda) | non_inviata (all'azienda);
--   ritirata: withdrawn by the person while still inserita.
-- One current application per person and offer (a withdrawn one does not count).
CREATE TABLE IF NOT EXISTS applications (
    id             INTEGER PRIMARY KEY,
    offer_id       INTEGER NOT NULL REFERENCES offers (id),
    person_id      INTEGER NOT NULL REFERENCES people (id),
    cv_id          INTEGER,
    cv_description TEXT NOT NULL DEFAULT '',
    -- JSON array of {requirement, declared}
    declarations   TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'inserita'
                   CHECK (status IN ('inserita', 'presa_in_carico', 'inviata', 'non_inviata', 'ritirata')),
    -- the operator's note with the last esito (the citizen sees it)
    note           TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    decided_by     INTEGER REFERENCES people (id),
    decided_at     INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS applications_current ON applications (offer_id, person_id) WHERE status <> 'ritirata';
CREATE INDEX IF NOT EXISTS applications_person ON applications (person_id, created_at);
CREATE INDEX IF NOT EXISTS applications_offer ON applications (offer_id, status, created_at);
CREATE INDEX IF NOT EXISTS applications_cv ON applications (cv_id, created_at);

-- The CV file exactly as sent with the application (what the operator and the company
-- read), whatever the person does to their CV afterwards.
CREATE TABLE IF NOT EXISTS application_files (
    application_id INTEGER PRIMARY KEY REFERENCES applications (id),
    file_name      TEXT NOT NULL,
    file_kind      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    content        BLOB NOT NULL
);

-- Every change of an application's state: the timeline the person and the operator see.
CREATE TABLE IF NOT EXISTS application_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    status         TEXT NOT NULL,
    note           TEXT,
    actor_id       INTEGER REFERENCES people (id),
    at             INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS application_events_application ON application_events (application_id, at);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (11, 'applications');
