-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
CREATE TABLE IF NOT EXISTS notices (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind       VARCHAR(32) NOT NULL,
    title      VARCHAR(200) NOT NULL,
    body       MEDIUMTEXT NOT NULL,
    fields     TEXT NOT NULL,
    link       VARCHAR(500) NOT NULL DEFAULT '',
    urgent     TINYINT(1) NOT NULL DEFAULT 0,
    ref_kind   VARCHAR(32) NOT NULL DEFAULT '',
    ref_id     BIGINT NOT NULL DEFAULT 0,
    created_by VARCHAR(100) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS campaigns (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    notice_id    BIGINT NOT NULL,
    audience     TEXT NOT NULL,
    status       VARCHAR(16) NOT NULL,
    send_at      DATETIME(6) NOT NULL,
    reason       VARCHAR(500) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    expanded_at  DATETIME(6) NULL,
    finished_at  DATETIME(6) NULL,
    KEY campaigns_due (status, send_at),
    CONSTRAINT campaigns_notice_fk FOREIGN KEY (notice_id) REFERENCES notices(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS deliveries (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    source         VARCHAR(64) NOT NULL,
    campaign_id    BIGINT NULL,
    notice_id      BIGINT NOT NULL,
    deputy_id      BIGINT NOT NULL,
    openid         VARCHAR(64) NOT NULL DEFAULT '',
    status         VARCHAR(16) NOT NULL,
    urgent         TINYINT(1) NOT NULL DEFAULT 0,
    reason         VARCHAR(200) NOT NULL DEFAULT '',
    errcode        INT NOT NULL DEFAULT 0,
    channel        VARCHAR(16) NOT NULL DEFAULT '',
    channel_reason VARCHAR(100) NOT NULL DEFAULT '',
    client_msg_id  VARCHAR(64) NOT NULL DEFAULT '',
    msgid          BIGINT NULL,
    attempts       INT NOT NULL DEFAULT 0,
    next_at        DATETIME(6) NOT NULL,
    lease_until    DATETIME(6) NULL,
    first_try_at   DATETIME(6) NULL,
    created_at     DATETIME(6) NOT NULL,
    sent_at        DATETIME(6) NULL,
    delivered_at   DATETIME(6) NULL,
    read_at        DATETIME(6) NULL,
    UNIQUE KEY deliveries_source (source, deputy_id),
    KEY deliveries_due (status, next_at),
    KEY deliveries_campaign (campaign_id, status),
    KEY deliveries_msgid (msgid),
    KEY deliveries_deputy (deputy_id),
    CONSTRAINT deliveries_notice_fk FOREIGN KEY (notice_id) REFERENCES notices(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS send_quota (
    day  VARCHAR(10) NOT NULL PRIMARY KEY,
    used INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS send_quota;
DROP TABLE IF EXISTS deliveries;
DROP TABLE IF EXISTS campaigns;
DROP TABLE IF EXISTS notices;
