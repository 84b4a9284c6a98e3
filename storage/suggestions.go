package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Suggestion statuses as stored.
const (
	SuggestionAssigned   = "assigned"   // 已交办
	SuggestionHandling   = "handling"   // 办理中
	SuggestionReplied    = "replied"    // 已答复
	SuggestionConcluded  = "concluded"  // 已办结
	SuggestionRehandling = "rehandling" // 重新办理
)

// Handling-step kinds as stored.
const (
	StepAssigned   = "assigned"
	StepContacted  = "contacted"
	StepReplied    = "replied"
	StepConcluded  = "concluded"
	StepRehandling = "rehandling"
	StepNote       = "note"
)

// A deputy's role on a suggestion.
const (
	RoleLead   = "lead"   // 领衔
	RoleSecond = "second" // 附议
)

// How the handling unit got in touch with the deputy, as stored.
const (
	ContactFace    = "face"    // 当面沟通
	ContactPhone   = "phone"   // 电话沟通
	ContactWritten = "written" // 书面沟通
	ContactNone    = "none"    // 未联系
)

// A rating of the unit's attitude or of the result, as stored.
const (
	RatingSatisfied    = "satisfied"    // 满意
	RatingBasic        = "basic"        // 基本满意
	RatingDissatisfied = "dissatisfied" // 不满意
)

// Suggestion is one deputy suggestion (代表建议) and its handling state.
type Suggestion struct {
	ID             int64
	Number         string // e.g. 第0123号, unique
	Title          string
	Summary        string
	Session        string // e.g. 十四届人大三次会议
	LeadDeputyID   int64
	HostUnit       string // 主办单位
	CoUnits        string // 协办单位, separated by 、
	Status         string // one of the Suggestion… statuses
	Deadline       *time.Time
	ReplyCategory  string // A, B, C, D, or empty before the reply
	ReplyText      string
	RepliedAt      *time.Time // the latest reply
	ConcludedAt    *time.Time // cleared when sent back for re-handling
	RehandleReason string     // why it was last sent back
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Deputies lists the lead first, then the seconders; filled by
	// GetSuggestion and GetSuggestionByNumber only.
	Deputies []SuggestionDeputy
}

// SuggestionDeputy is a deputy on a suggestion and their role.
type SuggestionDeputy struct {
	DeputyID int64  `db:"deputy_id"`
	Name     string `db:"name"`
	Role     string `db:"role"` // RoleLead or RoleSecond
}

type suggestionRow struct {
	ID             int64        `db:"id"`
	Number         string       `db:"number"`
	Title          string       `db:"title"`
	Summary        string       `db:"summary"`
	Session        string       `db:"session"`
	LeadDeputyID   int64        `db:"lead_deputy_id"`
	HostUnit       string       `db:"host_unit"`
	CoUnits        string       `db:"co_units"`
	Status         string       `db:"status"`
	Deadline       sql.NullTime `db:"deadline"`
	ReplyCategory  string       `db:"reply_category"`
	ReplyText      string       `db:"reply_text"`
	RepliedAt      sql.NullTime `db:"replied_at"`
	ConcludedAt    sql.NullTime `db:"concluded_at"`
	RehandleReason string       `db:"rehandle_reason"`
	CreatedAt      time.Time    `db:"created_at"`
	UpdatedAt      time.Time    `db:"updated_at"`
}

func (r suggestionRow) suggestion() Suggestion {
	return Suggestion{
		ID: r.ID, Number: r.Number, Title: r.Title, Summary: r.Summary, Session: r.Session,
		LeadDeputyID: r.LeadDeputyID, HostUnit: r.HostUnit, CoUnits: r.CoUnits, Status: r.Status,
		Deadline: timePtr(r.Deadline), ReplyCategory: r.ReplyCategory, ReplyText: r.ReplyText,
		RepliedAt: timePtr(r.RepliedAt), ConcludedAt: timePtr(r.ConcludedAt), RehandleReason: r.RehandleReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

const suggestionSelect = `SELECT s.id, s.number, s.title, s.summary, s.session, s.lead_deputy_id, s.host_unit,
	s.co_units, s.status, s.deadline, s.reply_category, s.reply_text, s.replied_at, s.concluded_at,
	s.rehandle_reason, s.created_at, s.updated_at FROM suggestions s`

// CreateSuggestion inserts s with its lead deputy (s.LeadDeputyID) and the
// seconders (附议), and records the 'assigned' step (its note the host
// unit), in one transaction.
// s.Status is set to assigned; s.ID and the timestamps are filled in. A
// number already taken gives ErrConflict.
func (db *DB) CreateSuggestion(ctx context.Context, s *Suggestion, seconders []int64) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suggestions (number, title, summary, session, lead_deputy_id,
			host_unit, co_units, status, deadline, reply_category, reply_text, rehandle_reason, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', ?, ?)`,
			s.Number, s.Title, s.Summary, s.Session, s.LeadDeputyID, s.HostUnit, s.CoUnits,
			SuggestionAssigned, dateOnly(s.Deadline), now, now)
		if isDuplicate(err) {
			return ErrConflict
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
		// The step's note keeps the unit first assigned, should it change later.
		return insertStep(ctx, tx, &SuggestionStep{SuggestionID: s.ID, At: now, Kind: StepAssigned, Note: s.HostUnit})
	})
	if err != nil {
		return fmt.Errorf("storage: create suggestion %s: %w", s.Number, err)
	}
	s.Status, s.CreatedAt, s.UpdatedAt = SuggestionAssigned, now, now
	s.ReplyCategory, s.ReplyText, s.RehandleReason, s.RepliedAt, s.ConcludedAt = "", "", "", nil, nil
	return nil
}

func addSuggestionDeputies(ctx context.Context, tx *sqlx.Tx, id, lead int64, seconders []int64) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO suggestion_deputies (suggestion_id, deputy_id, role) VALUES (?, ?, ?)`)
	args := []any{id, lead, RoleLead}
	seen := map[int64]bool{lead: true}
	for _, d := range seconders {
		if seen[d] {
			continue
		}
		seen[d] = true
		q.WriteString(", (?, ?, ?)")
		args = append(args, id, d, RoleSecond)
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// GetSuggestion returns the suggestion with id and its deputies, or ErrNotFound.
func (db *DB) GetSuggestion(ctx context.Context, id int64) (Suggestion, error) {
	return db.getSuggestion(ctx, suggestionSelect+` WHERE s.id = ?`, id)
}

// GetSuggestionByNumber returns the suggestion numbered number (e.g.
// 第0123号) and its deputies, or ErrNotFound.
func (db *DB) GetSuggestionByNumber(ctx context.Context, number string) (Suggestion, error) {
	return db.getSuggestion(ctx, suggestionSelect+` WHERE s.number = ?`, number)
}

func (db *DB) getSuggestion(ctx context.Context, q string, arg any) (Suggestion, error) {
	var row suggestionRow
	err := db.r.GetContext(ctx, &row, q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return Suggestion{}, fmt.Errorf("storage: suggestion %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return Suggestion{}, fmt.Errorf("storage: suggestion %v: %w", arg, err)
	}
	s := row.suggestion()
	err = db.r.SelectContext(ctx, &s.Deputies, `SELECT sd.deputy_id, d.name, sd.role
		FROM suggestion_deputies sd JOIN deputies d ON d.id = sd.deputy_id
		WHERE sd.suggestion_id = ? ORDER BY CASE WHEN sd.role = 'lead' THEN 0 ELSE 1 END, d.id`, s.ID)
	if err != nil {
		return Suggestion{}, fmt.Errorf("storage: suggestion %d deputies: %w", s.ID, err)
	}
	return s, nil
}

// SuggestionFilter selects suggestions for ListSuggestions. Zero values match all.
type SuggestionFilter struct {
	Status        string
	HostUnit      string
	DeputyID      int64 // on the suggestion in any role
	Session       string
	Limit, Offset int // Limit 0 means all
}

func (f SuggestionFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.Status != "" {
		add(`s.status = ?`, f.Status)
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
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListSuggestions returns one page of suggestions matching f, ordered by
// id, and how many match in all. Deputies are not filled in.
func (db *DB) ListSuggestions(ctx context.Context, f SuggestionFilter) ([]Suggestion, int, error) {
	where, args := f.where()
	var total int
	if err := db.r.GetContext(ctx, &total, `SELECT COUNT(*) FROM suggestions s`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count suggestions: %w", err)
	}
	q := suggestionSelect + where + ` ORDER BY s.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	}
	var rows []suggestionRow
	if err := db.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list suggestions: %w", err)
	}
	out := make([]Suggestion, len(rows))
	for i, r := range rows {
		out[i] = r.suggestion()
	}
	return out, total, nil
}

// DeputySuggestion is one line of a deputy's 我的建议 list.
type DeputySuggestion struct {
	ID       int64  `db:"id"`
	Number   string `db:"number"`
	Title    string `db:"title"`
	HostUnit string `db:"host_unit"`
	Status   string `db:"status"`
	Role     string `db:"role"` // this deputy's role
	// Rated is true when this deputy has rated the current reply: a rating
	// made before the latest reply (the suggestion was re-handled and
	// answered again since) does not count, so the list shows it as
	// awaiting a rating.
	Rated bool `db:"rated"`
}

// SuggestionsOfDeputy lists the suggestions deputyID is on (as lead or
// seconder), ordered by id.
func (db *DB) SuggestionsOfDeputy(ctx context.Context, deputyID int64) ([]DeputySuggestion, error) {
	var out []DeputySuggestion
	err := db.r.SelectContext(ctx, &out, `SELECT s.id, s.number, s.title, s.host_unit, s.status, sd.role,
		CASE WHEN r.id IS NULL THEN 0
		     WHEN s.replied_at IS NOT NULL AND s.replied_at > COALESCE(r.revised_at, r.rated_at) THEN 0
		     ELSE 1 END AS rated
		FROM suggestion_deputies sd
		JOIN suggestions s ON s.id = sd.suggestion_id
		LEFT JOIN suggestion_ratings r ON r.suggestion_id = sd.suggestion_id AND r.deputy_id = sd.deputy_id
		WHERE sd.deputy_id = ? ORDER BY s.id`, deputyID)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestions of deputy %d: %w", deputyID, err)
	}
	return out, nil
}

// IsSuggestionDeputy reports whether deputyID is on the suggestion, and in
// which role (RoleLead or RoleSecond).
func (db *DB) IsSuggestionDeputy(ctx context.Context, suggestionID, deputyID int64) (role string, ok bool, err error) {
	err = db.r.GetContext(ctx, &role, `SELECT role FROM suggestion_deputies WHERE suggestion_id = ? AND deputy_id = ?`,
		suggestionID, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("storage: suggestion %d deputy %d: %w", suggestionID, deputyID, err)
	}
	return role, true, nil
}

// SuggestionStep is one entry of a suggestion's handling history.
type SuggestionStep struct {
	ID           int64     `db:"id"`
	SuggestionID int64     `db:"suggestion_id"`
	At           time.Time `db:"at"`
	Kind         string    `db:"kind"`  // one of the Step… kinds
	Actor        string    `db:"actor"` // the staff member or unit, free text
	// Note is free text; for a replied step it is the reply text, for a
	// rehandling step the reason.
	Note string `db:"note"`
	// ReplyCategory (A–D) goes with a replied step. It is stored on the
	// suggestion only: the step keeps the reply text, so an earlier reply
	// survives in the history after re-handling.
	ReplyCategory string `db:"-"`
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
func (db *DB) AddSuggestionStep(ctx context.Context, st *SuggestionStep, expectStatus string, pushes ...Push) error {
	if st.At.IsZero() {
		st.At = db.now()
	}
	st.At = st.At.UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.addStep(ctx, tx, st, expectStatus); err != nil {
			return err
		}
		return db.enqueueAll(ctx, tx, fmt.Sprintf("st%d", st.ID), pushes)
	})
	if err != nil {
		return fmt.Errorf("storage: suggestion %d step %s: %w", st.SuggestionID, st.Kind, err)
	}
	return nil
}

func (db *DB) addStep(ctx context.Context, tx *sqlx.Tx, st *SuggestionStep, expectStatus string) error {
	q := `SELECT status FROM suggestions WHERE id = ?`
	if db.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var cur string
	err := tx.GetContext(ctx, &cur, q, st.SuggestionID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if expectStatus != "" && cur != expectStatus {
		return ErrConflict
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
func stepEffect(st *SuggestionStep, cur string) (string, []any, error) {
	switch st.Kind {
	case StepAssigned:
		return `status = ?, `, []any{SuggestionAssigned}, nil
	case StepContacted:
		if cur == SuggestionAssigned {
			return `status = ?, `, []any{SuggestionHandling}, nil
		}
		return "", nil, nil
	case StepReplied:
		return `status = ?, reply_category = ?, reply_text = ?, replied_at = ?, `,
			[]any{SuggestionReplied, st.ReplyCategory, st.Note, st.At}, nil
	case StepConcluded:
		return `status = ?, concluded_at = ?, `, []any{SuggestionConcluded, st.At}, nil
	case StepRehandling:
		return `status = ?, rehandle_reason = ?, concluded_at = NULL, `, []any{SuggestionRehandling, st.Note}, nil
	case StepNote:
		return "", nil, nil
	}
	return "", nil, fmt.Errorf("unknown step kind %q", st.Kind)
}

func insertStep(ctx context.Context, tx *sqlx.Tx, st *SuggestionStep) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO suggestion_steps (suggestion_id, at, kind, actor, note)
		VALUES (?, ?, ?, ?, ?)`, st.SuggestionID, st.At.UTC(), st.Kind, st.Actor, st.Note)
	if err != nil {
		return err
	}
	st.ID, err = res.LastInsertId()
	return err
}

// SuggestionSteps returns the suggestion's history, oldest first.
func (db *DB) SuggestionSteps(ctx context.Context, suggestionID int64) ([]SuggestionStep, error) {
	var out []SuggestionStep
	err := db.r.SelectContext(ctx, &out, `SELECT id, suggestion_id, at, kind, actor, note FROM suggestion_steps
		WHERE suggestion_id = ? ORDER BY at, id`, suggestionID)
	if err != nil {
		return nil, fmt.Errorf("storage: suggestion %d steps: %w", suggestionID, err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// SuggestionRating is one deputy's satisfaction rating (办理满意度测评) of
// the handling of one suggestion.
type SuggestionRating struct {
	ID           int64      `db:"id"`
	SuggestionID int64      `db:"suggestion_id"`
	DeputyID     int64      `db:"deputy_id"`
	Contact      string     `db:"contact"`  // one of the Contact… values
	Attitude     string     `db:"attitude"` // one of the Rating… values
	Result       string     `db:"result"`   // one of the Rating… values
	Reason       string     `db:"reason"`
	RatedAt      time.Time  `db:"rated_at"`
	RevisedAt    *time.Time `db:"revised_at"`
}

// UpsertRating stores r as r.DeputyID's rating of r.SuggestionID: it
// inserts it, or overwrites every field of the existing one (the caller
// decides RatedAt and RevisedAt). When then is not nil, that step is added
// in the same transaction with AddSuggestionStep's effects (no status
// check), so a rating that sends the suggestion back is never half-stored.
// r.ID is filled in.
func (db *DB) UpsertRating(ctx context.Context, r *SuggestionRating, then *SuggestionStep) error {
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
		if _, err := tx.ExecContext(ctx, q, r.SuggestionID, r.DeputyID, r.Contact, r.Attitude, r.Result, r.Reason,
			r.RatedAt.UTC(), nullTime(r.RevisedAt)); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r.ID, `SELECT id FROM suggestion_ratings WHERE suggestion_id = ? AND deputy_id = ?`,
			r.SuggestionID, r.DeputyID); err != nil {
			return err
		}
		if then == nil {
			return nil
		}
		if then.At.IsZero() {
			then.At = db.now()
		}
		then.At = then.At.UTC()
		return db.addStep(ctx, tx, then, "")
	})
	if err != nil {
		return fmt.Errorf("storage: rate suggestion %d by deputy %d: %w", r.SuggestionID, r.DeputyID, err)
	}
	return nil
}

const ratingSelect = `SELECT id, suggestion_id, deputy_id, contact, attitude, result, reason, rated_at, revised_at
	FROM suggestion_ratings`

// GetRating returns deputyID's rating of the suggestion, or ErrNotFound.
func (db *DB) GetRating(ctx context.Context, suggestionID, deputyID int64) (SuggestionRating, error) {
	var r SuggestionRating
	err := db.r.GetContext(ctx, &r, ratingSelect+` WHERE suggestion_id = ? AND deputy_id = ?`, suggestionID, deputyID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("storage: rating of suggestion %d by deputy %d: %w", suggestionID, deputyID, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("storage: rating of suggestion %d by deputy %d: %w", suggestionID, deputyID, err)
	}
	return r.utc(), nil
}

// SuggestionRatings returns every rating of the suggestion, by deputy id.
func (db *DB) SuggestionRatings(ctx context.Context, suggestionID int64) ([]SuggestionRating, error) {
	var out []SuggestionRating
	if err := db.r.SelectContext(ctx, &out, ratingSelect+` WHERE suggestion_id = ? ORDER BY deputy_id`, suggestionID); err != nil {
		return nil, fmt.Errorf("storage: ratings of suggestion %d: %w", suggestionID, err)
	}
	for i := range out {
		out[i] = out[i].utc()
	}
	return out, nil
}

func (r SuggestionRating) utc() SuggestionRating {
	r.RatedAt = r.RatedAt.UTC()
	if r.RevisedAt != nil {
		u := r.RevisedAt.UTC()
		r.RevisedAt = &u
	}
	return r
}

// SuggestionRatesFilter narrows SuggestionRates. Zero values match all.
type SuggestionRatesFilter struct {
	Session  string
	HostUnit string
}

// SuggestionCounts are the counts behind 答复率, 办结率 and 满意率.
type SuggestionCounts struct {
	// Total counts suggestions.
	Total int `db:"total"`
	// Replied counts suggestions the unit has answered: status replied,
	// concluded or rehandling, or a reply on record.
	Replied int `db:"replied"`
	// Concluded counts suggestions whose status is concluded.
	Concluded int `db:"concluded"`
	// Rehandling counts suggestions sent back and not yet answered again.
	Rehandling int `db:"rehandling"`
	// RatedSuggestions counts suggestions with at least one rating.
	RatedSuggestions int `db:"rated_suggestions"`
	// Rated counts ratings (one per deputy per suggestion).
	Rated int `db:"rated"`
	// Satisfied counts ratings whose result is satisfied OR basically
	// satisfied: 基本满意 counts as satisfied, as in the usual definition
	// 满意率 = (满意 + 基本满意) / 测评数.
	Satisfied int `db:"satisfied"`
	// Basic counts the ratings of Satisfied whose result is 基本满意.
	Basic int `db:"basic"`
	// Dissatisfied counts ratings whose result is 不满意.
	Dissatisfied int `db:"dissatisfied"`
}

func (c *SuggestionCounts) add(o SuggestionCounts) {
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

// UnitSuggestionCounts are the counts of one host unit.
type UnitSuggestionCounts struct {
	HostUnit string `db:"host_unit"`
	SuggestionCounts
}

// SuggestionRates returns the counts over every suggestion matching f and
// the same counts per host unit, by unit name. Ratings count by their
// result (办理结果), not the unit's attitude.
func (db *DB) SuggestionRates(ctx context.Context, f SuggestionRatesFilter) (SuggestionCounts, []UnitSuggestionCounts, error) {
	var conds []string
	var args []any
	if f.Session != "" {
		conds, args = append(conds, `s.session = ?`), append(args, f.Session)
	}
	if f.HostUnit != "" {
		conds, args = append(conds, `s.host_unit = ?`), append(args, f.HostUnit)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var units []UnitSuggestionCounts
	err := db.r.SelectContext(ctx, &units, `SELECT s.host_unit, COUNT(*) AS total,
		SUM(CASE WHEN s.status IN ('replied', 'concluded', 'rehandling') OR s.replied_at IS NOT NULL THEN 1 ELSE 0 END) AS replied,
		SUM(CASE WHEN s.status = 'concluded' THEN 1 ELSE 0 END) AS concluded,
		SUM(CASE WHEN s.status = 'rehandling' THEN 1 ELSE 0 END) AS rehandling,
		SUM(CASE WHEN r.n IS NULL THEN 0 ELSE 1 END) AS rated_suggestions,
		COALESCE(SUM(r.n), 0) AS rated,
		COALESCE(SUM(r.satisfied), 0) AS satisfied,
		COALESCE(SUM(r.basic), 0) AS basic,
		COALESCE(SUM(r.dissatisfied), 0) AS dissatisfied
		FROM suggestions s LEFT JOIN (
			SELECT suggestion_id, COUNT(*) AS n,
			SUM(CASE WHEN result IN ('satisfied', 'basic') THEN 1 ELSE 0 END) AS satisfied,
			SUM(CASE WHEN result = 'basic' THEN 1 ELSE 0 END) AS basic,
			SUM(CASE WHEN result = 'dissatisfied' THEN 1 ELSE 0 END) AS dissatisfied
			FROM suggestion_ratings GROUP BY suggestion_id
		) r ON r.suggestion_id = s.id`+where+`
		GROUP BY s.host_unit ORDER BY s.host_unit`, args...)
	if err != nil {
		return SuggestionCounts{}, nil, fmt.Errorf("storage: suggestion rates: %w", err)
	}
	var total SuggestionCounts
	for _, u := range units {
		total.add(u.SuggestionCounts)
	}
	return total, units, nil
}
