-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS solicitations (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    title      VARCHAR(200) NOT NULL,
    summary    TEXT NOT NULL,
    link       VARCHAR(1000) NOT NULL DEFAULT '',
    articles   INT NOT NULL DEFAULT 0,
    opens_at   DATETIME(6) NOT NULL,
    closes_at  DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY solicitations_window (closes_at, opens_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The last receipt sequence handed out per year: bumped in the same
-- transaction as the opinion it numbers (the row lock serializes writers).
CREATE TABLE IF NOT EXISTS opinion_counters (
    receipt_year INT NOT NULL PRIMARY KEY,
    last_seq     INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS opinions (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    receipt         VARCHAR(32) NOT NULL,
    deputy_id       BIGINT NOT NULL,
    category        VARCHAR(16) NOT NULL,
    solicitation_id BIGINT NULL,
    article         VARCHAR(100) NOT NULL DEFAULT '',
    body            MEDIUMTEXT NOT NULL,
    status          VARCHAR(16) NOT NULL DEFAULT 'received',
    staff_reply     MEDIUMTEXT NOT NULL,
    replied_at      DATETIME(6) NULL,
    channel         VARCHAR(16) NOT NULL DEFAULT 'wechat',
    created_at      DATETIME(6) NOT NULL,
    UNIQUE KEY opinions_receipt (receipt),
    KEY opinions_deputy (deputy_id, created_at),
    KEY opinions_solicitation (solicitation_id),
    KEY opinions_status (status, created_at),
    CONSTRAINT opinions_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id),
    CONSTRAINT opinions_solicitation_fk FOREIGN KEY (solicitation_id) REFERENCES solicitations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS surveys (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    title      VARCHAR(200) NOT NULL,
    intro      TEXT NOT NULL,
    anonymous  TINYINT(1) NOT NULL DEFAULT 0,
    opens_at   DATETIME(6) NOT NULL,
    closes_at  DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY surveys_window (closes_at, opens_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS survey_questions (
    id        BIGINT AUTO_INCREMENT PRIMARY KEY,
    survey_id BIGINT NOT NULL,
    position  INT NOT NULL,
    kind      VARCHAR(16) NOT NULL,
    text      VARCHAR(500) NOT NULL,
    options   TEXT NOT NULL,
    optional  TINYINT(1) NOT NULL DEFAULT 0,
    UNIQUE KEY survey_questions_position (survey_id, position),
    CONSTRAINT survey_questions_survey_fk FOREIGN KEY (survey_id) REFERENCES surveys(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A response's id is random, not AUTO_INCREMENT, so neither ids nor the
-- clustered order reveal the order in which deputies answered an anonymous
-- survey. deputy_id is NULL for anonymous surveys.
CREATE TABLE IF NOT EXISTS survey_responses (
    id           BIGINT NOT NULL PRIMARY KEY,
    survey_id    BIGINT NOT NULL,
    deputy_id    BIGINT NULL,
    submitted_at DATETIME(6) NOT NULL,
    updated_at   DATETIME(6) NOT NULL,
    UNIQUE KEY survey_responses_deputy (survey_id, deputy_id),
    CONSTRAINT survey_responses_survey_fk FOREIGN KEY (survey_id) REFERENCES surveys(id) ON DELETE CASCADE,
    CONSTRAINT survey_responses_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS survey_answers (
    response_id BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id),
    KEY survey_answers_question (question_id),
    CONSTRAINT survey_answers_response_fk FOREIGN KEY (response_id) REFERENCES survey_responses(id) ON DELETE CASCADE,
    CONSTRAINT survey_answers_question_fk FOREIGN KEY (question_id) REFERENCES survey_questions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Only THAT a deputy answered (to stop reminders and refuse a second
-- anonymous submission), never what.
CREATE TABLE IF NOT EXISTS survey_participants (
    survey_id   BIGINT NOT NULL,
    deputy_id   BIGINT NOT NULL,
    answered_at DATETIME(6) NOT NULL,
    PRIMARY KEY (survey_id, deputy_id),
    KEY survey_participants_deputy (deputy_id),
    CONSTRAINT survey_participants_survey_fk FOREIGN KEY (survey_id) REFERENCES surveys(id) ON DELETE CASCADE,
    CONSTRAINT survey_participants_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS materials (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    title        VARCHAR(200) NOT NULL,
    summary      TEXT NOT NULL,
    link         VARCHAR(1000) NOT NULL DEFAULT '',
    body         MEDIUMTEXT NOT NULL,
    published_at DATETIME(6) NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    KEY materials_published (published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS material_studies (
    material_id BIGINT NOT NULL,
    deputy_id   BIGINT NOT NULL,
    studied_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (material_id, deputy_id),
    KEY material_studies_deputy (deputy_id),
    CONSTRAINT material_studies_material_fk FOREIGN KEY (material_id) REFERENCES materials(id) ON DELETE CASCADE,
    CONSTRAINT material_studies_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS material_studies;
DROP TABLE IF EXISTS materials;
DROP TABLE IF EXISTS survey_participants;
DROP TABLE IF EXISTS survey_answers;
DROP TABLE IF EXISTS survey_responses;
DROP TABLE IF EXISTS survey_questions;
DROP TABLE IF EXISTS surveys;
DROP TABLE IF EXISTS opinions;
DROP TABLE IF EXISTS opinion_counters;
DROP TABLE IF EXISTS solicitations;
