package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

type suggestionRow struct {
	ID             int64         `db:"id"`
	Number         string        `db:"number"`
	Title          string        `db:"title"`
	Summary        string        `db:"summary"`
	Session        string        `db:"session"`
	LeadDeputyID   int64         `db:"lead_deputy_id"`
	HostUnit       string        `db:"host_unit"`
	CoUnits        string        `db:"co_units"`
	Status         string        `db:"status"`
	Deadline       sql.NullTime  `db:"deadline"`
	ReplyCategory  string        `db:"reply_category"`
	ReplyText      string        `db:"reply_text"`
	RepliedAt      sql.NullTime  `db:"replied_at"`
	ConcludedAt    sql.NullTime  `db:"concluded_at"`
	RehandleReason string        `db:"rehandle_reason"`
	Source         string        `db:"source"`
	Category       string        `db:"category"`
	ReviewNote     string        `db:"review_note"`
	MergedInto     sql.NullInt64 `db:"merged_into"`
	SubmittedAt    sql.NullTime  `db:"submitted_at"`
	CreatedAt      time.Time     `db:"created_at"`
	UpdatedAt      time.Time     `db:"updated_at"`
}

func (r suggestionRow) suggestion() model.Suggestion {
	return model.Suggestion{
		ID: r.ID, Number: r.Number, Title: r.Title, Summary: r.Summary, Session: r.Session,
		LeadDeputyID: r.LeadDeputyID, HostUnit: r.HostUnit, CoUnits: r.CoUnits, Status: r.Status,
		Deadline: timePtr(r.Deadline), ReplyCategory: r.ReplyCategory, ReplyText: r.ReplyText,
		RepliedAt: timePtr(r.RepliedAt), ConcludedAt: timePtr(r.ConcludedAt), RehandleReason: r.RehandleReason,
		Source: r.Source, Category: r.Category, ReviewNote: r.ReviewNote, MergedInto: r.MergedInto.Int64,
		SubmittedAt: timePtr(r.SubmittedAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

const suggestionSelect = `SELECT s.id, s.number, s.title, s.summary, s.session, s.lead_deputy_id, s.host_unit,
	s.co_units, s.status, s.deadline, s.reply_category, s.reply_text, s.replied_at, s.concluded_at,
	s.rehandle_reason, s.source, s.category, s.review_note, s.merged_into, s.submitted_at,
	s.created_at, s.updated_at FROM suggestions s`

// inHandling is the condition that leaves out a deputy's draft and the
// suggestions under review: they are no suggestion being handled yet and
// count in no list, rate or record of handling.
const inHandling = `s.status NOT IN ('draft', 'submitted', 'returned', 'merged')`

// CreateSuggestion inserts s with its lead deputy (s.LeadDeputyID) and the
// seconders (附议), and records the 'assigned' step (its note the host
// unit), in one transaction.
// s.Status is set to assigned; s.ID and the timestamps are filled in. A
// number already taken gives ErrConflict.
func (db *DB) CreateSuggestion(ctx context.Context, s *model.Suggestion, seconders []int64) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suggestions (number, title, summary, session, lead_deputy_id,
			host_unit, co_units, status, deadline, reply_category, reply_text, rehandle_reason, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?)`,
			s.Number, s.Title, s.Summary, s.Session, s.LeadDeputyID, s.HostUnit, s.CoUnits,
			model.SuggestionAssigned, dateOnly(s.Deadline), now, now)
		if isDuplicate(err) {
			return model.ErrConflict
		}
		if err != nil {
			return err
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := addSuggestionDeputies(ctx, tx, s.ID, s.LeadDeputyID, seconders); err != nil {
			return err
		}
		change := countsChange{}
		if err := db.countShares(ctx, tx, change, 1, s.ID); err != nil {
			return err
		}
		if err := db.applyCounts(ctx, tx, change); err != nil {
			return err
		}
		// The step's note keeps the unit first assigned, should it change later.
		return insertStep(ctx, tx, &model.SuggestionStep{SuggestionID: s.ID, At: now, Kind: model.StepAssigned, Note: s.HostUnit})
	})
	if err != nil {
		return fmt.Errorf("storage: create suggestion %s: %w", s.Number, err)
	}
	s.Status, s.CreatedAt, s.UpdatedAt = model.SuggestionAssigned, now, now
	s.ReplyCategory, s.ReplyText, s.RehandleReason, s.RepliedAt, s.ConcludedAt = "", "", "", nil, nil
	return nil
}

func addSuggestionDeputies(ctx context.Context, tx *sqlx.Tx, id, lead int64, seconders []int64) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO suggestion_deputies (suggestion_id, deputy_id, role) VALUES (?, ?, ?)`)
	args := []any{id, lead, model.RoleLead}
	seen := map[int64]bool{lead: true}
	for _, d := range seconders {
		if seen[d] {
			continue
		}
		seen[d] = true
		q.WriteString(", (?, ?, ?)")
		args = append(args, id, d, model.RoleSecond)
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// GetSuggestion returns the suggestion with id and its deputies, or ErrNotFound.
func (db *DB) GetSuggestion(ctx context.Context, id int64) (model.Suggestion, error) {
	m := memoOf(ctx)
	if m != nil {
		if s, ok := m.suggestion(id); ok {
			return s, nil
		}
	}
	s, err := db.getSuggestion(ctx, `s.id = ?`, id)
	if err == nil && m != nil {
		m.keepSuggestion(ctx, s)
	}
	return s, err
}

// GetSuggestionByNumber returns the suggestion numbered number (e.g.
// 第0123号) and its deputies, or ErrNotFound.
func (db *DB) GetSuggestionByNumber(ctx context.Context, number string) (model.Suggestion, error) {
	return db.getSuggestion(ctx, `s.number = ?`, number)
}

// suggestionWithDeputies is suggestionSelect with a row per deputy.
var suggestionWithDeputies = strings.TrimSuffix(suggestionSelect, ` FROM suggestions s`) + `,
	sd.deputy_id AS sd_deputy_id, d.name AS sd_name, sd.role AS sd_role FROM suggestions s
	LEFT JOIN suggestion_deputies sd ON sd.suggestion_id = s.id LEFT JOIN deputies d ON d.id = sd.deputy_id`

// getSuggestion returns the one suggestion where (a condition on s) holds,
// with its deputies, in one statement: a row per deputy (the lead first,
// then the seconders by id), as the chat reads a suggestion for most
// messages of a rating.
func (db *DB) getSuggestion(ctx context.Context, where string, arg any) (model.Suggestion, error) {
	var rows []struct {
		suggestionRow
		DeputyID sql.NullInt64  `db:"sd_deputy_id"`
		Name     sql.NullString `db:"sd_name"`
		Role     sql.NullString `db:"sd_role"`
	}
	q := suggestionWithDeputies + ` WHERE ` + where + ` ORDER BY CASE WHEN sd.role = 'lead' THEN 0 ELSE 1 END, d.id`
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, arg); err != nil {
		return model.Suggestion{}, fmt.Errorf("storage: suggestion %v: %w", arg, err)
	}
	if len(rows) == 0 {
		return model.Suggestion{}, fmt.Errorf("storage: suggestion %v: %w", arg, model.ErrNotFound)
	}
	s := rows[0].suggestion()
	for _, r := range rows {
		if r.DeputyID.Valid && r.Name.Valid {
			s.Deputies = append(s.Deputies, model.SuggestionDeputy{DeputyID: r.DeputyID.Int64, Name: r.Name.String, Role: r.Role.String})
		}
	}
	return s, nil
}

// ListSuggestions returns one page of suggestions matching f, ordered by
// id, and how many match in all. Deputies are not filled in.
func (db *DB) ListSuggestions(ctx context.Context, f model.SuggestionFilter) ([]model.Suggestion, int, error) {
	where, args := whereSuggestionFilter(f)
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM suggestions s`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count suggestions: %w", err)
	}
	q := suggestionSelect + where + ` ORDER BY s.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []suggestionRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list suggestions: %w", err)
	}
	out := make([]model.Suggestion, len(rows))
	for i, r := range rows {
		out[i] = r.suggestion()
	}
	return out, total, nil
}

// deputySuggestionsQuery and deputySuggestionsFrom are SuggestionsOfDeputy's
// list, its columns and the rest.
const deputySuggestionsQuery = `SELECT s.id, s.number, s.title, s.host_unit, s.status, sd.role, s.deadline,
		CASE WHEN r.id IS NULL THEN 0
		     WHEN s.replied_at IS NOT NULL AND s.replied_at > COALESCE(r.revised_at, r.rated_at) THEN 0
		     ELSE 1 END AS rated`

const deputySuggestionsFrom = ` FROM suggestion_deputies sd
		JOIN suggestions s ON s.id = sd.suggestion_id
		LEFT JOIN suggestion_ratings r ON r.suggestion_id = sd.suggestion_id AND r.deputy_id = sd.deputy_id
		WHERE sd.deputy_id = ? AND ` + inHandling + ` ORDER BY s.id`

// countDrafts counts the suggestions a deputy wrote that are not being
// handled yet (SuggestionsByAuthor's).
const countDrafts = `SELECT COUNT(*) FROM suggestions p WHERE p.lead_deputy_id = ? AND p.status IN (?, ?, ?)`

// SuggestionsOfDeputy lists the suggestions deputyID is on (as lead or
// seconder), ordered by id.
func (db *DB) SuggestionsOfDeputy(ctx context.Context, deputyID int64) ([]model.DeputySuggestion, error) {
	var out []model.DeputySuggestion
	err := db.rq(ctx).SelectContext(ctx, &out, deputySuggestionsQuery+deputySuggestionsFrom, deputyID)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestions of deputy %d: %w", deputyID, err)
	}
	return out, nil
}

// SuggestionsOfDeputyAndDrafts is SuggestionsOfDeputy and how many
// suggestions the deputy wrote that are not handled yet (drafts, under
// review, returned: SuggestionsByAuthor's), in one statement when the
// list is not empty: 我的建议 shows both.
func (db *DB) SuggestionsOfDeputyAndDrafts(ctx context.Context, deputyID int64) ([]model.DeputySuggestion, int, error) {
	drafts := []any{deputyID, model.SuggestionDraft, model.SuggestionSubmitted, model.SuggestionReturned}
	var rows []struct {
		model.DeputySuggestion
		Drafts int `db:"drafts"`
	}
	err := db.rq(ctx).SelectContext(ctx, &rows, deputySuggestionsQuery+`,
		(`+countDrafts+`) AS drafts`+deputySuggestionsFrom,
		append(drafts, deputyID)...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: suggestions of deputy %d: %w", deputyID, err)
	}
	if len(rows) == 0 {
		var n int
		if err := db.rq(ctx).GetContext(ctx, &n, countDrafts, drafts...); err != nil {
			return nil, 0, fmt.Errorf("storage: suggestions by deputy %d: %w", deputyID, err)
		}
		return nil, n, nil
	}
	out := make([]model.DeputySuggestion, len(rows))
	for i, r := range rows {
		out[i] = r.DeputySuggestion
	}
	return out, rows[0].Drafts, nil
}

// IsSuggestionDeputy reports whether deputyID is on the suggestion, and in
// which role (RoleLead or RoleSecond).
func (db *DB) IsSuggestionDeputy(ctx context.Context, suggestionID, deputyID int64) (role string, ok bool, err error) {
	err = db.rq(ctx).GetContext(ctx, &role, `SELECT role FROM suggestion_deputies WHERE suggestion_id = ? AND deputy_id = ?`,
		suggestionID, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: suggestion %d deputy %d: %w", suggestionID, deputyID, err)
	}
	return role, true, nil
}

// AddSuggestionStep records st (st.At defaults to now) and applies what its
// kind implies to the suggestion, in one transaction:
//
//	assigned   status assigned
//	contacted  status handling, if it was assigned
//	replied    status replied; reply category and text (st.Note); replied_at = st.At
//	concluded  status concluded; concluded_at = st.At
//	rehandling status rehandling; rehandle_reason = st.Note; concluded_at cleared
//	note       nothing but updated_at
//
// When expectStatus is not empty the step is added only if the suggestion
// is still in that status, else ErrConflict: the caller validated the
// transition against what it read, and this keeps a concurrent change from
// slipping in between. A missing suggestion gives ErrNotFound.
// The pushes (progress notices, rating requests) are written in the same
// transaction.
func (db *DB) AddSuggestionStep(ctx context.Context, st *model.SuggestionStep, expectStatus string, pushes ...model.Push) error {
	if st.At.IsZero() {
		st.At = db.now()
	}
	st.At = st.At.UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		change := countsChange{}
		if err := db.countShares(ctx, tx, change, -1, st.SuggestionID); err != nil {
			return err
		}
		if err := db.addStep(ctx, tx, st, expectStatus); err != nil {
			return err
		}
		if err := db.countShares(ctx, tx, change, 1, st.SuggestionID); err != nil {
			return err
		}
		if err := db.applyCounts(ctx, tx, change); err != nil {
			return err
		}
		return db.enqueueAll(ctx, tx, fmt.Sprintf("st%d", st.ID), pushes)
	})
	if err != nil {
		return fmt.Errorf("storage: suggestion %d step %s: %w", st.SuggestionID, st.Kind, err)
	}
	return nil
}

func (db *DB) addStep(ctx context.Context, tx *sqlx.Tx, st *model.SuggestionStep, expectStatus string) error {
	q := `SELECT status FROM suggestions WHERE id = ?`
	if db.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var cur string
	err := tx.GetContext(ctx, &cur, q, st.SuggestionID)
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	}
	if err != nil {
		return err
	}
	if expectStatus != "" && cur != expectStatus {
		return model.ErrConflict
	}
	set, args, err := stepEffect(st, cur)
	if err != nil {
		return err
	}
	args = append(append(args, db.now().UTC()), st.SuggestionID)
	if _, err := tx.ExecContext(ctx, `UPDATE suggestions SET `+set+`updated_at = ? WHERE id = ?`, args...); err != nil {
		return err
	}
	return insertStep(ctx, tx, st)
}

// stepEffect returns the SET clause (each item ending in ", ") and its
// arguments for what st does to a suggestion in status cur.
func stepEffect(st *model.SuggestionStep, cur string) (string, []any, error) {
	switch st.Kind {
	case model.StepAssigned:
		return `status = ?, `, []any{model.SuggestionAssigned}, nil
	case model.StepContacted:
		if cur == model.SuggestionAssigned {
			return `status = ?, `, []any{model.SuggestionHandling}, nil
		}
		return "", nil, nil
	case model.StepReplied:
		return `status = ?, reply_category = ?, reply_text = ?, replied_at = ?, `,
			[]any{model.SuggestionReplied, st.ReplyCategory, st.Note, st.At}, nil
	case model.StepConcluded:
		return `status = ?, concluded_at = ?, `, []any{model.SuggestionConcluded, st.At}, nil
	case model.StepRehandling:
		return `status = ?, rehandle_reason = ?, concluded_at = NULL, `, []any{model.SuggestionRehandling, st.Note}, nil
	case model.StepNote:
		return "", nil, nil
	}
	return "", nil, fmt.Errorf("unknown step kind %q", st.Kind)
}

func insertStep(ctx context.Context, tx *sqlx.Tx, st *model.SuggestionStep) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO suggestion_steps (suggestion_id, at, kind, actor, note)
		VALUES (?, ?, ?, ?, ?)`, st.SuggestionID, st.At.UTC(), st.Kind, st.Actor, st.Note)
	if err != nil {
		return err
	}
	st.ID, err = res.LastInsertId()
	return err
}

// SuggestionSteps returns the suggestion's history, oldest first.
func (db *DB) SuggestionSteps(ctx context.Context, suggestionID int64) ([]model.SuggestionStep, error) {
	var out []model.SuggestionStep
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT id, suggestion_id, at, kind, actor, note FROM suggestion_steps
		WHERE suggestion_id = ? ORDER BY at, id`, suggestionID)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestion %d steps: %w", suggestionID, err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// UpsertRating stores r as r.DeputyID's rating of r.SuggestionID: it
// inserts it, or overwrites every field of the existing one (the caller
// decides RatedAt and RevisedAt). When then is not nil, that step is added
// in the same transaction with AddSuggestionStep's effects (no status
// check), so a rating that sends the suggestion back is never half-stored.
// r.ID is filled in.
func (db *DB) UpsertRating(ctx context.Context, r *model.SuggestionRating, then *model.SuggestionStep) error {
	q := `INSERT INTO suggestion_ratings (suggestion_id, deputy_id, contact, attitude, result, reason, rated_at, revised_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (suggestion_id, deputy_id) DO UPDATE SET contact = excluded.contact, attitude = excluded.attitude,
		result = excluded.result, reason = excluded.reason, rated_at = excluded.rated_at, revised_at = excluded.revised_at`
	if db.dialect == MySQL {
		q = `INSERT INTO suggestion_ratings (suggestion_id, deputy_id, contact, attitude, result, reason, rated_at, revised_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE contact = VALUES(contact), attitude = VALUES(attitude), result = VALUES(result),
		reason = VALUES(reason), rated_at = VALUES(rated_at), revised_at = VALUES(revised_at)`
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		// The suggestion's share is read (and on MySQL its row locked)
		// first and again after the rating and the step, and the kept
		// counts take the difference.
		change := countsChange{}
		if err := db.countShares(ctx, tx, change, -1, r.SuggestionID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, r.SuggestionID, r.DeputyID, r.Contact, r.Attitude, r.Result, r.Reason,
			r.RatedAt.UTC(), nullTime(r.RevisedAt)); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r.ID, `SELECT id FROM suggestion_ratings WHERE suggestion_id = ? AND deputy_id = ?`,
			r.SuggestionID, r.DeputyID); err != nil {
			return err
		}
		if then != nil {
			if then.At.IsZero() {
				then.At = db.now()
			}
			then.At = then.At.UTC()
			if err := db.addStep(ctx, tx, then, ""); err != nil {
				return err
			}
		}
		if err := db.countShares(ctx, tx, change, 1, r.SuggestionID); err != nil {
			return err
		}
		return db.applyCounts(ctx, tx, change)
	})
	if err != nil {
		return fmt.Errorf("storage: rate suggestion %d by deputy %d: %w", r.SuggestionID, r.DeputyID, err)
	}
	return nil
}

const ratingSelect = `SELECT id, suggestion_id, deputy_id, contact, attitude, result, reason, rated_at, revised_at
	FROM suggestion_ratings`

// GetRating returns deputyID's rating of the suggestion, or ErrNotFound.
func (db *DB) GetRating(ctx context.Context, suggestionID, deputyID int64) (model.SuggestionRating, error) {
	m := memoOf(ctx)
	key := ratingKey{suggestionID, deputyID}
	var r model.SuggestionRating
	found := false
	if v, ok := recallAs[ratingRead](m, key); ok {
		r, found = utcSuggestionRating(v.r), v.found // a copy of RevisedAt too
	} else {
		err := db.rq(ctx).GetContext(ctx, &r, ratingSelect+` WHERE suggestion_id = ? AND deputy_id = ?`, suggestionID, deputyID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("storage: rating of suggestion %d by deputy %d: %w", suggestionID, deputyID, err)
		}
		found = err == nil
		if found {
			r = utcSuggestionRating(r)
		}
		if m != nil {
			m.keep(ctx, key, ratingRead{r, found})
		}
	}
	if !found {
		return r, fmt.Errorf("storage: rating of suggestion %d by deputy %d: %w", suggestionID, deputyID, model.ErrNotFound)
	}
	return r, nil
}

// SuggestionRatings returns every rating of the suggestion, by deputy id.
func (db *DB) SuggestionRatings(ctx context.Context, suggestionID int64) ([]model.SuggestionRating, error) {
	var out []model.SuggestionRating
	if err := db.rq(ctx).SelectContext(ctx, &out, ratingSelect+` WHERE suggestion_id = ? ORDER BY deputy_id`, suggestionID); err != nil {
		return nil, fmt.Errorf("storage: ratings of suggestion %d: %w", suggestionID, err)
	}
	for i := range out {
		out[i] = utcSuggestionRating(out[i])
	}
	return out, nil
}

// SuggestionRates returns the counts over every suggestion matching f and
// the same counts per host unit, by unit name. Ratings count by their
// result (办理结果), not the unit's attitude. They are read from the kept
// counts (suggestion_counts.go).
func (db *DB) SuggestionRates(ctx context.Context, f model.SuggestionRatesFilter) (model.SuggestionCounts, []model.UnitSuggestionCounts, error) {
	units, err := db.keptRates(ctx, f)
	if err != nil {
		return model.SuggestionCounts{}, nil, fmt.Errorf("storage: suggestion rates: %w", err)
	}
	var total model.SuggestionCounts
	for _, u := range units {
		addSuggestionCounts(&total, u.SuggestionCounts)
	}
	return total, units, nil
}

func whereSuggestionFilter(f model.SuggestionFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.Status != "" {
		add(`s.status = ?`, f.Status)
	} else {
		add(inHandling)
	}
	if f.Source != "" {
		add(`s.source = ?`, f.Source)
	}
	if f.HostUnit != "" {
		add(`s.host_unit = ?`, f.HostUnit)
	}
	if f.DeputyID != 0 {
		add(`s.id IN (SELECT suggestion_id FROM suggestion_deputies WHERE deputy_id = ?)`, f.DeputyID)
	}
	if f.Session != "" {
		add(`s.session = ?`, f.Session)
	}
	if f.Number != "" {
		add(`s.number LIKE ? ESCAPE '!'`, "%"+escapeLike(f.Number)+"%")
	}
	if f.DeputyName != "" {
		add(`s.id IN (SELECT sd.suggestion_id FROM suggestion_deputies sd
			JOIN deputies dn ON dn.id = sd.deputy_id WHERE dn.name LIKE ? ESCAPE '!')`, "%"+escapeLike(f.DeputyName)+"%")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func utcSuggestionRating(r model.SuggestionRating) model.SuggestionRating {
	r.RatedAt = r.RatedAt.UTC()
	if r.RevisedAt != nil {
		u := r.RevisedAt.UTC()
		r.RevisedAt = &u
	}
	return r
}

func addSuggestionCounts(c *model.SuggestionCounts, o model.SuggestionCounts) {
	c.Total += o.Total
	c.Replied += o.Replied
	c.Concluded += o.Concluded
	c.Rehandling += o.Rehandling
	c.RatedSuggestions += o.RatedSuggestions
	c.Rated += o.Rated
	c.Satisfied += o.Satisfied
	c.Basic += o.Basic
	c.Dissatisfied += o.Dissatisfied
}
