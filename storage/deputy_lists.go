package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// The read commands' lists for many deputies at once, by the openids they
// are bound to: concurrent chat messages share one query per command kind.
// Each deputy's list holds the same rows, in the same order, as the single
// read; a deputy with nothing is missing.

// deputiesIn is the condition that col (a deputy id) is that of a
// deputy bound to one of a list of openids (a chat message's sender, read
// at the same time as the deputy bound to it, so that a batch waits for
// one round trip).
func deputiesIn(col string) string {
	return col + ` IN (SELECT id FROM deputies WHERE openid IN (?))`
}

// LatestMaterialsOf returns, for each deputy bound to one of openids, what
// DeputyMaterials returns
// with no search: the limit latest materials deputies see, each with that
// deputy's study mark and reading time. One query: the latest materials
// joined with every deputy of the batch and their marks.
func (db *DB) LatestMaterialsOf(ctx context.Context, openids []string, limit int) (map[int64][]model.DeputyMaterial, error) {
	out := map[int64][]model.DeputyMaterial{}
	if len(openids) == 0 || limit <= 0 {
		return out, nil
	}
	var rows []struct {
		deputyMaterialRow
		DeputyID int64 `db:"deputy_id"`
	}
	q, args, err := sqlx.In(`SELECT `+materialColumns+`, d.id AS deputy_id, s.studied_at, r.seconds FROM materials m
		JOIN (SELECT id FROM materials WHERE status = ? AND published_at <= ? ORDER BY published_at DESC, id DESC LIMIT ?) x ON x.id = m.id
		JOIN deputies d ON d.openid IN (?)
		LEFT JOIN material_studies s ON s.material_id = m.id AND s.deputy_id = d.id
		LEFT JOIN material_reads r ON r.material_id = m.id AND r.deputy_id = d.id
		ORDER BY m.published_at DESC, m.id DESC, d.id`, model.MaterialPublished, db.now().UTC(), limit, openids)
	if err != nil {
		return nil, fmt.Errorf("storage: latest materials of deputies: %w", err)
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: latest materials of deputies: %w", err)
	}
	for _, r := range rows {
		out[r.DeputyID] = append(out[r.DeputyID], model.DeputyMaterial{Material: utcMaterial(r.Material),
			StudiedAt: timePtr(r.StudiedAt), ReadSeconds: int(r.Seconds.Int64)})
	}
	return out, nil
}

// CoursesOf returns, for each deputy bound to one of openids, what
// DeputyCourses returns for all
// materials: their open courses with their progress, the soonest deadline
// first.
func (db *DB) CoursesOf(ctx context.Context, openids []string, now time.Time) (map[int64][]model.CourseProgress, error) {
	out := map[int64][]model.CourseProgress{}
	if len(openids) == 0 {
		return out, nil
	}
	var rows []struct {
		model.Course
		DeputyID int64 `db:"deputy_id"`
		Studied  int   `db:"studied"`
		Attended int   `db:"attended"`
	}
	q, args, err := sqlx.In(`SELECT `+courseColumns+`, e.deputy_id, `+courseDone+` FROM course_enrolments e JOIN courses c ON c.id = e.course_id
		WHERE `+deputiesIn("e.deputy_id")+` AND c.status = ? AND c.deadline >= ?`, openids, model.CoursePublished, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: courses of deputies: %w", err)
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: courses of deputies: %w", err)
	}
	for _, r := range rows {
		out[r.DeputyID] = append(out[r.DeputyID], model.CourseProgress{Course: utcCourse(r.Course), Done: r.Studied + r.Attended})
	}
	for _, cs := range out {
		slices.SortFunc(cs, func(a, b model.CourseProgress) int {
			if c := a.Deadline.Compare(b.Deadline); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return out, nil
}

// SuggestionListsOf returns, for each deputy bound to one of openids, what
// SuggestionsOfDeputyAndDrafts returns: the suggestions they are on, by
// id, and how many of their own are not handled yet. Two queries for the
// whole batch.
func (db *DB) SuggestionListsOf(ctx context.Context, openids []string) (map[int64]model.DeputySuggestions, error) {
	out := map[int64]model.DeputySuggestions{}
	if len(openids) == 0 {
		return out, nil
	}
	var rows []struct {
		model.DeputySuggestion
		DeputyID int64 `db:"deputy_id"`
	}
	var counts []struct {
		DeputyID int64 `db:"deputy_id"`
		N        int   `db:"n"`
	}
	list := func() error {
		q, args, err := sqlx.In(deputySuggestionsQuery+`, sd.deputy_id FROM suggestion_deputies sd
		JOIN suggestions s ON s.id = sd.suggestion_id
		LEFT JOIN suggestion_ratings r ON r.suggestion_id = sd.suggestion_id AND r.deputy_id = sd.deputy_id
		WHERE `+deputiesIn("sd.deputy_id")+` AND `+inHandling+` ORDER BY sd.deputy_id, s.id`, openids)
		if err == nil {
			err = db.rq(ctx).SelectContext(ctx, &rows, q, args...)
		}
		if err != nil {
			return fmt.Errorf("storage: suggestions of deputies: %w", err)
		}
		return nil
	}
	drafts := func() error {
		q, args, err := sqlx.In(`SELECT p.lead_deputy_id AS deputy_id, COUNT(*) AS n FROM suggestions p
		WHERE `+deputiesIn("p.lead_deputy_id")+` AND p.status IN (?, ?, ?) GROUP BY p.lead_deputy_id`,
			openids, model.SuggestionDraft, model.SuggestionSubmitted, model.SuggestionReturned)
		if err == nil {
			err = db.rq(ctx).SelectContext(ctx, &counts, q, args...)
		}
		if err != nil {
			return fmt.Errorf("storage: drafts of deputies: %w", err)
		}
		return nil
	}
	if err := db.bothReads(ctx, list, drafts); err != nil {
		return nil, err
	}
	for _, r := range rows {
		l := out[r.DeputyID]
		l.List = append(l.List, r.DeputySuggestion)
		out[r.DeputyID] = l
	}
	for _, c := range counts {
		l := out[c.DeputyID]
		l.Drafts = c.N
		out[c.DeputyID] = l
	}
	return out, nil
}

// UpcomingInvitationsOf returns, for each deputy, what UpcomingInvitations
// returns with the same since: their invitations to meetings that have
// not started before since, soonest first.
func (db *DB) UpcomingInvitationsOf(ctx context.Context, openids []string, since time.Time) (map[int64][]model.Invitation, error) {
	if len(openids) == 0 {
		return map[int64][]model.Invitation{}, nil
	}
	return db.upcomingInvitations(ctx, deputiesIn("i.deputy_id"), openids, since)
}

// upcomingInvitations reads the invitations of the deputies whose id
// (i.deputy_id) meets cond, with arg.
func (db *DB) upcomingInvitations(ctx context.Context, cond string, arg any, since time.Time) (map[int64][]model.Invitation, error) {
	out := map[int64][]model.Invitation{}
	var rows []struct {
		model.Invitation
		model.Meeting
	}
	q, args, err := sqlx.In(`SELECT `+invitationCols+`, m.id, m.kind, m.title, m.starts_at, m.ends_at,
		m.place, m.organiser, m.contact, m.rsvp_deadline, m.created_at
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE `+cond+` AND m.starts_at >= ? ORDER BY i.deputy_id, m.starts_at, m.id`, arg, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: upcoming invitations of deputies: %w", err)
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: upcoming invitations of deputies: %w", err)
	}
	for _, r := range rows {
		m := r.Meeting
		inv := r.Invitation
		inv.Meeting = &m
		out[inv.DeputyID] = append(out[inv.DeputyID], inv)
	}
	return out, nil
}

// bothReads runs two reads that do not depend on each other: on MySQL
// outside a transaction at once, on two connections (a batch waits for one
// round trip, not two); else one after the other (SQLite's reads are the
// process's own work, and a transaction's statements its connection's in
// turn).
func (db *DB) bothReads(ctx context.Context, a, b func() error) error {
	if txOf(ctx) != nil || db.dialect != MySQL {
		if err := a(); err != nil {
			return err
		}
		return b()
	}
	errB := make(chan error, 1)
	go func() { errB <- b() }()
	errA := a()
	return errors.Join(errA, <-errB)
}
