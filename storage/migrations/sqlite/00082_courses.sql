-- +goose Up
-- Courses (学习班 / 专题学习): an ordered set of materials and offline
-- sessions (meetings of kind study) with the study hours (学时) a deputy
-- must earn by a deadline; the audience is enrolled when it is published.
CREATE TABLE courses (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    required     INTEGER NOT NULL,
    deadline     DATETIME NOT NULL,
    audience     TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'draft',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME,
    published_at DATETIME
);
CREATE INDEX courses_status ON courses(status, deadline);

CREATE TABLE course_materials (
    course_id   INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    material_id INTEGER NOT NULL REFERENCES materials(id),
    seq         INTEGER NOT NULL,
    PRIMARY KEY (course_id, material_id)
);
CREATE INDEX course_materials_material ON course_materials(material_id);

-- Offline sessions: meetings of kind study whose attendance counts.
CREATE TABLE course_meetings (
    course_id  INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    hours      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (course_id, meeting_id)
);

CREATE TABLE course_enrolments (
    course_id   INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
    deputy_id   INTEGER NOT NULL REFERENCES deputies(id) ON DELETE CASCADE,
    enrolled_at DATETIME NOT NULL,
    reminded_at DATETIME,
    PRIMARY KEY (course_id, deputy_id)
);
CREATE INDEX course_enrolments_deputy ON course_enrolments(deputy_id);

-- +goose Down
DROP TABLE course_enrolments;
DROP TABLE course_meetings;
DROP TABLE course_materials;
DROP TABLE courses;
