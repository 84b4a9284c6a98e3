package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"deputybot/model"
)

// CreateMeeting stores m and sets its id.
func (db *DB) CreateMeeting(ctx context.Context, m *model.Meeting) error {
	m.CreatedAt = db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO meetings (kind, title, starts_at, ends_at, place, organiser, contact,
		rsvp_deadline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.Kind, m.Title, m.StartsAt.UTC(),
		nullTime(timePtr(m.EndsAt)), m.Place, m.Organiser, m.Contact, m.RSVPDeadline.UTC(), m.CreatedAt)
	if err != nil {
		return fmt.Errorf("storage: create meeting: %w", err)
	}
	m.ID, err = res.LastInsertId()
	return err
}

const meetingCols = `id, kind, title, starts_at, ends_at, place, organiser, contact, rsvp_deadline, created_at`

// GetMeeting returns the meeting with id, or ErrNotFound.
func (db *DB) GetMeeting(ctx context.Context, id int64) (model.Meeting, error) {
	var m model.Meeting
	err := db.rq(ctx).GetContext(ctx, &m, `SELECT `+meetingCols+` FROM meetings WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("storage: meeting %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("storage: meeting %d: %w", id, err)
	}
	return m, nil
}

// ListMeetings returns one page of meetings, latest start first, with
// their RSVP counts, and how many match in all.
func (db *DB) ListMeetings(ctx context.Context, f model.MeetingFilter) ([]model.MeetingSummary, int, error) {
	where, args := "", []any{}
	if f.Kind != "" {
		where, args = ` WHERE kind = ?`, append(args, f.Kind)
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM meetings`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count meetings: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var ms []model.Meeting
	err := db.rq(ctx).SelectContext(ctx, &ms, fmt.Sprintf(`SELECT `+meetingCols+` FROM meetings%s
		ORDER BY starts_at DESC, id DESC LIMIT %d OFFSET %d`, where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list meetings: %w", err)
	}
	out := make([]model.MeetingSummary, len(ms))
	if len(ms) == 0 {
		return out, total, nil
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	counts, err := db.groupCounts(ctx, `SELECT meeting_id, status, COUNT(*) FROM invitations WHERE meeting_id IN (?)
		GROUP BY meeting_id, status`, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: rsvp counts: %w", err)
	}
	attended, err := db.groupCounts(ctx, `SELECT meeting_id, 'attended', COUNT(*) FROM invitations WHERE meeting_id IN (?)
		AND attended = 1 GROUP BY meeting_id`, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: attendance counts: %w", err)
	}
	for i, m := range ms {
		out[i] = model.MeetingSummary{Meeting: m, Counts: counts[m.ID], Attended: attended[m.ID]["attended"]}
		for _, n := range out[i].Counts {
			out[i].Invited += n
		}
	}
	return out, total, nil
}
