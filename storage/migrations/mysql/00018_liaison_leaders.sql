-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- 双联系, second part. A committee member reaches the bot either through
-- the deputy record they hold (deputy_id) or, when not a deputy, by
-- binding their own WeChat with a code issued in the console.
CREATE TABLE IF NOT EXISTS member_bindings (
    member_id         BIGINT NOT NULL PRIMARY KEY,
    deputy_id         BIGINT NULL,
    openid            VARCHAR(64) NULL,
    bound_at          DATETIME(6) NULL,
    bind_code         VARCHAR(6) NULL,
    bind_code_expires DATETIME(6) NULL,
    UNIQUE KEY member_bindings_deputy (deputy_id),
    UNIQUE KEY member_bindings_openid (openid),
    KEY member_bindings_code (bind_code),
    CONSTRAINT member_bindings_member_fk FOREIGN KEY (member_id) REFERENCES committee_members(id) ON DELETE CASCADE,
    CONSTRAINT member_bindings_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Provincial leaders who are deputies, linked to their electoral unit
-- (选举单位, the delegation of the registry), and the activities they
-- attend there: the plan asks for at least one a year.
CREATE TABLE IF NOT EXISTS liaison_leaders (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    deputy_id     BIGINT NOT NULL,
    delegation_id BIGINT NOT NULL,
    title         VARCHAR(200) NOT NULL DEFAULT '',
    created_at    DATETIME(6) NOT NULL,
    UNIQUE KEY liaison_leaders_deputy (deputy_id),
    CONSTRAINT liaison_leaders_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE,
    CONSTRAINT liaison_leaders_delegation_fk FOREIGN KEY (delegation_id) REFERENCES delegations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS leader_activities (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    leader_id  BIGINT NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    on_date    DATE NOT NULL,
    note       VARCHAR(500) NOT NULL DEFAULT '',
    created_by VARCHAR(100) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    KEY leader_activities_leader (leader_id, on_date),
    CONSTRAINT leader_activities_leader_fk FOREIGN KEY (leader_id) REFERENCES liaison_leaders(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS leader_activities;
DROP TABLE IF EXISTS liaison_leaders;
DROP TABLE IF EXISTS member_bindings;
