-- The notification outbox: e-mail and SMS messages waiting to be sent, sent, or given up.
--
-- Ownership is split by column:
-- * rows are INSERTED by any component, only through `outbox::enqueue` (crates/outbox), which
--   renders the Italian template at enqueue time (subject, body) so that what is sent
--   is exactly what was logged: id, channel, recipient, template, params, subject,
--   body, person_id, created_at (and the initial status, attempts, next_attempt_at);
-- * the delivery state is written ONLY by the notifications component (its job
--   POST /jobs/notifications/deliver): status, attempts, next_attempt_at, claim_token,
--   last_error, sent_at; it also deletes rows past their retention.
-- Every row that concerns a person carries person_id (the owner; NULL when the
-- recipient has no account yet). params and body may hold one-time codes and links:
-- only the notifications component and the development mailbox read them.
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
    -- template id (outbox::TEMPLATES), e.g. `activation`
    template        TEXT NOT NULL,
    -- the template parameters, a JSON object of strings
    params          TEXT NOT NULL DEFAULT '{}',
    -- rendered at enqueue time; subject is '' for SMS
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    person_id       INTEGER REFERENCES people (id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- unix seconds: when the message is next due (a running job moves it forward as a lease)
    next_attempt_at INTEGER NOT NULL,
    -- the delivery run that holds the lease on this row (NULL when none)
    claim_token     TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
-- the delivery query: due pending messages, oldest due first
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
-- a person's messages, and the development mailbox by recipient
CREATE INDEX IF NOT EXISTS outbox_person ON outbox (person_id);
CREATE INDEX IF NOT EXISTS outbox_recipient ON outbox (recipient, id);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (5, 'outbox');
