package storage

import (
	"context"
	"deputybot/model"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ListCampaigns returns one page of campaigns, newest first, with their
// delivery counts, and how many match in all.
func (db *DB) ListCampaigns(ctx context.Context, f model.CampaignFilter) ([]model.CampaignSummary, int, error) {
	where, args := "", []any{}
	if f.Status != "" {
		where, args = ` WHERE c.status = ?`, append(args, f.Status)
	}
	var total int
	if err := db.r.GetContext(ctx, &total, `SELECT COUNT(*) FROM campaigns c`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count campaigns: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []model.CampaignSummary
	err := db.r.SelectContext(ctx, &out, fmt.Sprintf(`SELECT c.id, c.notice_id, c.audience, c.status, c.send_at, c.reason,
		c.created_at, c.expanded_at, c.finished_at, n.kind, n.title, n.urgent, n.created_by
		FROM campaigns c JOIN notices n ON n.id = c.notice_id%s ORDER BY c.id DESC LIMIT %d OFFSET %d`,
		where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list campaigns: %w", err)
	}
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]int64, len(out))
	for i := range out {
		_ = json.Unmarshal([]byte(out[i].AudienceJS), &out[i].Audience)
		out[i].Counts = map[string]int{}
		ids[i] = out[i].ID
	}
	counts, err := db.groupCounts(ctx, `SELECT campaign_id, status, COUNT(*) FROM deliveries WHERE campaign_id IN (?)
		GROUP BY campaign_id, status`, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: campaign counts: %w", err)
	}
	for i := range out {
		out[i].Counts = counts[out[i].ID]
		for _, n := range out[i].Counts {
			out[i].Total += n
		}
	}
	return out, total, nil
}

// groupCounts runs q (selecting an id, a status and a count, with one IN
// (?) for ids) and returns the counts by id and status.
func (db *DB) groupCounts(ctx context.Context, q string, ids []int64) (map[int64]map[string]int, error) {
	q, args, err := sqlx.In(q, ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[string]int{}
	for _, id := range ids {
		out[id] = map[string]int{}
	}
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, err
		}
		out[id][status] = n
	}
	return out, rows.Err()
}

// ListCampaignDeliveries returns one page of a campaign's deliveries by
// id, and how many match in all (not counted when paging by AfterID).
func (db *DB) ListCampaignDeliveries(ctx context.Context, f model.CampaignDeliveryFilter) ([]model.CampaignDelivery, int, error) {
	where, args := whereCampaignDeliveryFilter(f)
	total := -1
	if f.AfterID == 0 {
		if err := db.r.GetContext(ctx, &total, `SELECT COUNT(*) FROM deliveries dl`+where, args...); err != nil {
			return nil, 0, fmt.Errorf("storage: count campaign deliveries: %w", err)
		}
	} else {
		where, args = where+` AND dl.id > ?`, append(args, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []model.CampaignDelivery
	err := db.r.SelectContext(ctx, &out, fmt.Sprintf(`SELECT dl.id, dl.deputy_id, COALESCE(d.name, '') AS deputy_name,
		COALESCE(g.name, '') AS delegation, dl.status, dl.reason, dl.errcode, dl.channel, dl.attempts, dl.reclaims, dl.created_at,
		dl.sent_at, dl.delivered_at, dl.read_at, dl.msgid
		FROM deliveries dl LEFT JOIN deputies d ON d.id = dl.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		%s ORDER BY dl.id LIMIT %d OFFSET %d`, where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: campaign deliveries: %w", err)
	}
	return out, total, nil
}

// AudienceIDs returns the ids of the audience's deputies in office after
// afterID, in order, at most limit: callers page through a large audience
// instead of holding it.
func (db *DB) AudienceIDs(ctx context.Context, a model.Audience, afterID int64, limit int) ([]int64, error) {
	where, args, err := whereAudience(a)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = db.r.SelectContext(ctx, &ids, fmt.Sprintf(`SELECT d.id FROM deputies d WHERE (%s) AND d.status = ? AND d.id > ?
		ORDER BY d.id LIMIT %d`, where, max(limit, 1)), append(args, model.StatusActive, afterID)...)
	if err != nil {
		return nil, fmt.Errorf("storage: audience ids: %w", err)
	}
	return ids, nil
}

// ExistingDeputyIDs returns which of ids name a deputy.
func (db *DB) ExistingDeputyIDs(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT id FROM deputies WHERE id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var found []int64
	if err := db.r.SelectContext(ctx, &found, q, args...); err != nil {
		return nil, fmt.Errorf("storage: deputies exist: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// ListMeetings returns one page of meetings, latest start first, with
// their RSVP counts, and how many match in all.
func (db *DB) ListMeetings(ctx context.Context, f model.MeetingFilter) ([]model.MeetingSummary, int, error) {
	where, args := "", []any{}
	if f.Kind != "" {
		where, args = ` WHERE kind = ?`, append(args, f.Kind)
	}
	var total int
	if err := db.r.GetContext(ctx, &total, `SELECT COUNT(*) FROM meetings`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count meetings: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var ms []model.Meeting
	err := db.r.SelectContext(ctx, &ms, fmt.Sprintf(`SELECT `+meetingCols+` FROM meetings%s
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

// ListInvitations returns one page of a meeting's RSVP table, ordered by
// delegation, name and id, and how many match in all.
func (db *DB) ListInvitations(ctx context.Context, f model.InvitationFilter) ([]model.InvitationRow, int, error) {
	where, args := ` WHERE i.meeting_id = ?`, []any{f.MeetingID}
	if f.Status != "" {
		where, args = where+` AND i.status = ?`, append(args, f.Status)
	}
	var total int
	if err := db.r.GetContext(ctx, &total, `SELECT COUNT(*) FROM invitations i`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count invitations: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []model.InvitationRow
	err := db.r.SelectContext(ctx, &out, fmt.Sprintf(`SELECT `+invitationCols+`, d.name AS deputy_name,
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
	err := db.r.SelectContext(ctx, &ids, fmt.Sprintf(`SELECT deputy_id FROM invitations WHERE meeting_id = ? AND status = ?
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
	err = db.r.QueryRowxContext(ctx, `SELECT COUNT(attended), COALESCE(SUM(CASE WHEN attended = 1 THEN 1 ELSE 0 END), 0)
		FROM invitations WHERE meeting_id = ?`, meetingID).Scan(&recorded, &attended)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: attendance of meeting %d: %w", meetingID, err)
	}
	return recorded, attended, nil
}

func whereCampaignDeliveryFilter(f model.CampaignDeliveryFilter) (string, []any) {
	q, args := ` WHERE dl.campaign_id = ?`, []any{f.CampaignID}
	if f.Status != "" {
		q, args = q+` AND dl.status = ?`, append(args, f.Status)
	}
	return q, args
}
