package storage

import (
	"context"
	"deputybot/model"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// The facts the 列席 (sitting in on standing-committee sessions) proposal
// and its coverage view are computed from. The scoring lives in core.

// tookPartSQL is TookPart over invitations i.
const tookPartSQL = `(i.attended = 1 OR (i.attended IS NULL AND i.status = '` + model.RSVPAttend + `'))`

// SitInCandidates returns the deputies in office not yet invited to the
// meeting, by id, with their tags.
func (db *DB) SitInCandidates(ctx context.Context, meetingID int64) ([]model.Deputy, error) {
	var rows []deputyRow
	err := db.rq(ctx).SelectContext(ctx, &rows, deputySelect+` WHERE d.status = ? AND NOT EXISTS
		(SELECT 1 FROM invitations i WHERE i.meeting_id = ? AND i.deputy_id = d.id) ORDER BY d.id`, model.StatusActive, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: sit-in candidates: %w", err)
	}
	return db.withTags(ctx, rows)
}

// SitInHistory returns every invitation to meetings of the given kinds, by
// deputy, then latest meeting first (ties by meeting id, highest first).
func (db *DB) SitInHistory(ctx context.Context, kinds []string) ([]model.SitInRecord, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT i.deputy_id, i.meeting_id, m.kind, m.title, m.starts_at, i.status, i.attended
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id WHERE m.kind IN (?)
		ORDER BY i.deputy_id, m.starts_at DESC, m.id DESC`, kinds)
	if err != nil {
		return nil, err
	}
	var out []model.SitInRecord
	if err := db.rq(ctx).SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("storage: sit-in history: %w", err)
	}
	for i := range out {
		out[i].StartsAt = out[i].StartsAt.UTC()
	}
	return out, nil
}

// SuggestionsMentioning returns, per deputy on it, each suggestion whose
// title or summary contains one of topics as the database's LIKE sees it
// (case rules differ by backend: callers confirm the match themselves).
func (db *DB) SuggestionsMentioning(ctx context.Context, topics []string) ([]model.TopicSuggestion, error) {
	var conds []string
	var args []any
	for _, t := range topics {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		like := "%" + escapeLike(t) + "%"
		conds = append(conds, `s.title LIKE ? ESCAPE '!' OR s.summary LIKE ? ESCAPE '!'`)
		args = append(args, like, like)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	var out []model.TopicSuggestion
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT s.id AS suggestion_id, sd.deputy_id, s.title, s.summary
		FROM suggestions s JOIN suggestion_deputies sd ON sd.suggestion_id = s.id
		WHERE `+inHandling+` AND (`+strings.Join(conds, " OR ")+`) ORDER BY sd.deputy_id, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestions mentioning topics: %w", err)
	}
	return out, nil
}

// SitInCoverage counts, per delegation, the deputies in office and how
// many of them took part (see SitInRecord.TookPart) in at least one
// meeting of kind starting in [termStart, until) and in [periodStart,
// until). Rows come in no particular order.
func (db *DB) SitInCoverage(ctx context.Context, kind string, termStart, periodStart, until time.Time) ([]model.SitInCoverageRow, error) {
	took := `SELECT 1 FROM invitations i JOIN meetings m ON m.id = i.meeting_id WHERE i.deputy_id = d.id
		AND m.kind = ? AND ` + tookPartSQL + ` AND m.starts_at >= ? AND m.starts_at < ?`
	var out []model.SitInCoverageRow
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT COALESCE(g.name, '') AS delegation, COUNT(*) AS in_office,
		COALESCE(SUM(CASE WHEN EXISTS (`+took+`) THEN 1 ELSE 0 END), 0) AS in_term,
		COALESCE(SUM(CASE WHEN EXISTS (`+took+`) THEN 1 ELSE 0 END), 0) AS in_year
		FROM deputies d LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE d.status = ? GROUP BY COALESCE(g.name, '')`,
		kind, termStart.UTC(), until.UTC(), kind, periodStart.UTC(), until.UTC(), model.StatusActive)
	if err != nil {
		return nil, fmt.Errorf("storage: sit-in coverage: %w", err)
	}
	return out, nil
}
