package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
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

// Invite invites the deputies to the meeting; inviting twice is harmless.
// It returns how many invitations are new. The pushes (the invitation
// notice and its RSVP asks) are written in the same transaction, to the
// newly invited only.
func (db *DB) Invite(ctx context.Context, meetingID int64, deputyIDs []int64, pushes ...model.Push) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		now := db.now().UTC()
		var fresh []int64
		for _, id := range deputyIDs {
			res, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO invitations (meeting_id, deputy_id, status, invited_at)
				VALUES (?, ?, ?, ?)`, meetingID, id, model.RSVPPending, now)
			if err != nil {
				return fmt.Errorf("storage: invite: %w", err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				fresh = append(fresh, id)
			}
		}
		n = len(fresh)
		for i := range pushes {
			pushes[i].DeputyIDs = fresh
		}
		return db.enqueueAll(ctx, tx, fmt.Sprintf("m%d", meetingID), pushes)
	})
	return n, err
}

const invitationCols = `i.meeting_id, i.deputy_id, i.status, i.reason, i.channel, i.answered_at, i.attended, i.invited_at`

// GetInvitation returns the deputy's invitation with its meeting, or ErrNotFound.
func (db *DB) GetInvitation(ctx context.Context, meetingID, deputyID int64) (model.Invitation, error) {
	var inv model.Invitation
	err := db.wq(ctx).GetContext(ctx, &inv, `SELECT `+invitationCols+` FROM invitations i WHERE i.meeting_id = ? AND i.deputy_id = ?`,
		meetingID, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, fmt.Errorf("storage: invitation: %w", model.ErrNotFound)
	}
	if err != nil {
		return inv, fmt.Errorf("storage: invitation: %w", err)
	}
	m, err := db.GetMeeting(ctx, meetingID)
	if err != nil {
		return inv, err
	}
	inv.Meeting = &m
	return inv, nil
}

// AnswerInvitation records the deputy's RSVP (RSVPAttend or RSVPLeave).
func (db *DB) AnswerInvitation(ctx context.Context, meetingID, deputyID int64, status, reason, channel string) error {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE invitations SET status = ?, reason = ?, channel = ?, answered_at = ?
		WHERE meeting_id = ? AND deputy_id = ?`, status, reason, channel, db.now().UTC(), meetingID, deputyID)
	if err != nil {
		return fmt.Errorf("storage: answer invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("storage: answer invitation: %w", model.ErrNotFound)
	}
	return nil
}

// UpcomingInvitations lists the deputy's invitations to meetings that have
// not started before since, soonest first.
func (db *DB) UpcomingInvitations(ctx context.Context, deputyID int64, since time.Time) ([]model.Invitation, error) {
	var rows []struct {
		model.Invitation
		model.Meeting
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT `+invitationCols+`, m.id, m.kind, m.title, m.starts_at, m.ends_at,
		m.place, m.organiser, m.contact, m.rsvp_deadline, m.created_at
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id
		WHERE i.deputy_id = ? AND m.starts_at >= ? ORDER BY m.starts_at`, deputyID, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: upcoming invitations: %w", err)
	}
	out := make([]model.Invitation, len(rows))
	for i, r := range rows {
		m := r.Meeting
		out[i] = r.Invitation
		out[i].Meeting = &m
	}
	return out, nil
}

// RSVPCounts counts a meeting's invitations by status.
func (db *DB) RSVPCounts(ctx context.Context, meetingID int64) (map[string]int, error) {
	return db.countBy(ctx, "rsvp counts", `SELECT status, COUNT(*) FROM invitations WHERE meeting_id = ? GROUP BY status`, meetingID)
}
