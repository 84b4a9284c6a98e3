package storage

import (
	"cmp"
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// This file holds the queries of the staff console's suggestion, opinion
// and dashboard pages that the domain services do not need: text search
// in lists, the values offered in filter menus, counts for charts, and the
// all-or-nothing write of an imported batch of suggestions.

type suggestionListRow struct {
	suggestionRow
	LeadName string `db:"lead_name"`
}

// ListSuggestionItems returns one page of suggestions matching q, ordered
// by id, with their lead deputy's name, and how many match in all.
func (db *DB) ListSuggestionItems(ctx context.Context, q model.SuggestionFilter) ([]model.SuggestionListItem, int, error) {
	where, args := whereSuggestionFilter(q)
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM suggestions s`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count suggestions: %w", err)
	}
	sel := suggestionSelect + ` LEFT JOIN deputies ld ON ld.id = s.lead_deputy_id` + where + ` ORDER BY s.id`
	sel = strings.Replace(sel, ` FROM suggestions s`, `, COALESCE(ld.name, '') AS lead_name FROM suggestions s`, 1)
	if q.Limit > 0 {
		sel += fmt.Sprintf(` LIMIT %d OFFSET %d`, q.Limit, max(q.Offset, 0))
	}
	var rows []suggestionListRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, sel, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list suggestions: %w", err)
	}
	out := make([]model.SuggestionListItem, len(rows))
	for i, r := range rows {
		out[i] = model.SuggestionListItem{Suggestion: r.suggestion(), LeadName: r.LeadName}
	}
	return out, total, nil
}

// SuggestionUnits returns the host units suggestions are assigned to, by
// name, read from the kept counts (suggestion_counts.go).
func (db *DB) SuggestionUnits(ctx context.Context) ([]string, error) {
	var out []string
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT c.host_unit FROM suggestion_counts c
		WHERE c.host_unit <> '' AND `+countsInHandling+` GROUP BY c.host_unit HAVING SUM(c.n) > 0 ORDER BY c.host_unit`); err != nil {
		return nil, fmt.Errorf("storage: suggestion units: %w", err)
	}
	return out, nil
}

// SuggestionSessions returns the sessions suggestions were filed at, the
// one with the latest suggestion first. The sessions are read from the
// kept counts, and the latest suggestion of each from the end of its
// entries in suggestions_session (a session a year: a few reads of a row
// or two each, where grouping every suggestion read them all).
func (db *DB) SuggestionSessions(ctx context.Context) ([]string, error) {
	var sessions []string
	if err := db.rq(ctx).SelectContext(ctx, &sessions, `SELECT c.session FROM suggestion_counts c
		WHERE c.session <> '' AND `+countsInHandling+` GROUP BY c.session HAVING SUM(c.n) > 0`); err != nil {
		return nil, fmt.Errorf("storage: suggestion sessions: %w", err)
	}
	// Told which index: either planner would rather read the session's
	// every entry in suggestions_rates, which holds the status, and sort.
	hint := `INDEXED BY suggestions_session`
	if db.dialect == MySQL {
		hint = `FORCE INDEX (suggestions_session)`
	}
	latest := make(map[string]int64, len(sessions))
	for _, ss := range sessions {
		var id int64
		err := db.rq(ctx).GetContext(ctx, &id, `SELECT s.id FROM suggestions s `+hint+` WHERE s.session = ? AND `+inHandling+`
			ORDER BY s.id DESC LIMIT 1`, ss)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("storage: suggestion sessions: %w", err)
		}
		latest[ss] = id
	}
	slices.SortStableFunc(sessions, func(a, b string) int { return cmp.Compare(latest[b], latest[a]) })
	return sessions, nil
}

// SuggestionStatusCounts counts the suggestions matching f by status. A
// filter on the session, host unit and status alone is read from the kept
// counts (suggestion_counts.go).
func (db *DB) SuggestionStatusCounts(ctx context.Context, f model.SuggestionFilter) (map[string]int, error) {
	f.Limit, f.Offset = 0, 0
	if f.Source == "" && f.DeputyID == 0 && f.Number == "" && f.DeputyName == "" {
		out, err := db.keptStatusCounts(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("storage: suggestion status counts: %w", err)
		}
		return out, nil
	}
	where, args := whereSuggestionFilter(f)
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT s.status, COUNT(*) AS n FROM suggestions s`+where+
		` GROUP BY s.status`, args...); err != nil {
		return nil, fmt.Errorf("storage: suggestion status counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// ExistingSuggestionNumbers returns which of numbers are already taken.
func (db *DB) ExistingSuggestionNumbers(ctx context.Context, numbers []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(numbers) > 0 {
		chunk := numbers[:min(len(numbers), 500)]
		numbers = numbers[len(chunk):]
		q, args, err := sqlx.In(`SELECT number FROM suggestions WHERE number IN (?)`, chunk)
		if err != nil {
			return nil, fmt.Errorf("storage: existing suggestion numbers: %w", err)
		}
		var found []string
		if err := db.rq(ctx).SelectContext(ctx, &found, q, args...); err != nil {
			return nil, fmt.Errorf("storage: existing suggestion numbers: %w", err)
		}
		for _, n := range found {
			out[n] = true
		}
	}
	return out, nil
}

// CreateSuggestions inserts every suggestion of batch as CreateSuggestion
// does, in one transaction: all are stored or none. A number already
// taken gives ErrConflict, naming the number.
func (db *DB) CreateSuggestions(ctx context.Context, batch []model.NewSuggestion) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		change := countsChange{}
		for _, n := range batch {
			s := n.Suggestion
			res, err := tx.ExecContext(ctx, `INSERT INTO suggestions (number, title, summary, session, lead_deputy_id,
				host_unit, co_units, status, deadline, reply_category, reply_text, rehandle_reason, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?)`,
				s.Number, s.Title, s.Summary, s.Session, s.LeadDeputyID, s.HostUnit, s.CoUnits,
				model.SuggestionAssigned, dateOnly(s.Deadline), now, now)
			if isDuplicate(err) {
				return fmt.Errorf("number %s: %w", s.Number, model.ErrConflict)
			}
			if err != nil {
				return err
			}
			if s.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			if err := addSuggestionDeputies(ctx, tx, s.ID, s.LeadDeputyID, n.Seconders); err != nil {
				return err
			}
			if err := insertStep(ctx, tx, &model.SuggestionStep{SuggestionID: s.ID, At: now, Kind: model.StepAssigned, Note: s.HostUnit}); err != nil {
				return err
			}
			if err := db.countShares(ctx, tx, change, 1, s.ID); err != nil {
				return err
			}
		}
		return db.applyCounts(ctx, tx, change)
	})
	if err != nil {
		return fmt.Errorf("storage: create %d suggestions: %w", len(batch), err)
	}
	for _, n := range batch {
		s := n.Suggestion
		s.Status, s.CreatedAt, s.UpdatedAt = model.SuggestionAssigned, now, now
	}
	return nil
}
