package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// The counts of suggestions kept rather than recounted: suggestion_counts
// holds, per (session, host unit, status, replied or not), how many
// suggestions there are and the tallies of their ratings. The dashboard and
// the rates pages read it instead of aggregating a session's suggestions
// and ratings on every request (docs/benchmarks.md, "At issue 18's
// scale").
//
// Every write to a suggestion or a rating keeps it in the same
// transaction: the suggestion's share (its key and its ratings' tallies) is
// read before the write and after it, and the difference applied. SQLite
// transactions begin IMMEDIATE, one writer at a time. On MySQL both reads
// lock the suggestion's row (FOR UPDATE), so writes to one suggestion take
// turns. Its ratings are read without a lock: a locking read of a range of
// suggestion_ratings also locks the gap to the next suggestion's ratings,
// and ratings of neighbouring suggestions written at once deadlocked
// (TestKeptSuggestionCountsUnderConcurrentWrites). Every rating is written
// under its suggestion's lock, so the read sees the last committed ratings
// unless the transaction read something before taking the lock (a core
// method's earlier reads on MySQL): then a rating committed by another
// deputy in between could be left on the suggestion's former key if this
// write changes the key. `migrate recount` repairs that. The counter rows
// are updated in key order, so two transactions moving suggestions between
// the same keys cannot deadlock on them.
// RecountSuggestions rebuilds the table from suggestions and ratings
// (`deputybot migrate recount`).

// suggestionKey is a row of suggestion_counts.
type suggestionKey struct {
	Session  string `db:"session"`
	HostUnit string `db:"host_unit"`
	Status   string `db:"status"`
	Replied  int    `db:"replied"`
}

// suggestionTally is what one suggestion, or a row of suggestion_counts,
// counts.
type suggestionTally struct {
	N, RatedSuggestions, Rated, Satisfied, Basic, Dissatisfied int64
}

func (t *suggestionTally) add(o suggestionTally, sign int64) {
	t.N += sign * o.N
	t.RatedSuggestions += sign * o.RatedSuggestions
	t.Rated += sign * o.Rated
	t.Satisfied += sign * o.Satisfied
	t.Basic += sign * o.Basic
	t.Dissatisfied += sign * o.Dissatisfied
}

// suggestionShare is one suggestion's part of the counts.
type suggestionShare struct {
	Key   suggestionKey
	Tally suggestionTally
}

// shareOf reads the share of suggestion id in tx, locking its row on
// MySQL. A missing suggestion has no share (ok false).
func (db *DB) shareOf(ctx context.Context, tx *sqlx.Tx, id int64) (share suggestionShare, ok bool, err error) {
	lock := ""
	if db.dialect == MySQL {
		lock = ` FOR UPDATE`
	}
	err = tx.GetContext(ctx, &share.Key, `SELECT session, host_unit, status,
		CASE WHEN replied_at IS NULL THEN 0 ELSE 1 END AS replied FROM suggestions WHERE id = ?`+lock, id)
	if errors.Is(err, sql.ErrNoRows) {
		return share, false, nil
	}
	if err != nil {
		return share, false, err
	}
	var r struct {
		N            int64 `db:"n"`
		Satisfied    int64 `db:"satisfied"`
		Basic        int64 `db:"basic"`
		Dissatisfied int64 `db:"dissatisfied"`
	}
	if err := tx.GetContext(ctx, &r, `SELECT COUNT(*) AS n,
		COALESCE(SUM(CASE WHEN result IN ('satisfied', 'basic') THEN 1 ELSE 0 END), 0) AS satisfied,
		COALESCE(SUM(CASE WHEN result = 'basic' THEN 1 ELSE 0 END), 0) AS basic,
		COALESCE(SUM(CASE WHEN result = 'dissatisfied' THEN 1 ELSE 0 END), 0) AS dissatisfied
		FROM suggestion_ratings WHERE suggestion_id = ?`, id); err != nil {
		return share, false, err
	}
	share.Tally = suggestionTally{N: 1, Rated: r.N, Satisfied: r.Satisfied, Basic: r.Basic, Dissatisfied: r.Dissatisfied}
	if r.N > 0 {
		share.Tally.RatedSuggestions = 1
	}
	return share, true, nil
}

// countsChange gathers the changes a transaction makes to the kept
// counts, to write them once, in key order.
type countsChange map[suggestionKey]suggestionTally

func (c countsChange) add(s suggestionShare, sign int64) {
	t := c[s.Key]
	t.add(s.Tally, sign)
	c[s.Key] = t
}

// countShares adds to change the shares of the suggestions ids, read in
// tx, with sign: -1 before a write, 1 after it. A missing suggestion (one
// not yet created) has none.
func (db *DB) countShares(ctx context.Context, tx *sqlx.Tx, change countsChange, sign int64, ids ...int64) error {
	for _, id := range ids {
		s, ok, err := db.shareOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if ok {
			change.add(s, sign)
		}
	}
	return nil
}

// applyCounts writes change to the kept counts, in key order.
func (db *DB) applyCounts(ctx context.Context, tx *sqlx.Tx, change countsChange) error {
	keys := make([]suggestionKey, 0, len(change))
	for k, t := range change {
		if t != (suggestionTally{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b suggestionKey) int {
		return cmp.Or(strings.Compare(a.Session, b.Session), strings.Compare(a.HostUnit, b.HostUnit),
			strings.Compare(a.Status, b.Status), cmp.Compare(a.Replied, b.Replied))
	})
	q := `INSERT INTO suggestion_counts (session, host_unit, status, replied, n, rated_suggestions, rated, satisfied, basic, dissatisfied)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (session, host_unit, status, replied) DO UPDATE SET n = n + excluded.n,
		rated_suggestions = rated_suggestions + excluded.rated_suggestions, rated = rated + excluded.rated,
		satisfied = satisfied + excluded.satisfied, basic = basic + excluded.basic, dissatisfied = dissatisfied + excluded.dissatisfied`
	if db.dialect == MySQL {
		q = `INSERT INTO suggestion_counts (session, host_unit, status, replied, n, rated_suggestions, rated, satisfied, basic, dissatisfied)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE n = n + VALUES(n), rated_suggestions = rated_suggestions + VALUES(rated_suggestions),
		rated = rated + VALUES(rated), satisfied = satisfied + VALUES(satisfied), basic = basic + VALUES(basic),
		dissatisfied = dissatisfied + VALUES(dissatisfied)`
	}
	for _, k := range keys {
		t := change[k]
		if _, err := tx.ExecContext(ctx, q, k.Session, k.HostUnit, k.Status, k.Replied,
			t.N, t.RatedSuggestions, t.Rated, t.Satisfied, t.Basic, t.Dissatisfied); err != nil {
			return fmt.Errorf("keep suggestion counts: %w", err)
		}
	}
	return nil
}

// recountSuggestionsSelect counts the suggestions and their ratings by
// suggestion_counts' key, in the order of its columns.
const recountSuggestionsSelect = `SELECT session, host_unit, status, replied, COUNT(*), SUM(CASE WHEN rn > 0 THEN 1 ELSE 0 END), SUM(rn), SUM(rs), SUM(rb), SUM(rd)
FROM (SELECT s.session, s.host_unit, s.status, CASE WHEN s.replied_at IS NULL THEN 0 ELSE 1 END AS replied,
        COALESCE(r.n, 0) AS rn, COALESCE(r.satisfied, 0) AS rs, COALESCE(r.basic, 0) AS rb, COALESCE(r.dissatisfied, 0) AS rd
    FROM suggestions s LEFT JOIN (
        SELECT suggestion_id, COUNT(*) AS n,
        SUM(CASE WHEN result IN ('satisfied', 'basic') THEN 1 ELSE 0 END) AS satisfied,
        SUM(CASE WHEN result = 'basic' THEN 1 ELSE 0 END) AS basic,
        SUM(CASE WHEN result = 'dissatisfied' THEN 1 ELSE 0 END) AS dissatisfied
        FROM suggestion_ratings GROUP BY suggestion_id
    ) r ON r.suggestion_id = s.id) x
GROUP BY session, host_unit, status, replied`

// recountSuggestionsQuery fills suggestion_counts from the tables (the
// migration that made the table runs the same statement).
const recountSuggestionsQuery = `INSERT INTO suggestion_counts (session, host_unit, status, replied, n, rated_suggestions, rated, satisfied, basic, dissatisfied)
` + recountSuggestionsSelect

// RecountSuggestions rebuilds the kept counts of suggestions from the
// suggestions and their ratings, in one transaction, and reports how many
// counter rows it changed (0 when they were right). On MySQL it locks the
// suggestions and ratings it reads until it commits.
func (db *DB) RecountSuggestions(ctx context.Context) (changed int, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		lock := ""
		if db.dialect == MySQL {
			// Block writes to suggestions and ratings while recounting,
			// so none is counted twice or missed.
			lock = ` FOR UPDATE`
			if _, err := tx.ExecContext(ctx, `SELECT COUNT(*) FROM suggestions`+lock); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `SELECT COUNT(*) FROM suggestion_ratings`+lock); err != nil {
				return err
			}
		}
		old, err := keptSuggestionCounts(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM suggestion_counts`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, recountSuggestionsQuery); err != nil {
			return err
		}
		now, err := keptSuggestionCounts(ctx, tx)
		if err != nil {
			return err
		}
		changed = countsDiffer(old, now)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: recount suggestions: %w", err)
	}
	return changed, nil
}

// keptSuggestionCounts reads the non-zero rows of suggestion_counts.
func keptSuggestionCounts(ctx context.Context, q sqlx.QueryerContext) (map[suggestionKey]suggestionTally, error) {
	return readTallies(ctx, q, `SELECT session, host_unit, status, replied, n, rated_suggestions, rated,
		satisfied, basic, dissatisfied FROM suggestion_counts`)
}

// readTallies runs query, which selects a key and its tally in the order
// of suggestion_counts' columns, and returns the non-zero tallies by key.
func readTallies(ctx context.Context, q sqlx.QueryerContext, query string) (map[suggestionKey]suggestionTally, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[suggestionKey]suggestionTally{}
	for rows.Next() {
		var k suggestionKey
		var t suggestionTally
		if err := rows.Scan(&k.Session, &k.HostUnit, &k.Status, &k.Replied,
			&t.N, &t.RatedSuggestions, &t.Rated, &t.Satisfied, &t.Basic, &t.Dissatisfied); err != nil {
			return nil, err
		}
		if t != (suggestionTally{}) {
			out[k] = t
		}
	}
	return out, rows.Err()
}

// KeptSuggestionCountsRight reports whether the kept counts of suggestions
// are those a recount gives, naming the first difference; for tests and
// checks, it writes nothing.
func (db *DB) KeptSuggestionCountsRight(ctx context.Context) (bool, string, error) {
	kept, err := keptSuggestionCounts(ctx, db.rq(ctx))
	if err != nil {
		return false, "", fmt.Errorf("storage: kept suggestion counts: %w", err)
	}
	want, err := readTallies(ctx, db.rq(ctx), recountSuggestionsSelect)
	if err != nil {
		return false, "", fmt.Errorf("storage: recount suggestions: %w", err)
	}
	for k, t := range want {
		if kept[k] != t {
			return false, fmt.Sprintf("%+v: kept %+v, recounted %+v", k, kept[k], t), nil
		}
	}
	for k, t := range kept {
		if _, ok := want[k]; !ok {
			return false, fmt.Sprintf("%+v: kept %+v, recounted none", k, t), nil
		}
	}
	return true, "", nil
}

// countsInHandling is inHandling as a condition on suggestion_counts.
const countsInHandling = `c.status NOT IN ('draft', 'submitted', 'returned', 'merged')`

// keptRates is SuggestionRates read from the kept counts.
func (db *DB) keptRates(ctx context.Context, f model.SuggestionRatesFilter) ([]model.UnitSuggestionCounts, error) {
	conds := []string{countsInHandling}
	var args []any
	if f.Session != "" {
		conds, args = append(conds, `c.session = ?`), append(args, f.Session)
	}
	if f.HostUnit != "" {
		conds, args = append(conds, `c.host_unit = ?`), append(args, f.HostUnit)
	}
	var units []model.UnitSuggestionCounts
	err := db.rq(ctx).SelectContext(ctx, &units, `SELECT c.host_unit, SUM(c.n) AS total,
		SUM(CASE WHEN c.status IN ('replied', 'concluded', 'rehandling') OR c.replied = 1 THEN c.n ELSE 0 END) AS replied,
		SUM(CASE WHEN c.status = 'concluded' THEN c.n ELSE 0 END) AS concluded,
		SUM(CASE WHEN c.status = 'rehandling' THEN c.n ELSE 0 END) AS rehandling,
		SUM(c.rated_suggestions) AS rated_suggestions, SUM(c.rated) AS rated, SUM(c.satisfied) AS satisfied,
		SUM(c.basic) AS basic, SUM(c.dissatisfied) AS dissatisfied
		FROM suggestion_counts c WHERE `+strings.Join(conds, " AND ")+`
		GROUP BY c.host_unit HAVING SUM(c.n) > 0 ORDER BY c.host_unit`, args...)
	return units, err
}

// keptStatusCounts is SuggestionStatusCounts read from the kept counts,
// for a filter on nothing but the session, the host unit and the status.
func (db *DB) keptStatusCounts(ctx context.Context, f model.SuggestionFilter) (map[string]int, error) {
	conds := []string{countsInHandling}
	var args []any
	if f.Status != "" {
		conds, args = []string{`c.status = ?`}, []any{f.Status}
	}
	if f.Session != "" {
		conds, args = append(conds, `c.session = ?`), append(args, f.Session)
	}
	if f.HostUnit != "" {
		conds, args = append(conds, `c.host_unit = ?`), append(args, f.HostUnit)
	}
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT c.status, SUM(c.n) AS n FROM suggestion_counts c WHERE `+
		strings.Join(conds, " AND ")+` GROUP BY c.status HAVING SUM(c.n) > 0`, args...); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
