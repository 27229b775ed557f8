-- Owner: registration component (A1 A2 A3 B1). `people` stays the SSO bridge's (the
-- identity as the IdP gave it); registration completes it here. Read by common::account
-- (the guards every component uses) and by sso (the account status at login).

-- A registered citizen: one row per person, ever (the primary key makes a second
-- registration of the same codice fiscale impossible).
CREATE TABLE IF NOT EXISTS accounts (
    person_id           INTEGER PRIMARY KEY REFERENCES people (id),
    -- pending until the activation link sent by e-mail is opened
    status              TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    -- `citizen` (Registrati → Cittadino) or `company` (Registrati → Azienda, B1)
    registered_as       TEXT NOT NULL CHECK (registered_as IN ('citizen', 'company')),
    -- birth data as the IdP gave them, or as typed when it did not (CNS, CIE), checked
    -- against the codice fiscale; place = the comune's cadastral (Belfiore) code
    date_of_birth       TEXT NOT NULL,
    place_of_birth      TEXT NOT NULL,
    residence_istat     TEXT NOT NULL,
    residence_cap       TEXT NOT NULL CHECK (length(residence_cap) = 5),
    residence_address   TEXT NOT NULL,
    -- 1: domicile = residence (the domicile columns are then NULL)
    domicile_same       INTEGER NOT NULL CHECK (domicile_same IN (0, 1)),
    domicile_istat      TEXT,
    domicile_cap        TEXT,
    domicile_address    TEXT,
    email               TEXT NOT NULL,
    -- set when the activation link (sent to this address) is opened, or when a new
    -- address is confirmed with a code sent to it
    email_verified_at   TEXT,
    -- E.164 (+39...), verified with an SMS code before the form is accepted
    mobile              TEXT NOT NULL,
    mobile_verified_at  TEXT NOT NULL,
    privacy_version     TEXT NOT NULL,
    privacy_accepted_at TEXT NOT NULL,
    registered_at       TEXT NOT NULL,
    activated_at        TEXT,
    updated_at          TEXT NOT NULL,
    CHECK (domicile_same = 1 OR (domicile_istat IS NOT NULL AND domicile_cap IS NOT NULL AND domicile_address IS NOT NULL))
);

-- Activation links: only the SHA-256 of the token is stored; single use (a conditional
-- UPDATE of used_at), expiring, and replaced by a newer link.
CREATE TABLE IF NOT EXISTS activation_tokens (
    token_hash    TEXT PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people (id),
    -- the address the link was sent to (the one it verifies)
    email         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    -- a newer link was sent
    superseded_at INTEGER
);
CREATE INDEX IF NOT EXISTS activation_tokens_person ON activation_tokens (person_id);

-- Incarichi: a person's declared role for a company, agency or professional firm
-- (companies.kind); at most one current (not revoked) incarico per person and company.
CREATE TABLE IF NOT EXISTS incarichi (
    id                      INTEGER PRIMARY KEY,
    person_id               INTEGER NOT NULL REFERENCES people (id),
    company_id              INTEGER NOT NULL REFERENCES companies (id),
    role                    TEXT NOT NULL CHECK (role IN ('rappresentante_legale', 'delegato', 'altro')),
    -- the declaration of responsibility the person confirmed, and when
    declaration_version     TEXT NOT NULL,
    declaration_accepted_at TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    revoked_at              TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS incarichi_current ON incarichi (person_id, company_id) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS incarichi_company ON incarichi (company_id) WHERE revoked_at IS NULL;

-- Wrong-code counters of one-time codes, keyed by otp_codes.id (owner since 0009: the
-- access library, access::otp). An atomic upsert, so parallel guesses cannot get more
-- tries than the limit.
CREATE TABLE IF NOT EXISTS otp_attempts (
    otp_id     TEXT PRIMARY KEY,
    attempts   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS otp_attempts_expiry ON otp_attempts (expires_at);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (7, 'registration');
