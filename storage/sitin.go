package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// The facts the 列席 (sitting in on standing-committee sessions) proposal
// and its coverage view are computed from. The scoring lives in core.

// SitInRecord is one deputy's invitation to a meeting, with the meeting's
// kind, title and start.
type SitInRecord struct {
	DeputyID  int64        `db:"deputy_id"`
	MeetingID int64        `db:"meeting_id"`
	Kind      string       `db:"kind"`
	Title     string       `db:"title"`
	StartsAt  time.Time    `db:"starts_at"`
	Status    string       `db:"status"`
	Attended  sql.NullBool `db:"attended"`
}

// TookPart reports whether the deputy attended, or accepted while their
// attendance is not recorded yet. A recorded absence is not taking part.
func (r SitInRecord) TookPart() bool {
	if r.Attended.Valid {
		return r.Attended.Bool
	}
	return r.Status == RSVPAttend
}

// tookPartSQL is TookPart over invitations i.
const tookPartSQL = `(i.attended = 1 OR (i.attended IS NULL AND i.status = '` + RSVPAttend + `'))`

// SitInCandidates returns the deputies in office not yet invited to the
// meeting, by id, with their tags.
func (db *DB) SitInCandidates(ctx context.Context, meetingID int64) ([]Deputy, error) {
	var rows []deputyRow
	err := db.r.SelectContext(ctx, &rows, deputySelect+` WHERE d.status = ? AND NOT EXISTS
		(SELECT 1 FROM invitations i WHERE i.meeting_id = ? AND i.deputy_id = d.id) ORDER BY d.id`, StatusActive, meetingID)
	if err != nil {
		return nil, fmt.Errorf("storage: sit-in candidates: %w", err)
	}
	return db.withTags(ctx, rows)
}

// SitInHistory returns every invitation to meetings of the given kinds, by
// deputy, then latest meeting first (ties by meeting id, highest first).
func (db *DB) SitInHistory(ctx context.Context, kinds []string) ([]SitInRecord, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT i.deputy_id, i.meeting_id, m.kind, m.title, m.starts_at, i.status, i.attended
		FROM invitations i JOIN meetings m ON m.id = i.meeting_id WHERE m.kind IN (?)
		ORDER BY i.deputy_id, m.starts_at DESC, m.id DESC`, kinds)
	if err != nil {
		return nil, err
	}
	var out []SitInRecord
	if err := db.r.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("storage: sit-in history: %w", err)
	}
	for i := range out {
		out[i].StartsAt = out[i].StartsAt.UTC()
	}
	return out, nil
}

// TopicSuggestion is a suggestion whose title or summary may mention a
// topic, and one deputy on it (lead or seconder).
type TopicSuggestion struct {
	SuggestionID int64  `db:"suggestion_id"`
	DeputyID     int64  `db:"deputy_id"`
	Title        string `db:"title"`
	Summary      string `db:"summary"`
}

// SuggestionsMentioning returns, per deputy on it, each suggestion whose
// title or summary contains one of topics as the database's LIKE sees it
// (case rules differ by backend: callers confirm the match themselves).
func (db *DB) SuggestionsMentioning(ctx context.Context, topics []string) ([]TopicSuggestion, error) {
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
	var out []TopicSuggestion
	err := db.r.SelectContext(ctx, &out, `SELECT s.id AS suggestion_id, sd.deputy_id, s.title, s.summary
		FROM suggestions s JOIN suggestion_deputies sd ON sd.suggestion_id = s.id
		WHERE `+strings.Join(conds, " OR ")+` ORDER BY sd.deputy_id, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestions mentioning topics: %w", err)
	}
	return out, nil
}

// SitInCoverageRow counts one delegation's deputies in office and those
// among them who took part in a meeting of the kind in each period.
type SitInCoverageRow struct {
	Delegation string `db:"delegation"` // "" for deputies without one
	InOffice   int    `db:"in_office"`
	InTerm     int    `db:"in_term"`   // took part in [termStart, until)
	InPeriod   int    `db:"in_period"` // took part in [periodStart, until)
}

// SitInCoverage counts, per delegation, the deputies in office and how
// many of them took part (see SitInRecord.TookPart) in at least one
// meeting of kind starting in [termStart, until) and in [periodStart,
// until). Rows come in no particular order.
func (db *DB) SitInCoverage(ctx context.Context, kind string, termStart, periodStart, until time.Time) ([]SitInCoverageRow, error) {
	took := `SELECT 1 FROM invitations i JOIN meetings m ON m.id = i.meeting_id WHERE i.deputy_id = d.id
		AND m.kind = ? AND ` + tookPartSQL + ` AND m.starts_at >= ? AND m.starts_at < ?`
	var out []SitInCoverageRow
	err := db.r.SelectContext(ctx, &out, `SELECT COALESCE(g.name, '') AS delegation, COUNT(*) AS in_office,
		COALESCE(SUM(CASE WHEN EXISTS (`+took+`) THEN 1 ELSE 0 END), 0) AS in_term,
		COALESCE(SUM(CASE WHEN EXISTS (`+took+`) THEN 1 ELSE 0 END), 0) AS in_period
		FROM deputies d LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE d.status = ? GROUP BY COALESCE(g.name, '')`,
		kind, termStart.UTC(), until.UTC(), kind, periodStart.UTC(), until.UTC(), StatusActive)
	if err != nil {
		return nil, fmt.Errorf("storage: sit-in coverage: %w", err)
	}
	return out, nil
}
