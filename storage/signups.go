package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// Sign-up for meetings and activities (活动报名): the window staff open
// and each deputy's sign-up. The places are counted under a lock on the
// window's row (MySQL) or the single writer (SQLite), so two deputies
// signing up at once cannot both take the last place.

const signupWindowCols = `meeting_id, capacity, deadline, opened_by, opened_at`

// PutSignupWindow opens the meeting for sign-up, or changes its capacity
// and deadline.
func (db *DB) PutSignupWindow(ctx context.Context, w *model.SignupWindow) error {
	w.OpenedAt = db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE signup_windows SET capacity = ?, deadline = ?, opened_by = ?, opened_at = ?
		WHERE meeting_id = ?`, w.Capacity, w.Deadline.UTC(), w.OpenedBy, w.OpenedAt, w.MeetingID)
	if err != nil {
		return fmt.Errorf("storage: signup window %d: %w", w.MeetingID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = db.wq(ctx).ExecContext(ctx, `INSERT INTO signup_windows (`+signupWindowCols+`) VALUES (?, ?, ?, ?, ?)`,
		w.MeetingID, w.Capacity, w.Deadline.UTC(), w.OpenedBy, w.OpenedAt)
	if err != nil {
		return fmt.Errorf("storage: signup window %d: %w", w.MeetingID, err)
	}
	return nil
}

// GetSignupWindow returns the meeting's sign-up window, or ErrNotFound.
// With lock (inside a transaction) the row stays locked on MySQL until
// the transaction ends: sign-ups to one meeting are counted one at a time.
func (db *DB) GetSignupWindow(ctx context.Context, meetingID int64, lock bool) (model.SignupWindow, error) {
	q := `SELECT ` + signupWindowCols + ` FROM signup_windows WHERE meeting_id = ?`
	if lock && db.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var w model.SignupWindow
	err := db.wq(ctx).GetContext(ctx, &w, q, meetingID)
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("storage: signup window %d: %w", meetingID, model.ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("storage: signup window %d: %w", meetingID, err)
	}
	return w, nil
}

// current makes a read inside a MySQL transaction a locking read: it sees
// the latest committed rows (not the transaction's snapshot, taken at its
// first plain read) and holds them until the transaction ends.
func (db *DB) current(ctx context.Context) string {
	if db.dialect == MySQL && InTransaction(ctx) {
		return ` FOR UPDATE`
	}
	return ""
}

const signupCols = `s.id, s.meeting_id, s.deputy_id, s.status, s.channel, s.signed_at, s.changed_at`

// GetSignup returns the deputy's sign-up for the meeting, or ErrNotFound.
func (db *DB) GetSignup(ctx context.Context, meetingID, deputyID int64) (model.Signup, error) {
	var s model.Signup
	err := db.wq(ctx).GetContext(ctx, &s, `SELECT `+signupCols+` FROM signups s WHERE s.meeting_id = ? AND s.deputy_id = ?`+
		db.current(ctx), meetingID, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("storage: signup: %w", model.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("storage: signup: %w", err)
	}
	return s, nil
}

// SaveSignup stores the deputy's sign-up with s.Status: a new one, or a
// withdrawn one signed again (which joins the end of the queue: its
// signed_at is now). It sets s's id and times.
func (db *DB) SaveSignup(ctx context.Context, s *model.Signup) error {
	now := db.now().UTC()
	s.SignedAt, s.ChangedAt = now, now
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE signups SET status = ?, channel = ?, signed_at = ?, changed_at = ?
		WHERE meeting_id = ? AND deputy_id = ?`, s.Status, s.Channel, now, now, s.MeetingID, s.DeputyID)
	if err != nil {
		return fmt.Errorf("storage: save signup: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		r, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO signups (meeting_id, deputy_id, status, channel, signed_at, changed_at)
			VALUES (?, ?, ?, ?, ?, ?)`, s.MeetingID, s.DeputyID, s.Status, s.Channel, now, now)
		if err != nil {
			return fmt.Errorf("storage: save signup: %w", err)
		}
		s.ID, err = r.LastInsertId()
		return err
	}
	got, err := db.GetSignup(ctx, s.MeetingID, s.DeputyID)
	s.ID = got.ID
	return err
}

// SetSignupStatus changes a sign-up's status (withdrawn, or waiting to
// confirmed), keeping its place in the queue.
func (db *DB) SetSignupStatus(ctx context.Context, id int64, status string) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE signups SET status = ?, changed_at = ? WHERE id = ?`,
		status, db.now().UTC(), id)
	if err != nil {
		return fmt.Errorf("storage: signup %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: signup %d: %w", id, model.ErrNotFound)
	}
	return nil
}

// SignupCounts counts the meeting's confirmed and waiting sign-ups.
func (db *DB) SignupCounts(ctx context.Context, meetingID int64) (confirmed, waiting int, err error) {
	err = db.wq(ctx).QueryRowxContext(ctx, `SELECT COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0) FROM signups WHERE meeting_id = ?`+db.current(ctx),
		model.SignupConfirmed, model.SignupWaiting, meetingID).Scan(&confirmed, &waiting)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: signup counts: %w", err)
	}
	return confirmed, waiting, nil
}

// WaitingPosition is s's position (from 1) on its meeting's waiting list.
func (db *DB) WaitingPosition(ctx context.Context, s model.Signup) (int, error) {
	var n int
	err := db.wq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM signups WHERE meeting_id = ? AND status = ?
		AND (signed_at < ? OR (signed_at = ? AND id <= ?))`+db.current(ctx), s.MeetingID, model.SignupWaiting, s.SignedAt.UTC(), s.SignedAt.UTC(), s.ID)
	if err != nil {
		return 0, fmt.Errorf("storage: waiting position: %w", err)
	}
	return n, nil
}

// FirstWaiting returns the first n of the meeting's waiting list whose
// deputies are in office, in order.
func (db *DB) FirstWaiting(ctx context.Context, meetingID int64, n int) ([]model.Signup, error) {
	var out []model.Signup
	err := db.wq(ctx).SelectContext(ctx, &out, fmt.Sprintf(`SELECT `+signupCols+` FROM signups s
		JOIN deputies d ON d.id = s.deputy_id
		WHERE s.meeting_id = ? AND s.status = ? AND d.status = ? ORDER BY s.signed_at, s.id LIMIT %d`+db.current(ctx), max(n, 1)),
		meetingID, model.SignupWaiting, model.StatusActive)
	if err != nil {
		return nil, fmt.Errorf("storage: waiting list: %w", err)
	}
	return out, nil
}

// ListSignups returns the meeting's sign-ups: confirmed first, then the
// waiting list in order (with positions), then those who withdrew.
func (db *DB) ListSignups(ctx context.Context, meetingID int64) ([]model.SignupRow, error) {
	var out []model.SignupRow
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT `+signupCols+`, d.name AS deputy_name, COALESCE(g.name, '') AS delegation
		FROM signups s JOIN deputies d ON d.id = s.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE s.meeting_id = ?
		ORDER BY CASE s.status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, s.signed_at, s.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: list signups: %w", err)
	}
	pos := 0
	for i := range out {
		if out[i].Status == model.SignupWaiting {
			pos++
			out[i].Position = pos
		}
	}
	return out, nil
}

// OpenSignups returns the meetings open for sign-up at now (deadline not
// passed), soonest deadline first, with their windows and counts.
func (db *DB) OpenSignups(ctx context.Context, now time.Time) ([]model.Meeting, []model.SignupSummary, error) {
	var rows []struct {
		model.Meeting
		Capacity  int       `db:"capacity"`
		Deadline  time.Time `db:"deadline"`
		OpenedBy  string    `db:"opened_by"`
		OpenedAt  time.Time `db:"opened_at"`
		Confirmed int       `db:"confirmed"`
		Waiting   int       `db:"waiting"`
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT m.id, m.kind, m.title, m.starts_at, m.ends_at, m.place, m.organiser,
		m.contact, m.rsvp_deadline, m.created_at, w.capacity, w.deadline, w.opened_by, w.opened_at,
		(SELECT COUNT(*) FROM signups s WHERE s.meeting_id = m.id AND s.status = 'confirmed') AS confirmed,
		(SELECT COUNT(*) FROM signups s WHERE s.meeting_id = m.id AND s.status = 'waiting') AS waiting
		FROM signup_windows w JOIN meetings m ON m.id = w.meeting_id
		WHERE w.deadline >= ? ORDER BY w.deadline, m.id`, now.UTC())
	if err != nil {
		return nil, nil, fmt.Errorf("storage: open signups: %w", err)
	}
	ms := make([]model.Meeting, len(rows))
	sums := make([]model.SignupSummary, len(rows))
	for i, r := range rows {
		ms[i] = r.Meeting
		sums[i] = model.SignupSummary{Window: model.SignupWindow{MeetingID: r.ID, Capacity: r.Capacity, Deadline: r.Deadline,
			OpenedBy: r.OpenedBy, OpenedAt: r.OpenedAt}, Confirmed: r.Confirmed, Waiting: r.Waiting}
	}
	return ms, sums, nil
}

// DeputySignups returns the deputy's sign-ups to the meetings, by meeting id.
func (db *DB) DeputySignups(ctx context.Context, deputyID int64, meetingIDs []int64) (map[int64]model.Signup, error) {
	out := map[int64]model.Signup{}
	if len(meetingIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT `+signupCols+` FROM signups s WHERE s.deputy_id = ? AND s.meeting_id IN (?)`, deputyID, meetingIDs)
	if err != nil {
		return nil, err
	}
	var rows []model.Signup
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: deputy signups: %w", err)
	}
	for _, s := range rows {
		out[s.MeetingID] = s
	}
	return out, nil
}

// AttendBySignup records a confirmed sign-up as the deputy's invitation
// answered 参加 (inviting them first when they were not), and closes the
// RSVP the chat may have left open.
func (db *DB) AttendBySignup(ctx context.Context, meetingID, deputyID int64, channel, rsvpFlow string) error {
	if _, err := db.Invite(ctx, meetingID, []int64{deputyID}); err != nil {
		return err
	}
	if err := db.AnswerInvitation(ctx, meetingID, deputyID, model.RSVPAttend, "", channel); err != nil {
		return err
	}
	return db.CloseAsk(ctx, deputyID, rsvpFlow, meetingID)
}

// SignupSummaries returns the sign-up windows of the meetings that have
// one, with their counts, by meeting id.
func (db *DB) SignupSummaries(ctx context.Context, meetingIDs []int64) (map[int64]model.SignupSummary, error) {
	out := map[int64]model.SignupSummary{}
	if len(meetingIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT w.meeting_id, w.capacity, w.deadline, w.opened_by, w.opened_at,
		(SELECT COUNT(*) FROM signups s WHERE s.meeting_id = w.meeting_id AND s.status = 'confirmed') AS confirmed,
		(SELECT COUNT(*) FROM signups s WHERE s.meeting_id = w.meeting_id AND s.status = 'waiting') AS waiting
		FROM signup_windows w WHERE w.meeting_id IN (?)`, meetingIDs)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		model.SignupWindow
		Confirmed int `db:"confirmed"`
		Waiting   int `db:"waiting"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: signup summaries: %w", err)
	}
	for _, r := range rows {
		out[r.MeetingID] = model.SignupSummary{Window: r.SignupWindow, Confirmed: r.Confirmed, Waiting: r.Waiting}
	}
	return out, nil
}
