-- +goose Up
-- Liaison stations (代表联络站 / 代表之家): where deputies receive the
-- public, each with a page and a QR code where followers leave opinions.
CREATE TABLE stations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    address       TEXT NOT NULL DEFAULT '',
    map_url       TEXT NOT NULL DEFAULT '',
    delegation    TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

-- The deputies attached to a station.
CREATE TABLE station_deputies (
    station_id INTEGER NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    deputy_id  INTEGER NOT NULL REFERENCES deputies(id),
    PRIMARY KEY (station_id, deputy_id)
);
CREATE INDEX station_deputies_deputy ON station_deputies(deputy_id);

-- Reception days (接待日) are meetings of kind station, held at a station.
CREATE TABLE station_receptions (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations(id)
);
CREATE INDEX station_receptions_station ON station_receptions(station_id);

-- The last receipt sequence of public opinions per year (QY2026-00012).
CREATE TABLE public_opinion_counters (
    receipt_year INTEGER PRIMARY KEY,
    last_seq     INTEGER NOT NULL
);

-- Opinions the public (群众意见) leave at a station's page.
CREATE TABLE public_opinions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt      TEXT NOT NULL UNIQUE,
    station_id   INTEGER NOT NULL REFERENCES stations(id),
    openid       TEXT NOT NULL,
    category     TEXT NOT NULL,
    body         TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    anonymous    INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'new',
    unit         TEXT NOT NULL DEFAULT '',
    close_reason TEXT NOT NULL DEFAULT '',
    routed_by    TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    routed_at    DATETIME,
    handled_at   DATETIME
);
CREATE INDEX public_opinions_station ON public_opinions(station_id, created_at);
CREATE INDEX public_opinions_openid ON public_opinions(openid, station_id, created_at);
CREATE INDEX public_opinions_status ON public_opinions(status, created_at);

-- The deputies a public opinion was routed to, and their replies.
CREATE TABLE public_opinion_deputies (
    opinion_id INTEGER NOT NULL REFERENCES public_opinions(id) ON DELETE CASCADE,
    deputy_id  INTEGER NOT NULL REFERENCES deputies(id),
    PRIMARY KEY (opinion_id, deputy_id)
);
CREATE INDEX public_opinion_deputies_deputy ON public_opinion_deputies(deputy_id);

CREATE TABLE public_opinion_replies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    opinion_id INTEGER NOT NULL REFERENCES public_opinions(id) ON DELETE CASCADE,
    deputy_id  INTEGER REFERENCES deputies(id),
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX public_opinion_replies_opinion ON public_opinion_replies(opinion_id);

-- +goose Down
DROP TABLE public_opinion_replies;
DROP TABLE public_opinion_deputies;
DROP TABLE public_opinions;
DROP TABLE public_opinion_counters;
DROP TABLE station_receptions;
DROP TABLE station_deputies;
DROP TABLE stations;
