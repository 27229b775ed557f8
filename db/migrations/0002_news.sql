-- Owner: news component. Public news and events shown on the home page and /news/.
CREATE TABLE IF NOT EXISTS news (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL,
    -- ISO 8601 date (YYYY-MM-DD) of publication
    published_at TEXT NOT NULL,
    -- who published it, e.g. "Toscana Notizie"
    source       TEXT NOT NULL DEFAULT 'Toscana Lavoro',
    kind         TEXT NOT NULL DEFAULT 'news' CHECK (kind IN ('news', 'evento'))
);
CREATE INDEX IF NOT EXISTS news_published ON news (published_at DESC, id DESC);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (2, 'news');
