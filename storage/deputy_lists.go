package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// The read commands' lists for many deputies at once: concurrent chat
// messages share one query per command kind. Each deputy's list holds the
// same rows, in the same order, as the single read, and a deputy with
// nothing gets an empty list.

// uniqueIDs returns ids without repeats, in their first order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// LatestMaterialsOf returns, for each deputy, what DeputyMaterials returns
// with no search: the limit latest materials deputies see, each with that
// deputy's study mark and reading time. One query: the latest materials
// joined with every deputy of the batch and their marks.
func (db *DB) LatestMaterialsOf(ctx context.Context, deputyIDs []int64, limit int) (map[int64][]model.DeputyMaterial, error) {
	ids := uniqueIDs(deputyIDs)
	out := make(map[int64][]model.DeputyMaterial, len(ids))
	for _, id := range ids {
		out[id] = []model.DeputyMaterial{}
	}
	if len(ids) == 0 || limit <= 0 {
		return out, nil
	}
	var rows []struct {
		deputyMaterialRow
		DeputyID int64 `db:"deputy_id"`
	}
	q, args, err := sqlx.In(`SELECT `+materialColumns+`, d.id AS deputy_id, s.studied_at, r.seconds FROM materials m
		JOIN (SELECT id FROM materials WHERE status = ? AND published_at <= ? ORDER BY published_at DESC, id DESC LIMIT ?) x ON x.id = m.id
		JOIN deputies d ON d.id IN (?)
		LEFT JOIN material_studies s ON s.material_id = m.id AND s.deputy_id = d.id
		LEFT JOIN material_reads r ON r.material_id = m.id AND r.deputy_id = d.id
		ORDER BY m.published_at DESC, m.id DESC, d.id`, model.MaterialPublished, db.now().UTC(), limit, ids)
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

// CoursesOf returns, for each deputy, what DeputyCourses returns for all
// materials: their open courses with their progress, the soonest deadline
// first.
func (db *DB) CoursesOf(ctx context.Context, deputyIDs []int64, now time.Time) (map[int64][]model.CourseProgress, error) {
	ids := uniqueIDs(deputyIDs)
	out := make(map[int64][]model.CourseProgress, len(ids))
	for _, id := range ids {
		out[id] = []model.CourseProgress{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		model.Course
		DeputyID int64 `db:"deputy_id"`
		Studied  int   `db:"studied"`
		Attended int   `db:"attended"`
	}
	q, args, err := sqlx.In(`SELECT `+courseColumns+`, e.deputy_id, `+courseDone+` FROM course_enrolments e JOIN courses c ON c.id = e.course_id
		WHERE e.deputy_id IN (?) AND c.status = ? AND c.deadline >= ?`, ids, model.CoursePublished, now.UTC())
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

// SuggestionListsOf returns, for each deputy, what
// SuggestionsOfDeputyAndDrafts returns: the suggestions they are on, by
// id, and how many of their own are not handled yet. Two queries for the
// whole batch.
func (db *DB) SuggestionListsOf(ctx context.Context, deputyIDs []int64) (map[int64]model.DeputySuggestions, error) {
	ids := uniqueIDs(deputyIDs)
	out := make(map[int64]model.DeputySuggestions, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		model.DeputySuggestion
		DeputyID int64 `db:"deputy_id"`
	}
	q, args, err := sqlx.In(deputySuggestionsQuery+`, sd.deputy_id FROM suggestion_deputies sd
		JOIN suggestions s ON s.id = sd.suggestion_id
		LEFT JOIN suggestion_ratings r ON r.suggestion_id = sd.suggestion_id AND r.deputy_id = sd.deputy_id
		WHERE sd.deputy_id IN (?) AND `+inHandling+` ORDER BY sd.deputy_id, s.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestions of deputies: %w", err)
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: suggestions of deputies: %w", err)
	}
	var counts []struct {
		DeputyID int64 `db:"deputy_id"`
		N        int   `db:"n"`
	}
	q, args, err = sqlx.In(`SELECT p.lead_deputy_id AS deputy_id, COUNT(*) AS n FROM suggestions p
		WHERE p.lead_deputy_id IN (?) AND p.status IN (?, ?, ?) GROUP BY p.lead_deputy_id`,
		ids, model.SuggestionDraft, model.SuggestionSubmitted, model.SuggestionReturned)
	if err != nil {
		return nil, fmt.Errorf("storage: drafts of deputies: %w", err)
	}
	if err := db.rq(ctx).SelectContext(ctx, &counts, q, args...); err != nil {
		return nil, fmt.Errorf("storage: drafts of deputies: %w", err)
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
func (db *DB) UpcomingInvitationsOf(ctx context.Context, deputyIDs []int64, since time.Time) (map[int64][]model.Invitation, error) {
	ids := uniqueIDs(deputyIDs)
	out := make(map[int64][]model.Invitation, len(ids))
	for _, id := range ids {
		out[id] = []model.Invitation{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		model.Invitation
		model.Meeting
	}
	q, args, err := sqlx.In(`SELECT `+invitationCols+`, m.id, m.kind, m.title, m.starts_at, m.ends_at,
		m.place, m.organiser, m.contact, m.rsvp_deadline, m.created_at
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.deputy_id IN (?) AND m.starts_at >= ? ORDER BY i.deputy_id, m.starts_at, m.id`, ids, since.UTC())
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
