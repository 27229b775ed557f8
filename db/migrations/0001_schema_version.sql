-- Owner: migrations (applied by the host at start with --sqlite, in file order).
-- Every migration is idempotent: it runs at each start.
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (1, 'schema_version');
