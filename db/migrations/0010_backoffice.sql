-- Owner: backoffice component (O1), except audit_log (the access library,
-- access::audit, the one writer every component's operator actions go through).

-- Who works in the back office: CPI operators (of one CPI per row) and administrators.
-- Granted by codice fiscale, so an administrator can name someone before their first
-- login; the first administrators of a deployment come from the variable
-- `bootstrap_admins` instead (a fresh install needs no SQL). Revoked rows stay, for the
-- record.
CREATE TABLE IF NOT EXISTS staff_roles (
    id          INTEGER PRIMARY KEY,
    fiscal_code TEXT NOT NULL CHECK (length(fiscal_code) = 16),
    role        TEXT NOT NULL CHECK (role IN ('operator', 'admin')),
    -- the CPI of an operator; NULL for an administrator
    cpi_code    TEXT REFERENCES cpis (code),
    granted_by  TEXT NOT NULL,
    granted_at  INTEGER NOT NULL,
    revoked_by  TEXT,
    revoked_at  INTEGER,
    CHECK ((role = 'operator') = (cpi_code IS NOT NULL))
);
-- one current grant per person, role and CPI
CREATE UNIQUE INDEX IF NOT EXISTS staff_roles_current ON staff_roles (fiscal_code, role, coalesce(cpi_code, '')) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS staff_roles_cpi ON staff_roles (cpi_code) WHERE revoked_at IS NULL;

-- Every operator and administrator action: who, when, as what, on what, and the values
-- before and after (JSON). Never updated or deleted.
CREATE TABLE IF NOT EXISTS audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES people (id),
    actor_cf    TEXT NOT NULL,
    -- operator | admin
    role        TEXT NOT NULL,
    cpi_code    TEXT,
    -- e.g. offer.publish, application.status, role.grant
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at, id);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor_cf, at);
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log (entity, entity_id, at);

-- The provinces each area's CPIs serve (the areas are the provinces, and the
-- Circondario Empolese Valdelsa inside the Città metropolitana di Firenze): a citizen
-- belongs to the CPIs of the area of their domicile's province. Source: Regione
-- Toscana, ARTI — Centri per l'impiego per provincia.
CREATE TABLE IF NOT EXISTS area_provinces (
    area_code     TEXT NOT NULL REFERENCES areas (code),
    province_code TEXT NOT NULL,
    PRIMARY KEY (area_code, province_code)
) WITHOUT ROWID;
INSERT OR IGNORE INTO area_provinces (area_code, province_code) VALUES
  ('arezzo', '051'), ('firenze', '048'), ('empolese-valdelsa', '048'), ('grosseto', '053'),
  ('livorno', '049'), ('lucca', '046'), ('massa-carrara', '045'), ('pisa', '050'),
  ('pistoia', '047'), ('prato', '100'), ('siena', '052');

-- What an offer published from the back office adds to the public offer (`offers`,
-- whose writer is now this component too): the company it is for, how applications
-- are made (online: Compila candidatura with CPI preselection; text: only the offer's
-- "how to apply"), who created and last changed it. Offers of the demo data have no
-- row: they take applications online when their type is a preselection.
CREATE TABLE IF NOT EXISTS offer_terms (
    offer_id         INTEGER PRIMARY KEY REFERENCES offers (id),
    company_id       INTEGER REFERENCES companies (id),
    application_mode TEXT NOT NULL CHECK (application_mode IN ('online', 'text')),
    created_by       INTEGER NOT NULL REFERENCES people (id),
    created_at       INTEGER NOT NULL,
    updated_by       INTEGER NOT NULL REFERENCES people (id),
    updated_at       INTEGER NOT NULL,
    closed_at        INTEGER
);
CREATE INDEX IF NOT EXISTS offer_terms_company ON offer_terms (company_id);

-- The requirements a candidate declares to hold ("Dichiaro di essere in possesso del
-- requisito"), in order.
CREATE TABLE IF NOT EXISTS offer_requirements (
    offer_id INTEGER NOT NULL REFERENCES offers (id),
    position INTEGER NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (offer_id, position)
) WITHOUT ROWID;

-- Offers an operator is still writing: the form as saved (JSON), checked in full only
-- when published; never public.
CREATE TABLE IF NOT EXISTS offer_drafts (
    id          INTEGER PRIMARY KEY,
    cpi_code    TEXT NOT NULL REFERENCES cpis (code),
    data        TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS offer_drafts_cpi ON offer_drafts (cpi_code, updated_at);
INSERT OR IGNORE INTO schema_version (version, name) VALUES (10, 'backoffice');
