-- Owner: sso component. People who logged in with SPID, CIE or CNS; the codice
-- fiscale is the key (there are no passwords). Attributes as the IdP gave them at
-- the last login; registration (issue A1) completes the rest.
CREATE TABLE IF NOT EXISTS people (
    id            INTEGER PRIMARY KEY,
    fiscal_code   TEXT NOT NULL UNIQUE CHECK (length(fiscal_code) = 16),
    name          TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    date_of_birth TEXT,
    place_of_birth TEXT,
    gender        TEXT,
    email         TEXT,
    mobile_phone  TEXT,
    -- spid | cie | cns, and the IdP entity ID, of the last login
    last_method   TEXT NOT NULL,
    last_idp      TEXT,
    first_login_at TEXT NOT NULL,
    last_login_at  TEXT NOT NULL
);

-- Owner: sso component. Assertions already consumed (replay protection) and SAML
-- request ids already answered: the primary key makes "first use wins" atomic.
CREATE TABLE IF NOT EXISTS saml_consumed (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS saml_consumed_expiry ON saml_consumed (expires_at);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (4, 'people');
