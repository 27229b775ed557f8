-- Owner: the `access` and `common` libraries (crates/access, crates/common): shared
-- mechanisms that every component uses, each table written only through one module of
-- those crates (named below), whichever component runs it; the cleanup job
-- (POST /jobs/cleanup, component sso) deletes expired rows. Replaces the key-value
-- records `session:*`, `saml-nameid:*`, `otp:*`, `verified:*` and `rate:*`, whose
-- read-modify-write races (a refresh bringing back a logged-out session, parallel
-- requests passing a limit) only SQLite's atomic statements can avoid.

-- Sessions (access::session). The cookie holds a 256-bit random id; only its SHA-256 is
-- stored, so reading this table does not let anyone use a session. The account status
-- and the company acted for are NOT copied here: every lookup joins them (accounts,
-- incarichi, companies), so they are never stale. Each change is one conditional
-- statement on its own columns: refreshing last_seen cannot bring back a deleted row nor
-- undo a change of acting_company_id.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash           TEXT PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES people (id),
    -- JSON: {method: spid|cie|cns, idp, name_id, name_qualifier, session_index, level}
    login             TEXT NOT NULL,
    -- SHA-256 of the IdP and NameID: single logout started by the IdP finds the session
    slo_key           TEXT,
    csrf_token        TEXT NOT NULL,
    -- the company (agency, professional firm) the person chose to act for; it counts
    -- only while an incarico for it is current (checked at every lookup)
    acting_company_id INTEGER REFERENCES companies (id),
    -- the CPI a CPI operator chose to work for; it counts only while the operator role
    -- for it is current (staff_roles, checked at every guard)
    acting_cpi        TEXT REFERENCES cpis (code),
    created_at        INTEGER NOT NULL,
    last_seen         INTEGER NOT NULL,
    -- created_at + the absolute lifetime: never extended
    expires_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_person ON sessions (person_id);
CREATE INDEX IF NOT EXISTS sessions_slo ON sessions (slo_key) WHERE slo_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);

-- Fixed-window rate limits (common::rate): one row per limited subject, e.g.
-- `login-start:ip:203.0.113.7`, `otp-hour:42:sms`. One atomic upsert counts a hit and
-- refuses it when the window is full, so a burst of parallel requests cannot pass.
CREATE TABLE IF NOT EXISTS rate_windows (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_windows_expiry ON rate_windows (expires_at);

-- One-time codes sent by SMS or e-mail to prove a number or address (access::otp): the
-- current code per person and scope (`sms`, `email`), hashed with a salt. `id` keys its
-- wrong-guess counter (otp_attempts); a match sets used_at once (conditional UPDATE) and
-- keeps the target verified until verified_until, so a form sent back with other errors
-- needs no new code.
CREATE TABLE IF NOT EXISTS otp_codes (
    person_id      INTEGER NOT NULL REFERENCES people (id),
    scope          TEXT NOT NULL,
    id             TEXT NOT NULL UNIQUE,
    target         TEXT NOT NULL,
    salt           TEXT NOT NULL,
    code_hash      TEXT NOT NULL,
    sent_at        INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    verified_until INTEGER,
    PRIMARY KEY (person_id, scope)
);
CREATE INDEX IF NOT EXISTS otp_codes_expiry ON otp_codes (expires_at);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (9, 'access');
