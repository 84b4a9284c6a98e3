-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- Opinions on a draft regulation that the legislative affairs committee
-- adopted (采纳); the author is told when one is marked.
CREATE TABLE IF NOT EXISTS opinion_adoptions (
    opinion_id BIGINT NOT NULL PRIMARY KEY,
    adopted_by VARCHAR(100) NOT NULL DEFAULT '',
    adopted_at DATETIME(6) NOT NULL,
    note       VARCHAR(500) NOT NULL DEFAULT '',
    CONSTRAINT opinion_adoptions_opinion_fk FOREIGN KEY (opinion_id) REFERENCES opinions(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 双联系: committee members, each linked to 5–7 deputies, and the
-- contacts they log with them.
CREATE TABLE IF NOT EXISTS committee_members (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    phone      VARCHAR(32) NOT NULL DEFAULT '',
    title      VARCHAR(200) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS member_links (
    member_id BIGINT NOT NULL,
    deputy_id BIGINT NOT NULL,
    PRIMARY KEY (member_id, deputy_id),
    KEY member_links_deputy (deputy_id),
    CONSTRAINT member_links_member_fk FOREIGN KEY (member_id) REFERENCES committee_members(id) ON DELETE CASCADE,
    CONSTRAINT member_links_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS member_contacts (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    member_id  BIGINT NOT NULL,
    deputy_id  BIGINT NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    on_date    DATE NOT NULL,
    note       VARCHAR(500) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    KEY member_contacts_member (member_id, on_date),
    CONSTRAINT member_contacts_member_fk FOREIGN KEY (member_id) REFERENCES committee_members(id) ON DELETE CASCADE,
    CONSTRAINT member_contacts_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS member_contacts;
DROP TABLE IF EXISTS member_links;
DROP TABLE IF EXISTS committee_members;
DROP TABLE IF EXISTS opinion_adoptions;
