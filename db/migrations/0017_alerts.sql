-- Saved offer searches and their e-mail alerts (X1). Owner: the `alerts` component;
-- `outbox_headers` is written by `outbox::enqueue` (crates/outbox) for any component
-- and read by the notifications component's delivery.
--
-- A saved search keeps the P2 filters as the offer search's own query string (`query`,
-- validated by `vacancy::search`, the parser of GET /api/offers) and a cursor: the
-- largest offer id already considered (`last_offer_id`). The alert job sends the open
-- offers matching the filters with an id above the cursor, then moves the cursor, the
-- period (`last_alert_at`) and queues the e-mail in one transaction: a crash before
-- the commit leaves everything as it was (the next run does it), after it nothing is
-- sent twice.
CREATE TABLE IF NOT EXISTS saved_searches (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people (id),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- the filters as a canonical query string (`q=cuoco&province=048`), '' for all offers
    query           TEXT NOT NULL,
    frequency       TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'none')),
    -- the largest offers.id already considered for this search's alerts
    last_offer_id   INTEGER NOT NULL DEFAULT 0,
    -- unix seconds of the last run that looked at this search (NULL: never)
    last_alert_at   INTEGER,
    -- unix seconds from which the search is due again (NULL when frequency = 'none')
    next_alert_at   INTEGER,
    -- the one-click unsubscribe token of the alerts' link (256 random bits, hex); kept
    -- as it is because every alert carries it (it can only stop this search's alerts)
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS saved_searches_person ON saved_searches (person_id, id);
-- the job's query: searches due, oldest due first
CREATE INDEX IF NOT EXISTS saved_searches_due ON saved_searches (next_alert_at, id) WHERE next_alert_at IS NOT NULL;

-- Extra mail headers of an outbox message (JSON object of strings), e.g. RFC 8058
-- `List-Unsubscribe` and `List-Unsubscribe-Post`; no row when a message has none.
CREATE TABLE IF NOT EXISTS outbox_headers (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    headers   TEXT NOT NULL
);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (17, 'alerts');
