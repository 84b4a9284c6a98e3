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

// GetInvitation returns the deputy's invitation with its meeting, or
// ErrNotFound: one statement, on the writer (an RSVP reads it just after
// writing), which leaves the message's read memo as it is; kept in that
// memo, so the chat's answer to an invitation reads it once.
func (db *DB) GetInvitation(ctx context.Context, meetingID, deputyID int64) (model.Invitation, error) {
	m := memoOf(ctx)
	key := invitationKey{meetingID, deputyID}
	if m != nil {
		if v, ok := m.recall(key); ok {
			return withOwnMeeting(v.(model.Invitation)), nil
		}
	}
	inv, err := db.getInvitation(ctx, meetingID, deputyID)
	if err == nil && m != nil {
		m.keep(ctx, key, withOwnMeeting(inv))
	}
	return inv, err
}

func (db *DB) getInvitation(ctx context.Context, meetingID, deputyID int64) (model.Invitation, error) {
	var row struct {
		model.Invitation
		model.Meeting
	}
	err := db.latest(ctx).GetContext(ctx, &row, `SELECT `+invitationCols+`, m.id, m.kind, m.title, m.starts_at, m.ends_at,
		m.place, m.organiser, m.contact, m.rsvp_deadline, m.created_at
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id WHERE i.meeting_id = ? AND i.deputy_id = ?`,
		meetingID, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Invitation{}, fmt.Errorf("storage: invitation: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.Invitation{}, fmt.Errorf("storage: invitation: %w", err)
	}
	inv, m := row.Invitation, row.Meeting
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
// not started before since, soonest first (meetings starting together by
// id).
func (db *DB) UpcomingInvitations(ctx context.Context, deputyID int64, since time.Time) ([]model.Invitation, error) {
	lists, err := db.upcomingInvitations(ctx, `i.deputy_id = ?`, deputyID, since)
	if err != nil {
		return nil, err
	}
	if lists[deputyID] == nil {
		return []model.Invitation{}, nil
	}
	return lists[deputyID], nil
}

// RSVPCounts counts a meeting's invitations by status.
func (db *DB) RSVPCounts(ctx context.Context, meetingID int64) (map[string]int, error) {
	return db.countBy(ctx, "rsvp counts", `SELECT status, COUNT(*) FROM invitations WHERE meeting_id = ? GROUP BY status`, meetingID)
}

// ListInvitations returns one page of a meeting's RSVP table, ordered by
// delegation, name and id, and how many match in all.
func (db *DB) ListInvitations(ctx context.Context, f model.InvitationFilter) ([]model.InvitationRow, int, error) {
	where, args := ` WHERE i.meeting_id = ?`, []any{f.MeetingID}
	if f.Status != "" {
		where, args = where+` AND i.status = ?`, append(args, f.Status)
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM invitations i`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count invitations: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []model.InvitationRow
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(`SELECT `+invitationCols+`, d.name AS deputy_name,
		COALESCE(g.name, '') AS delegation
		FROM invitations i JOIN deputies d ON d.id = i.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		%s ORDER BY COALESCE(g.name, ''), d.name, d.id LIMIT %d OFFSET %d`, where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list invitations: %w", err)
	}
	return out, total, nil
}

// PendingInvitees returns the deputies who have not answered the meeting's
// invitation after afterID, in order, at most limit.
func (db *DB) PendingInvitees(ctx context.Context, meetingID, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := db.rq(ctx).SelectContext(ctx, &ids, fmt.Sprintf(`SELECT deputy_id FROM invitations WHERE meeting_id = ? AND status = ?
		AND deputy_id > ? ORDER BY deputy_id LIMIT %d`, max(limit, 1)), meetingID, model.RSVPPending, afterID)
	if err != nil {
		return nil, fmt.Errorf("storage: pending invitees: %w", err)
	}
	return ids, nil
}

// SetAttendance records who attended the meeting (present) and who did
// not (absent), in one transaction. It returns the ids among them that
// were not invited, and changes nothing when there are any.
func (db *DB) SetAttendance(ctx context.Context, meetingID int64, present, absent []int64) ([]int64, error) {
	all := append(append([]int64{}, present...), absent...)
	if len(all) == 0 {
		return nil, nil
	}
	var missing []int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		q, args, err := sqlx.In(`SELECT deputy_id FROM invitations WHERE meeting_id = ? AND deputy_id IN (?)`, meetingID, all)
		if err != nil {
			return err
		}
		var invited []int64
		if err := tx.SelectContext(ctx, &invited, q, args...); err != nil {
			return fmt.Errorf("storage: attendance: %w", err)
		}
		known := map[int64]bool{}
		for _, id := range invited {
			known[id] = true
		}
		for _, id := range all {
			if !known[id] {
				missing = append(missing, id)
				known[id] = true // listed once
			}
		}
		if len(missing) > 0 {
			return nil
		}
		for _, set := range []struct {
			ids []int64
			val bool
		}{{present, true}, {absent, false}} {
			if len(set.ids) == 0 {
				continue
			}
			q, args, err := sqlx.In(`UPDATE invitations SET attended = ? WHERE meeting_id = ? AND deputy_id IN (?)`,
				set.val, meetingID, set.ids)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("storage: attendance: %w", err)
			}
		}
		return nil
	})
	return missing, err
}

// AttendedCount counts a meeting's invitees whose attendance is recorded,
// and those among them who attended.
func (db *DB) AttendedCount(ctx context.Context, meetingID int64) (recorded, attended int, err error) {
	err = db.rq(ctx).QueryRowxContext(ctx, `SELECT COUNT(attended), COALESCE(SUM(CASE WHEN attended = 1 THEN 1 ELSE 0 END), 0)
		FROM invitations WHERE meeting_id = ?`, meetingID).Scan(&recorded, &attended)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: attendance of meeting %d: %w", meetingID, err)
	}
	return recorded, attended, nil
}

// MeetingsStartingBetween lists meetings starting in [from, to) with the
// deputies whose invitation has status.
func (db *DB) MeetingsStartingBetween(ctx context.Context, from, to time.Time, status string) ([]model.ReminderTarget, error) {
	return db.targets(ctx, `SELECT m.id, m.title, m.starts_at, i.deputy_id FROM meetings m
		JOIN invitations i ON i.meeting_id = m.id
		WHERE m.starts_at >= ? AND m.starts_at < ? AND i.status = ? ORDER BY m.id, i.deputy_id`, from.UTC(), to.UTC(), status)
}

// OpenRSVPs lists meetings whose RSVP deadline is after now with the
// deputies who have not answered.
func (db *DB) OpenRSVPs(ctx context.Context, now time.Time) ([]model.ReminderTarget, error) {
	return db.targets(ctx, `SELECT m.id, m.title, m.rsvp_deadline, i.deputy_id FROM meetings m
		JOIN invitations i ON i.meeting_id = m.id
		WHERE m.rsvp_deadline > ? AND i.status = ? ORDER BY m.id, i.deputy_id`, now.UTC(), model.RSVPPending)
}

// CountOpenRSVPs counts the invitations OpenRSVPs lists (unanswered, the
// meeting's RSVP deadline after now), for the dashboard: a count, not
// every deputy id of them (a meeting inviting all 5,000 deputies made the
// list the dashboard's slowest read).
func (db *DB) CountOpenRSVPs(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM meetings m JOIN invitations i ON i.meeting_id = m.id
		WHERE m.rsvp_deadline > ? AND i.status = ?`, now.UTC(), model.RSVPPending); err != nil {
		return 0, fmt.Errorf("storage: count open RSVPs: %w", err)
	}
	return n, nil
}

// AttendanceMarks returns what is recorded of the named deputies'
// attendance at the meeting, with their names, for the invited among them.
func (db *DB) AttendanceMarks(ctx context.Context, meetingID int64, ids []int64) ([]model.AttendanceMark, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT i.deputy_id, d.name, i.attended FROM invitations i JOIN deputies d ON d.id = i.deputy_id
		WHERE i.meeting_id = ? AND i.deputy_id IN (?) ORDER BY i.deputy_id`, meetingID, ids)
	if err != nil {
		return nil, err
	}
	var out []model.AttendanceMark
	if err := db.rq(ctx).SelectContext(ctx, &out, db.r.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("storage: attendance marks: %w", err)
	}
	return out, nil
}
