-- Owner: components/oidc (issue 20, B2 C7). The portal as an OpenID Connect provider.
-- Codes, tokens and hand-offs are stored as SHA-256 hashes only.

-- Authorization codes: single-use (a conditional UPDATE of used_at decides), 60 s,
-- bound to the client, the redirect URI and the PKCE challenge.
CREATE TABLE IF NOT EXISTS oidc_codes (
    code_hash       TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL,
    person_id       INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    company_id      INTEGER REFERENCES companies(id) ON DELETE CASCADE,
    company_role    TEXT,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    scope           TEXT NOT NULL,
    acr             INTEGER NOT NULL,
    auth_time       INTEGER NOT NULL,
    session_hash    TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER
);
CREATE INDEX IF NOT EXISTS oidc_codes_expiry ON oidc_codes (expires_at);

-- Access tokens given at the token endpoint (userinfo); revoked when their code is
-- presented again.
CREATE TABLE IF NOT EXISTS oidc_tokens (
    token_hash      TEXT PRIMARY KEY,
    code_hash       TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    person_id       INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    company_id      INTEGER REFERENCES companies(id) ON DELETE CASCADE,
    company_role    TEXT,
    scope           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE INDEX IF NOT EXISTS oidc_tokens_code ON oidc_tokens (code_hash);

-- A person's consent to hand their identity to a partner (first time per partner).
CREATE TABLE IF NOT EXISTS oidc_consents (
    person_id       INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL,
    granted_at      INTEGER NOT NULL,
    PRIMARY KEY (person_id, client_id)
);

-- The hand-off that starts a partner's login (the province chosen for Comunicazioni
-- Obbligatorie, Garanzia Giovani): 5 minutes, single use, bound to the person, the
-- partner and the company acted for.
CREATE TABLE IF NOT EXISTS oidc_handoffs (
    token_hash      TEXT PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    client_id       TEXT NOT NULL,
    company_id      INTEGER REFERENCES companies(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER
);

-- Back-channel logout (OIDC Back-Channel Logout 1.0): one row per ended portal session
-- and partner that redeemed a code in it. The job POST /jobs/oidc/logout finds the
-- sessions that ended (their row in `sessions` gone or expired), adds the rows here and
-- delivers a signed logout token to each partner's backchannel_logout_uri. Status:
-- pending (to send; next_attempt_at), sent, dead (gave up after the bound), none (the
-- partner registered no backchannel_logout_uri: nothing to send).
CREATE TABLE IF NOT EXISTS oidc_logouts (
    session_hash    TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    person_id       INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    PRIMARY KEY (session_hash, client_id)
);
CREATE INDEX IF NOT EXISTS oidc_logouts_due ON oidc_logouts (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS oidc_codes_session ON oidc_codes (session_hash);
