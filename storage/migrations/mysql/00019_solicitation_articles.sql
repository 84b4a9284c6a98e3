-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- The articles of a draft regulation under solicitation, split from the
-- text staff pasted: deputies' opinions name one of them (第十二条).
CREATE TABLE IF NOT EXISTS solicitation_articles (
    solicitation_id BIGINT NOT NULL,
    article_no      INT NOT NULL,
    heading         VARCHAR(50) NOT NULL,
    body            MEDIUMTEXT NOT NULL,
    PRIMARY KEY (solicitation_id, article_no),
    CONSTRAINT solicitation_articles_solicitation_fk FOREIGN KEY (solicitation_id) REFERENCES solicitations(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS solicitation_articles;
