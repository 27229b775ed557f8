-- Owner: records component (C7 lists of activities and regional courses, C8, C9 SAP,
-- C11 Libretto formativo, X8 export, O1 records kept by the CPI operators).
--
-- Reference lists (activity codes, Garanzia Giovani actions, titles of study, languages,
-- CEFR levels, driving licences) are filled from the data files of db/records/ by
-- db/generate.mjs (db/reference/0003_records.sql); see db/records/README.md for sources.

CREATE TABLE IF NOT EXISTS ref_policy_activities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_gg_actions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_study_titles (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_languages (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_language_levels (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ref_driving_licences (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- Section 1.2 and section 2 of the SAP: one row a person, written by operators of the
-- person's CPI. Dates are ISO (aaaa-mm-gg); NULL = not stated.
CREATE TABLE IF NOT EXISTS record_admin (
    person_id            INTEGER PRIMARY KEY REFERENCES people (id),
    citizenship          TEXT,
    permit_type          TEXT,
    permit_number        TEXT,
    permit_reason        TEXT,
    permit_expiry        TEXT,
    last_renewal         TEXT,
    phone                TEXT,
    fax                  TEXT,
    employment_status    TEXT,
    condition            TEXT,
    category_297         TEXT,
    unemployment_months  INTEGER,
    did_date             TEXT,
    unemployed_since     TEXT,
    entry_date           TEXT,
    mobility_lists       TEXT,
    obligation_fulfilled INTEGER CHECK (obligation_fulfilled IN (0, 1)),
    special_categories   TEXT,
    isee                 TEXT,
    updated_by           INTEGER NOT NULL REFERENCES people (id),
    updated_at           INTEGER NOT NULL
);

-- Section 4.1: work experiences. `validated` = recorded in the Libretto formativo.
CREATE TABLE IF NOT EXISTS record_experiences (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    employer    TEXT NOT NULL,
    role        TEXT NOT NULL,
    contract    TEXT,
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    description TEXT,
    validated   INTEGER NOT NULL DEFAULT 0 CHECK (validated IN (0, 1)),
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_experiences_person ON record_experiences (person_id, start_date);

-- Section 5.1: titles of study.
CREATE TABLE IF NOT EXISTS record_education (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    title_code  TEXT NOT NULL REFERENCES ref_study_titles (code),
    description TEXT,
    institute   TEXT,
    year        INTEGER,
    validated   INTEGER NOT NULL DEFAULT 0 CHECK (validated IN (0, 1)),
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_education_person ON record_education (person_id);

-- Section 5.2: vocational training.
CREATE TABLE IF NOT EXISTS record_training (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    title       TEXT NOT NULL,
    provider    TEXT,
    hours       INTEGER,
    end_date    TEXT,
    certificate TEXT,
    validated   INTEGER NOT NULL DEFAULT 0 CHECK (validated IN (0, 1)),
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_training_person ON record_training (person_id);

-- Section 5.3: foreign languages with a CEFR level.
CREATE TABLE IF NOT EXISTS record_languages (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people (id),
    language_code TEXT NOT NULL REFERENCES ref_languages (code),
    level_code    TEXT NOT NULL REFERENCES ref_language_levels (code),
    created_by    INTEGER NOT NULL REFERENCES people (id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_languages_person ON record_languages (person_id);

-- Section 5.4: IT skills.
CREATE TABLE IF NOT EXISTS record_it_skills (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    skill      TEXT NOT NULL,
    level      TEXT,
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_it_skills_person ON record_it_skills (person_id);

-- Section 5.5.1: albi and ordini professionali.
CREATE TABLE IF NOT EXISTS record_albi (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    name       TEXT NOT NULL,
    number     TEXT,
    since      TEXT,
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_albi_person ON record_albi (person_id);

-- Section 5.5.2: driving licences.
CREATE TABLE IF NOT EXISTS record_licences (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    licence_code TEXT NOT NULL REFERENCES ref_driving_licences (code),
    issued_on    TEXT,
    created_by   INTEGER NOT NULL REFERENCES people (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_licences_person ON record_licences (person_id);

-- Section 5.5.3: special lists (e.g. collocamento mirato L. 68/99).
CREATE TABLE IF NOT EXISTS record_special_lists (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    list_name  TEXT NOT NULL,
    since      TEXT,
    until      TEXT,
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_special_lists_person ON record_special_lists (person_id);

-- Section 6 and "Elenco attività 150/percettori/RDC": active-policy activities, with the
-- colloquio they were agreed in (date, type, responsible).
CREATE TABLE IF NOT EXISTS record_activities (
    id                    INTEGER PRIMARY KEY,
    person_id             INTEGER NOT NULL REFERENCES people (id),
    activity_code         TEXT NOT NULL REFERENCES ref_policy_activities (code),
    denomination          TEXT,
    proposed_on           TEXT NOT NULL,
    appointment_on        TEXT,
    started_on            TEXT,
    ended_on              TEXT,
    duration              TEXT,
    description           TEXT,
    promoter              TEXT,
    project               TEXT,
    interview_date        TEXT,
    interview_type        TEXT,
    interview_responsible TEXT,
    created_by            INTEGER NOT NULL REFERENCES people (id),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_activities_person ON record_activities (person_id, proposed_on);

-- "Elenco attività Garanzia Giovani".
CREATE TABLE IF NOT EXISTS record_gg_activities (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people (id),
    proposed_on    TEXT NOT NULL,
    action_code    TEXT NOT NULL REFERENCES ref_gg_actions (code),
    appointment_at TEXT,
    provider       TEXT,
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS record_gg_activities_person ON record_gg_activities (person_id, proposed_on);

-- The regional training catalogue (kept by operators or an import) and enrolments.
CREATE TABLE IF NOT EXISTS training_courses (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    trainer     TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    created_by  INTEGER REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS course_enrolments (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    course_id  INTEGER NOT NULL REFERENCES training_courses (id),
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (person_id, course_id)
);

INSERT OR IGNORE INTO schema_version (version, name) VALUES (15, 'records');
