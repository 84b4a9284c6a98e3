-- +goose Up
-- The articles of a draft regulation under solicitation, split from the
-- text staff pasted: deputies' opinions name one of them (第十二条).
CREATE TABLE solicitation_articles (
    solicitation_id INTEGER NOT NULL REFERENCES solicitations(id) ON DELETE CASCADE,
    article_no      INTEGER NOT NULL,
    heading         TEXT NOT NULL,
    body            TEXT NOT NULL,
    PRIMARY KEY (solicitation_id, article_no)
);

-- +goose Down
DROP TABLE solicitation_articles;
