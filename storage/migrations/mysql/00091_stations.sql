-- Every step is idempotent (MySQL DDL is not transactional).

-- +goose Up
-- Liaison stations (代表联络站 / 代表之家): where deputies receive the
-- public, each with a page and a QR code where followers leave opinions.
CREATE TABLE IF NOT EXISTS stations (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    address       VARCHAR(200) NOT NULL DEFAULT '',
    map_url       VARCHAR(500) NOT NULL DEFAULT '',
    delegation    VARCHAR(100) NOT NULL DEFAULT '',
    contact_name  VARCHAR(50) NOT NULL DEFAULT '',
    contact_phone VARCHAR(50) NOT NULL DEFAULT '',
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    UNIQUE KEY stations_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The deputies attached to a station.
CREATE TABLE IF NOT EXISTS station_deputies (
    station_id BIGINT NOT NULL,
    deputy_id  BIGINT NOT NULL,
    PRIMARY KEY (station_id, deputy_id),
    KEY station_deputies_deputy (deputy_id),
    CONSTRAINT station_deputies_station_fk FOREIGN KEY (station_id) REFERENCES stations(id) ON DELETE CASCADE,
    CONSTRAINT station_deputies_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Reception days (接待日) are meetings of kind station, held at a station.
CREATE TABLE IF NOT EXISTS station_receptions (
    meeting_id BIGINT NOT NULL PRIMARY KEY,
    station_id BIGINT NOT NULL,
    KEY station_receptions_station (station_id),
    CONSTRAINT station_receptions_meeting_fk FOREIGN KEY (meeting_id) REFERENCES meetings(id) ON DELETE CASCADE,
    CONSTRAINT station_receptions_station_fk FOREIGN KEY (station_id) REFERENCES stations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The last receipt sequence of public opinions per year (QY2026-00012).
CREATE TABLE IF NOT EXISTS public_opinion_counters (
    receipt_year INT NOT NULL PRIMARY KEY,
    last_seq     INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Opinions the public (群众意见) leave at a station's page.
CREATE TABLE IF NOT EXISTS public_opinions (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    receipt      VARCHAR(32) NOT NULL,
    station_id   BIGINT NOT NULL,
    openid       VARCHAR(64) NOT NULL,
    category     VARCHAR(32) NOT NULL,
    body         MEDIUMTEXT NOT NULL,
    name         VARCHAR(50) NOT NULL DEFAULT '',
    phone        VARCHAR(32) NOT NULL DEFAULT '',
    anonymous    TINYINT(1) NOT NULL DEFAULT 0,
    status       VARCHAR(16) NOT NULL DEFAULT 'new',
    unit         VARCHAR(100) NOT NULL DEFAULT '',
    close_reason VARCHAR(500) NOT NULL DEFAULT '',
    routed_by    VARCHAR(100) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    routed_at    DATETIME(6) NULL,
    handled_at   DATETIME(6) NULL,
    UNIQUE KEY public_opinions_receipt (receipt),
    KEY public_opinions_station (station_id, created_at),
    KEY public_opinions_openid (openid, station_id, created_at),
    KEY public_opinions_status (status, created_at),
    CONSTRAINT public_opinions_station_fk FOREIGN KEY (station_id) REFERENCES stations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The deputies a public opinion was routed to, and their replies.
CREATE TABLE IF NOT EXISTS public_opinion_deputies (
    opinion_id BIGINT NOT NULL,
    deputy_id  BIGINT NOT NULL,
    PRIMARY KEY (opinion_id, deputy_id),
    KEY public_opinion_deputies_deputy (deputy_id),
    CONSTRAINT public_opinion_deputies_opinion_fk FOREIGN KEY (opinion_id) REFERENCES public_opinions(id) ON DELETE CASCADE,
    CONSTRAINT public_opinion_deputies_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS public_opinion_replies (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    opinion_id BIGINT NOT NULL,
    deputy_id  BIGINT NULL,
    author     VARCHAR(100) NOT NULL,
    body       MEDIUMTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY public_opinion_replies_opinion (opinion_id),
    CONSTRAINT public_opinion_replies_opinion_fk FOREIGN KEY (opinion_id) REFERENCES public_opinions(id) ON DELETE CASCADE,
    CONSTRAINT public_opinion_replies_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS public_opinion_replies;
DROP TABLE IF EXISTS public_opinion_deputies;
DROP TABLE IF EXISTS public_opinions;
DROP TABLE IF EXISTS public_opinion_counters;
DROP TABLE IF EXISTS station_receptions;
DROP TABLE IF EXISTS station_deputies;
DROP TABLE IF EXISTS stations;
