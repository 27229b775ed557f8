-- Demo data (development and tests, never production): a few courses of the regional
-- training catalogue (records component, db/migrations/0015_records.sql), as an import
-- of the Regione Toscana's catalogue would write them; operators add others from
-- /operatore/schede/ and enrol their citizens.
INSERT OR IGNORE INTO training_courses (id, title, description, trainer, start_date, end_date, created_by, created_at, updated_at) VALUES
  (1, 'Addetto alla segreteria amministrativa', 'Percorso di qualifica di 600 ore con 240 ore di stage in azienda.', 'Agenzia Formativa Toscana Lavoro', '2026-02-02', '2026-10-30', NULL, 0, 0),
  (2, 'Tecniche di cucina e HACCP', 'Corso breve di 40 ore per addetti alla ristorazione, con attestato HACCP.', 'Centro di Formazione Professionale di Firenze', '2026-03-09', '2026-04-10', NULL, 0, 0),
  (3, 'Competenze digitali di base', 'Corso gratuito di 60 ore: posta elettronica, fogli di calcolo, servizi pubblici online con SPID.', 'Ente Formativo Valdarno', '2026-01-12', '2026-03-27', NULL, 0, 0),
  (4, 'Operatore della logistica e del magazzino', 'Percorso di 300 ore con patentino per carrello elevatore.', 'Agenzia Formativa Pisa Costa', '2026-04-06', '2026-07-31', NULL, 0, 0);
