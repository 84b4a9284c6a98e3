package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

const courseColumns = `c.id, c.title, c.summary, c.required, c.deadline, c.audience, c.status, c.created_by, c.created_at,
	c.updated_at, c.published_at`

// CreateCourse inserts c with its materials and sessions, setting its ID
// and CreatedAt.
func (db *DB) CreateCourse(ctx context.Context, c *model.Course) error {
	now := db.now().UTC()
	aud, _ := json.Marshal(c.Audience)
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO courses (title, summary, required, deadline, audience, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Title, c.Summary, c.Required, c.Deadline.UTC(), string(aud), c.Status, c.CreatedBy, now)
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return setCourseParts(ctx, tx, c)
	})
	if err != nil {
		return fmt.Errorf("storage: create course: %w", err)
	}
	c.CreatedAt, c.AudienceJS = now, string(aud)
	return nil
}

// UpdateCourse writes c's fields, status, materials and sessions.
func (db *DB) UpdateCourse(ctx context.Context, c *model.Course) error {
	now := db.now().UTC()
	aud, _ := json.Marshal(c.Audience)
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE courses SET title = ?, summary = ?, required = ?, deadline = ?, audience = ?,
			status = ?, published_at = ?, updated_at = ? WHERE id = ?`, c.Title, c.Summary, c.Required, c.Deadline.UTC(),
			string(aud), c.Status, c.PublishedAt, now, c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.ErrNotFound
		}
		return setCourseParts(ctx, tx, c)
	})
	if err != nil {
		return fmt.Errorf("storage: update course %d: %w", c.ID, err)
	}
	c.UpdatedAt = sql.NullTime{Time: now, Valid: true}
	return nil
}

func setCourseParts(ctx context.Context, tx *sqlx.Tx, c *model.Course) error {
	for _, q := range []string{`DELETE FROM course_materials WHERE course_id = ?`, `DELETE FROM course_meetings WHERE course_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, c.ID); err != nil {
			return err
		}
	}
	for i, m := range c.Materials {
		if _, err := tx.ExecContext(ctx, `INSERT INTO course_materials (course_id, material_id, seq) VALUES (?, ?, ?)`,
			c.ID, m.MaterialID, i); err != nil {
			return err
		}
	}
	for _, s := range c.Sessions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO course_meetings (course_id, meeting_id, hours) VALUES (?, ?, ?)`,
			c.ID, s.MeetingID, s.Hours); err != nil {
			return err
		}
	}
	return nil
}

// GetCourse returns the course with id, its materials and sessions, or
// ErrNotFound.
func (db *DB) GetCourse(ctx context.Context, id int64) (model.Course, error) {
	var c model.Course
	err := db.rq(ctx).GetContext(ctx, &c, `SELECT `+courseColumns+` FROM courses c WHERE c.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("storage: course %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("storage: course %d: %w", id, err)
	}
	if err := db.courseParts(ctx, &c); err != nil {
		return c, err
	}
	return utcCourse(c), nil
}

func (db *DB) courseParts(ctx context.Context, c *model.Course) error {
	if err := db.rq(ctx).SelectContext(ctx, &c.Materials, `SELECT cm.material_id, m.title, m.status FROM course_materials cm
		JOIN materials m ON m.id = cm.material_id WHERE cm.course_id = ? ORDER BY cm.seq`, c.ID); err != nil {
		return fmt.Errorf("storage: course %d materials: %w", c.ID, err)
	}
	if err := db.rq(ctx).SelectContext(ctx, &c.Sessions, `SELECT cm.meeting_id, m.title, m.starts_at, cm.hours FROM course_meetings cm
		JOIN meetings m ON m.id = cm.meeting_id WHERE cm.course_id = ? ORDER BY m.starts_at, m.id`, c.ID); err != nil {
		return fmt.Errorf("storage: course %d sessions: %w", c.ID, err)
	}
	for i := range c.Sessions {
		c.Sessions[i].StartsAt = c.Sessions[i].StartsAt.UTC()
	}
	return nil
}

func utcCourse(c model.Course) model.Course {
	_ = json.Unmarshal([]byte(c.AudienceJS), &c.Audience)
	c.Deadline, c.CreatedAt = c.Deadline.UTC(), c.CreatedAt.UTC()
	if c.UpdatedAt.Valid {
		c.UpdatedAt.Time = c.UpdatedAt.Time.UTC()
	}
	if c.PublishedAt.Valid {
		c.PublishedAt.Time = c.PublishedAt.Time.UTC()
	}
	return c
}

// ListCourses returns one page of courses, the latest deadline first, with
// how many deputies are enrolled in each, and how many there are.
func (db *DB) ListCourses(ctx context.Context, status, q string, limit, offset int) ([]model.CourseRow, int, error) {
	var conds []string
	var args []any
	if status != "" {
		conds, args = append(conds, `c.status = ?`), append(args, status)
	}
	if q = strings.TrimSpace(q); q != "" {
		// Courses are few: their titles and summaries are read as they are.
		p := "%" + strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(q) + "%"
		conds, args = append(conds, `(c.title LIKE ? ESCAPE '!' OR c.summary LIKE ? ESCAPE '!')`), append(args, p, p)
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, " AND ")
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM courses c`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count courses: %w", err)
	}
	sel := `SELECT ` + courseColumns + `, (SELECT COUNT(*) FROM course_enrolments e WHERE e.course_id = c.id) AS enrolled
		FROM courses c` + where + ` ORDER BY c.deadline DESC, c.id DESC`
	if limit > 0 {
		sel += fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, max(offset, 0))
	}
	var out []model.CourseRow
	if err := db.rq(ctx).SelectContext(ctx, &out, sel, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list courses: %w", err)
	}
	for i := range out {
		out[i].Course = utcCourse(out[i].Course)
	}
	return out, total, nil
}

// EnrolInCourse enrols the deputies (again harmlessly) and returns those
// who were not enrolled before.
func (db *DB) EnrolInCourse(ctx context.Context, courseID int64, deputyIDs []int64) ([]int64, error) {
	now := db.now().UTC()
	var added []int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, id := range deputyIDs {
			res, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO course_enrolments (course_id, deputy_id, enrolled_at) VALUES (?, ?, ?)`,
				courseID, id, now)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				added = append(added, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: enrol in course %d: %w", courseID, err)
	}
	return added, nil
}

// courseDone is the hours an enrolment e has earned in course c: one per
// course material studied, a session's hours per session attended.
const courseDone = `(SELECT COUNT(*) FROM material_studies s JOIN course_materials cm ON cm.material_id = s.material_id
		WHERE cm.course_id = e.course_id AND s.deputy_id = e.deputy_id) AS studied,
	(SELECT COALESCE(SUM(ct.hours), 0) FROM course_meetings ct JOIN invitations i ON i.meeting_id = ct.meeting_id
		WHERE ct.course_id = e.course_id AND i.deputy_id = e.deputy_id AND i.attended = 1) AS attended`

// CourseDeputies returns every deputy enrolled in the course with the
// hours they earned, by delegation and name.
func (db *DB) CourseDeputies(ctx context.Context, courseID int64) ([]model.CourseDeputy, error) {
	var out []model.CourseDeputy
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT e.deputy_id, d.name, COALESCE(g.name, '') AS delegation, `+courseDone+`
		FROM course_enrolments e JOIN deputies d ON d.id = e.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE e.course_id = ? ORDER BY COALESCE(g.name, ''), d.name, d.id`, courseID)
	if err != nil {
		return nil, fmt.Errorf("storage: course %d deputies: %w", courseID, err)
	}
	return out, nil
}

// DeputyCourses returns the published courses the deputy is enrolled in
// whose deadline is not past at now (holding the material, when
// materialID is not 0), soonest deadline first, with the hours earned.
func (db *DB) DeputyCourses(ctx context.Context, deputyID int64, now time.Time, materialID int64) ([]model.CourseProgress, error) {
	q := `SELECT ` + courseColumns + `, ` + courseDone + ` FROM course_enrolments e JOIN courses c ON c.id = e.course_id
		WHERE e.deputy_id = ? AND c.status = ? AND c.deadline >= ?`
	args := []any{deputyID, model.CoursePublished, now.UTC()}
	if materialID != 0 {
		q += ` AND EXISTS (SELECT 1 FROM course_materials x WHERE x.course_id = c.id AND x.material_id = ?)`
		args = append(args, materialID)
	}
	var rows []struct {
		model.Course
		Studied  int `db:"studied"`
		Attended int `db:"attended"`
	}
	// Sorted here, not by the database: ORDER BY on the joined courses
	// made MariaDB build a temporary table and sort it for every 学习, the
	// dearest statement of the chat's commands, for a handful of rows.
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: courses of deputy %d: %w", deputyID, err)
	}
	out := make([]model.CourseProgress, len(rows))
	for i, r := range rows {
		out[i] = model.CourseProgress{Course: utcCourse(r.Course), Done: r.Studied + r.Attended}
	}
	slices.SortFunc(out, func(a, b model.CourseProgress) int {
		if c := a.Deadline.Compare(b.Deadline); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// CoursesDue returns the published courses whose deadline falls between
// from and to.
func (db *DB) CoursesDue(ctx context.Context, from, to time.Time) ([]model.Course, error) {
	var out []model.Course
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT `+courseColumns+` FROM courses c WHERE c.status = ?
		AND c.deadline >= ? AND c.deadline <= ? ORDER BY c.id`, model.CoursePublished, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("storage: courses due: %w", err)
	}
	for i := range out {
		out[i] = utcCourse(out[i])
	}
	return out, nil
}

// UnremindedEnrolments lists the deputies enrolled in the course who have
// not been reminded of it.
func (db *DB) UnremindedEnrolments(ctx context.Context, courseID int64) (map[int64]bool, error) {
	var ids []int64
	if err := db.rq(ctx).SelectContext(ctx, &ids, `SELECT deputy_id FROM course_enrolments WHERE course_id = ? AND reminded_at IS NULL`,
		courseID); err != nil {
		return nil, fmt.Errorf("storage: course %d unreminded: %w", courseID, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// MarkCourseReminded records that the deputies were reminded of the course.
func (db *DB) MarkCourseReminded(ctx context.Context, courseID int64, deputyIDs []int64) error {
	for start := 0; start < len(deputyIDs); start += 500 {
		q, args, err := sqlx.In(`UPDATE course_enrolments SET reminded_at = ? WHERE course_id = ? AND deputy_id IN (?)`,
			db.now().UTC(), courseID, deputyIDs[start:min(start+500, len(deputyIDs))])
		if err != nil {
			return err
		}
		if _, err := db.wq(ctx).ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("storage: course %d reminded: %w", courseID, err)
		}
	}
	return nil
}

// CourseDeadlineOf returns the nearest deadline, not yet passed at now, of
// a published course holding the material, or ErrNotFound.
func (db *DB) CourseDeadlineOf(ctx context.Context, materialID int64, now time.Time) (time.Time, error) {
	var t time.Time
	err := db.rq(ctx).GetContext(ctx, &t, `SELECT c.deadline FROM courses c JOIN course_materials cm ON cm.course_id = c.id
		WHERE cm.material_id = ? AND c.status = 'published' AND c.deadline >= ? ORDER BY c.deadline LIMIT 1`, materialID, now.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("storage: course deadline of material %d: %w", materialID, model.ErrNotFound)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("storage: course deadline of material %d: %w", materialID, err)
	}
	return t.UTC(), nil
}
