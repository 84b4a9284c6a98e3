-- +goose Up
-- Courses (学习班 / 专题学习): an ordered set of materials and offline
-- sessions (meetings of kind study) with the study hours (学时) a deputy
-- must earn by a deadline; the audience is enrolled when it is published.
CREATE TABLE IF NOT EXISTS courses (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    title        VARCHAR(200) NOT NULL,
    summary      TEXT NOT NULL,
    required     INT NOT NULL,
    deadline     DATETIME(6) NOT NULL,
    audience     TEXT NOT NULL,
    status       VARCHAR(16) NOT NULL DEFAULT 'draft',
    created_by   VARCHAR(100) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    updated_at   DATETIME(6) NULL,
    published_at DATETIME(6) NULL,
    KEY courses_status (status, deadline)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS course_materials (
    course_id   BIGINT NOT NULL,
    material_id BIGINT NOT NULL,
    seq         INT NOT NULL,
    PRIMARY KEY (course_id, material_id),
    KEY course_materials_material (material_id),
    CONSTRAINT course_materials_course_fk FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE CASCADE,
    CONSTRAINT course_materials_material_fk FOREIGN KEY (material_id) REFERENCES materials(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Offline sessions: meetings of kind study whose attendance counts.
CREATE TABLE IF NOT EXISTS course_meetings (
    course_id  BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    hours      INT NOT NULL DEFAULT 1,
    PRIMARY KEY (course_id, meeting_id),
    CONSTRAINT course_meetings_course_fk FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE CASCADE,
    CONSTRAINT course_meetings_meeting_fk FOREIGN KEY (meeting_id) REFERENCES meetings(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS course_enrolments (
    course_id   BIGINT NOT NULL,
    deputy_id   BIGINT NOT NULL,
    enrolled_at DATETIME(6) NOT NULL,
    reminded_at DATETIME(6) NULL,
    PRIMARY KEY (course_id, deputy_id),
    KEY course_enrolments_deputy (deputy_id),
    CONSTRAINT course_enrolments_course_fk FOREIGN KEY (course_id) REFERENCES courses(id) ON DELETE CASCADE,
    CONSTRAINT course_enrolments_deputy_fk FOREIGN KEY (deputy_id) REFERENCES deputies(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE IF EXISTS course_enrolments;
DROP TABLE IF EXISTS course_meetings;
DROP TABLE IF EXISTS course_materials;
DROP TABLE IF EXISTS courses;
