-- Owner: cv component (C2 C3 B3): citizens' CVs and their files, the anonymised search
-- index, companies' view requests, the history of each CV and the log of every read of
-- a CV file. Every row carries the owner's person_id; the component's queries filter by
-- the caller or by an explicit grant (an accepted view request).

-- A citizen's CV. `handle` is an opaque random id: the only reference to the CV that
-- companies see before the owner authorises a view request (search results, requests).
CREATE TABLE IF NOT EXISTS cvs (
    id                 INTEGER PRIMARY KEY,
    handle             TEXT NOT NULL UNIQUE,
    person_id          INTEGER NOT NULL REFERENCES people (id),
    description        TEXT NOT NULL DEFAULT '',
    -- "Consenso alla ricerca": 1 = companies may find it (anonymised) in their searches
    search_consent     INTEGER NOT NULL CHECK (search_consent IN (0, 1)),
    -- "Caricato CPI": 1 = uploaded by a CPI operator for the citizen (not editable)
    uploaded_by_cpi    INTEGER NOT NULL DEFAULT 0 CHECK (uploaded_by_cpi IN (0, 1)),
    -- the file: name as uploaded (sanitised), type detected from the content (never the
    -- extension or the browser's word), size in bytes, SHA-256 hex
    file_name          TEXT NOT NULL,
    file_kind          TEXT NOT NULL CHECK (file_kind IN ('pdf', 'docx', 'odt', 'doc')),
    file_size          INTEGER NOT NULL CHECK (file_size > 0),
    file_sha256        TEXT NOT NULL CHECK (length(file_sha256) = 64),
    -- the extracted text with the owner's personal data redacted (what search results show)
    anonymised_text    TEXT NOT NULL,
    -- unix seconds
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    -- the last upload, change or use ("Utilizzo"): the retention period runs from here
    last_activity_at   INTEGER NOT NULL,
    -- when the retention notice e-mail was queued for the current period (NULL: not yet;
    -- reset by any activity)
    retention_notice_at INTEGER
);
CREATE INDEX IF NOT EXISTS cvs_person ON cvs (person_id, created_at);
CREATE INDEX IF NOT EXISTS cvs_activity ON cvs (last_activity_at);
-- the unfiltered search: consented CVs, newest first
CREATE INDEX IF NOT EXISTS cvs_search ON cvs (search_consent, updated_at);

-- The file's bytes, apart so that lists never read them.
CREATE TABLE IF NOT EXISTS cv_files (
    cv_id   INTEGER PRIMARY KEY REFERENCES cvs (id),
    content BLOB NOT NULL
);

-- "Territori di interesse": codes of `areas` (the 11 territories).
CREATE TABLE IF NOT EXISTS cv_territories (
    cv_id     INTEGER NOT NULL REFERENCES cvs (id),
    area_code TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (cv_id, area_code)
) WITHOUT ROWID;

-- The search index of the CVs whose owners gave consent (rowid = cvs.id; rows of CVs
-- without consent are absent). `body` is the full extracted text, used only for
-- matching; results show cvs.anonymised_text. `facets`: `a<area code without hyphens>`
-- per territory.
CREATE VIRTUAL TABLE IF NOT EXISTS cv_fts USING fts5 (
    body, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3',
    detail = 'column'
);

-- "Storico utilizzi": kind caricamento | modifica | utilizzo, with an Italian note.
CREATE TABLE IF NOT EXISTS cv_events (
    id     INTEGER PRIMARY KEY,
    cv_id  INTEGER NOT NULL REFERENCES cvs (id),
    kind   TEXT NOT NULL CHECK (kind IN ('caricamento', 'modifica', 'utilizzo')),
    note   TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cv_events_cv ON cv_events (cv_id, at);

-- A company's request to see a CV in full (B3, C3). `cv_id` becomes NULL when the CV is
-- deleted (the request stays in both lists). The e-mail/SMS link carries a random token:
-- only its SHA-256 is stored; it decides once (a conditional UPDATE), then shows the
-- decision, and expires.
CREATE TABLE IF NOT EXISTS cv_requests (
    id              INTEGER PRIMARY KEY,
    cv_id           INTEGER REFERENCES cvs (id),
    cv_handle       TEXT NOT NULL,
    cv_description  TEXT NOT NULL DEFAULT '',
    owner_id        INTEGER NOT NULL REFERENCES people (id),
    company_id      INTEGER NOT NULL REFERENCES companies (id),
    -- the person who asked, acting for the company
    requested_by    INTEGER NOT NULL REFERENCES people (id),
    position        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'accepted', 'refused')),
    token_hash      TEXT NOT NULL UNIQUE,
    token_expires_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    -- link (the e-mail/SMS link, no login) | portal (the owner's list)
    decided_via     TEXT CHECK (decided_via IN ('link', 'portal'))
);
CREATE INDEX IF NOT EXISTS cv_requests_owner ON cv_requests (owner_id, created_at);
CREATE INDEX IF NOT EXISTS cv_requests_company ON cv_requests (company_id, created_at);
CREATE INDEX IF NOT EXISTS cv_requests_cv ON cv_requests (cv_id);
-- one open request per CV and company
CREATE UNIQUE INDEX IF NOT EXISTS cv_requests_open ON cv_requests (cv_id, company_id) WHERE status = 'requested';

-- Every read of a CV file: who (person, and company when acting for one), as what
-- (owner | company | cpi_operator), why, when (unix seconds). Kept after the CV is
-- deleted (no foreign key). Written only through `access::audit::cv_read`, by the cv
-- component and by applications (the CV sent with an application).
CREATE TABLE IF NOT EXISTS cv_access_log (
    id          INTEGER PRIMARY KEY,
    cv_id       INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    reader_id   INTEGER NOT NULL,
    company_id  INTEGER,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'company', 'cpi_operator')),
    reason      TEXT NOT NULL,
    request_id  INTEGER,
    at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cv_access_log_cv ON cv_access_log (cv_id, at);
CREATE INDEX IF NOT EXISTS cv_access_log_owner ON cv_access_log (owner_id, at);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (8, 'cv');
