-- Demo data (development and tests, never production): the demo IdP's first test
-- identity, Mario Rossi (config/test-idp/identities.json), is a registered citizen with
-- an active account and an incarico as legal representative of ACME S.R.L. (demo
-- company 1, db/seed/0003_companies.sql): logging in as him shows the portal as a
-- registered person sees it, and acting as a company (A3). The other test identities
-- are not registered: logging in as them starts the registration (A1).
-- Applied at every start: each statement leaves existing rows alone.
INSERT OR IGNORE INTO people (fiscal_code, name, family_name, date_of_birth, place_of_birth, gender, email, mobile_phone,
    last_method, last_idp, first_login_at, last_login_at)
VALUES ('RSSMRA85C14D612R', 'Mario', 'Rossi', '1985-03-14', 'D612', 'M', 'mario.rossi@example.org', '+393471234567',
    'spid', 'urn:toscana-lavoro:demo-idp:spid', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z');

INSERT OR IGNORE INTO accounts (person_id, status, registered_as, date_of_birth, place_of_birth,
    residence_istat, residence_cap, residence_address, domicile_same, email, email_verified_at, mobile, mobile_verified_at,
    privacy_version, privacy_accepted_at, registered_at, activated_at, updated_at)
SELECT id, 'active', 'citizen', '1985-03-14', 'D612',
    '048017', '50122', 'Via dei Calzaiuoli 1', 1, 'mario.rossi@example.org', '2026-01-01T09:10:00Z', '+393471234567', '2026-01-01T09:05:00Z',
    '2026-01', '2026-01-01T09:05:00Z', '2026-01-01T09:05:00Z', '2026-01-01T09:10:00Z', '2026-01-01T09:10:00Z'
FROM people WHERE fiscal_code = 'RSSMRA85C14D612R';

-- once: a revoked demo incarico stays revoked across restarts
INSERT INTO incarichi (person_id, company_id, role, declaration_version, declaration_accepted_at, created_at)
SELECT p.id, c.id, 'rappresentante_legale', '2026-01', '2026-01-01T09:15:00Z', '2026-01-01T09:15:00Z'
FROM people p JOIN companies c ON c.fiscal_code = '01234560488'
WHERE p.fiscal_code = 'RSSMRA85C14D612R'
  AND NOT EXISTS (SELECT 1 FROM incarichi i WHERE i.person_id = p.id AND i.company_id = c.id);
