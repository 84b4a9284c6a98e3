-- Every step is idempotent: MySQL DDL is not transactional, so a step
-- that failed half-way must be safe to run again.

-- +goose Up
CREATE TABLE IF NOT EXISTS delegations (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY delegations_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS deputies (
    id                 BIGINT AUTO_INCREMENT PRIMARY KEY,
    name               VARCHAR(100) NOT NULL,
    gender             VARCHAR(8) NOT NULL DEFAULT '',
    ethnicity          VARCHAR(32) NOT NULL DEFAULT '',
    birth_date         DATE NULL,
    delegation_id      BIGINT NULL,
    level              VARCHAR(16) NOT NULL DEFAULT 'provincial',
    grassroots         TINYINT(1) NOT NULL DEFAULT 0,
    occupation         VARCHAR(200) NOT NULL DEFAULT '',
    professional_group VARCHAR(100) NOT NULL DEFAULT '',
    phone              VARCHAR(20) NULL,
    status             VARCHAR(16) NOT NULL DEFAULT 'active',
    terminated_on      DATE NULL,
    termination_reason VARCHAR(200) NOT NULL DEFAULT '',
    openid             VARCHAR(64) NULL,
    bound_at           DATETIME(6) NULL,
    created_at         DATETIME(6) NOT NULL,
    updated_at         DATETIME(6) NOT NULL,
    UNIQUE KEY deputies_phone (phone),
    UNIQUE KEY deputies_openid (openid),
    KEY deputies_delegation (delegation_id),
    KEY deputies_name (name),
    CONSTRAINT deputies_delegation_fk FOREIGN KEY (delegation_id) REFERENCES delegations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS tags (
    id   BIGINT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    UNIQUE KEY tags_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS deputy_tags (
    deputy_id BIGINT NOT NULL,
    tag_id    BIGINT NOT NULL,
    PRIMARY KEY (deputy_id, tag_id),
    KEY deputy_tags_tag (tag_id),
    CONSTRAINT deputy_tags_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE,
    CONSTRAINT deputy_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS kv (
    k          VARCHAR(191) NOT NULL PRIMARY KEY,
    v          TEXT NOT NULL,
    expires_at DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS kv;
DROP TABLE IF EXISTS deputy_tags;
DROP TABLE IF EXISTS tags;
DROP TABLE IF EXISTS deputies;
DROP TABLE IF EXISTS delegations;
