-- Owner: documents component (C10 "Gestione documenti da firmare", X5 /verifica, O1
-- documents sent to sign and counter-signed by the CPI).

-- A document a CPI operator made for a citizen of the CPI. `state` moves
-- inserito -> preso_in_carico -> firmato_cittadino [-> firmato_operatore], or to
-- annullato (with the reason) from any state that is not concluded; the Ricevuta DID is
-- concluded with the citizen's signature, the other kinds with the operator's. Each
-- change is one conditional UPDATE on the expected state. `pdf` is the document as it
-- is now (each signature appends a revision); `revision` counts its revisions from 0.
CREATE TABLE IF NOT EXISTS documents (
    id                 INTEGER PRIMARY KEY,
    -- the public document code (printed on the PDF, in its metadata; /verifica)
    code               TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL CHECK (kind IN ('ricevuta_did', 'patto_150', 'patto_gg', 'ricerca_intensiva')),
    person_id          INTEGER NOT NULL REFERENCES people (id),
    cpi_code           TEXT NOT NULL REFERENCES cpis (code),
    state              TEXT NOT NULL CHECK (state IN ('inserito', 'preso_in_carico', 'firmato_cittadino', 'firmato_operatore', 'annullato')),
    -- the operator's input, as typed (JSON)
    details            TEXT NOT NULL,
    created_by         INTEGER NOT NULL REFERENCES people (id),
    created_at         INTEGER NOT NULL,
    taken_at           INTEGER,
    citizen_signed_at  INTEGER,
    operator_signed_at INTEGER,
    operator_signed_by INTEGER REFERENCES people (id),
    cancelled_at       INTEGER,
    cancelled_by       INTEGER REFERENCES people (id),
    cancel_reason      TEXT,
    revision           INTEGER NOT NULL DEFAULT 0,
    pdf                BLOB NOT NULL,
    CHECK (state <> 'annullato' OR (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS documents_person ON documents (person_id, created_at);
CREATE INDEX IF NOT EXISTS documents_cpi ON documents (cpi_code, created_at);

-- Every revision of a document's PDF the portal issued: its SHA-256 (hex) and length, so
-- /verifica tells an issued file (or the signed part of one) from any other.
CREATE TABLE IF NOT EXISTS document_revisions (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    revision    INTEGER NOT NULL,
    -- inserito | firmato_cittadino | firmato_operatore
    made_by     TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    made_at     INTEGER NOT NULL,
    PRIMARY KEY (document_id, revision)
);
CREATE INDEX IF NOT EXISTS document_revisions_sha256 ON document_revisions (sha256);
