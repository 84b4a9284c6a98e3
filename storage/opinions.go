package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// chinaTime is the zone receipt years are counted in: the committee's
// year, not UTC's (China has one zone and no daylight saving).
var chinaTime = time.FixedZone("CST", 8*60*60)

type solicitationRow struct {
	ID        int64     `db:"id"`
	Title     string    `db:"title"`
	Summary   string    `db:"summary"`
	Link      string    `db:"link"`
	Articles  int       `db:"articles"`
	OpensAt   time.Time `db:"opens_at"`
	ClosesAt  time.Time `db:"closes_at"`
	CreatedAt time.Time `db:"created_at"`
	Opinions  int       `db:"opinions"`
	Texts     int       `db:"texts"`
}

func (r solicitationRow) solicitation() model.Solicitation {
	return model.Solicitation{ID: r.ID, Title: r.Title, Summary: r.Summary, Link: r.Link, Articles: r.Articles,
		OpensAt: r.OpensAt.UTC(), ClosesAt: r.ClosesAt.UTC(), CreatedAt: r.CreatedAt.UTC(), Opinions: r.Opinions, Texts: r.Texts}
}

const solicitationSelect = `SELECT s.id, s.title, s.summary, s.link, s.articles, s.opens_at, s.closes_at, s.created_at,
	(SELECT COUNT(*) FROM opinions o WHERE o.solicitation_id = s.id) AS opinions,
	(SELECT COUNT(*) FROM solicitation_articles a WHERE a.solicitation_id = s.id) AS texts
	FROM solicitations s`

// CreateSolicitation inserts s and sets its ID and CreatedAt.
//
// Its Draft articles and the announcements (the draft's notice to
// deputies when the solicitation opens) are written in the same
// transaction.
func (db *DB) CreateSolicitation(ctx context.Context, s *model.Solicitation, announce ...model.Announcement) error {
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO solicitations (title, summary, link, articles, opens_at, closes_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.Title, s.Summary, s.Link, s.Articles, s.OpensAt.UTC(), s.ClosesAt.UTC(), now)
		if err != nil {
			return fmt.Errorf("storage: create solicitation: %w", err)
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("storage: create solicitation: %w", err)
		}
		s.CreatedAt = now
		if err := insertArticles(ctx, tx, s.ID, s.Draft); err != nil {
			return err
		}
		return db.announce(ctx, tx, s.ID, announce)
	})
}

// GetSolicitation returns the solicitation with id, or ErrNotFound.
func (db *DB) GetSolicitation(ctx context.Context, id int64) (model.Solicitation, error) {
	var row solicitationRow
	err := db.rq(ctx).GetContext(ctx, &row, solicitationSelect+` WHERE s.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Solicitation{}, fmt.Errorf("storage: solicitation %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Solicitation{}, fmt.Errorf("storage: solicitation %d: %w", id, err)
	}
	return row.solicitation(), nil
}

// ListSolicitations returns every solicitation, the latest opening first.
func (db *DB) ListSolicitations(ctx context.Context) ([]model.Solicitation, error) {
	return db.selectSolicitations(ctx, solicitationSelect+` ORDER BY s.opens_at DESC, s.id DESC`)
}

// OpenSolicitations returns the solicitations accepting opinions at now,
// the one closing soonest first.
func (db *DB) OpenSolicitations(ctx context.Context, now time.Time) ([]model.Solicitation, error) {
	return db.selectSolicitations(ctx, solicitationSelect+` WHERE s.opens_at <= ? AND s.closes_at > ?
		ORDER BY s.closes_at, s.id`, now.UTC(), now.UTC())
}

func (db *DB) selectSolicitations(ctx context.Context, q string, args ...any) ([]model.Solicitation, error) {
	var rows []solicitationRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: list solicitations: %w", err)
	}
	out := make([]model.Solicitation, len(rows))
	for i, r := range rows {
		out[i] = r.solicitation()
	}
	return out, nil
}

type opinionRow struct {
	ID                int64          `db:"id"`
	Receipt           string         `db:"receipt"`
	DeputyID          int64          `db:"deputy_id"`
	DeputyName        sql.NullString `db:"deputy_name"`
	DeputyDelegation  sql.NullString `db:"deputy_delegation"`
	Category          string         `db:"category"`
	SolicitationID    sql.NullInt64  `db:"solicitation_id"`
	SolicitationTitle sql.NullString `db:"solicitation_title"`
	Article           string         `db:"article"`
	Body              string         `db:"body"`
	Status            string         `db:"status"`
	StaffReply        string         `db:"staff_reply"`
	RepliedAt         sql.NullTime   `db:"replied_at"`
	Channel           string         `db:"channel"`
	CreatedAt         time.Time      `db:"created_at"`
}

func (r opinionRow) opinion() model.Opinion {
	return model.Opinion{ID: r.ID, Receipt: r.Receipt, DeputyID: r.DeputyID, DeputyName: r.DeputyName.String,
		DeputyDelegation: r.DeputyDelegation.String, Category: r.Category, SolicitationID: r.SolicitationID.Int64,
		SolicitationTitle: r.SolicitationTitle.String,
		Article:           r.Article, Body: r.Body, Status: r.Status, StaffReply: r.StaffReply, RepliedAt: timePtr(r.RepliedAt),
		Channel: r.Channel, CreatedAt: r.CreatedAt.UTC()}
}

const opinionSelect = `SELECT o.id, o.receipt, o.deputy_id, d.name AS deputy_name, g.name AS deputy_delegation, o.category,
	o.solicitation_id, s.title AS solicitation_title, o.article, o.body, o.status, o.staff_reply, o.replied_at, o.channel,
	o.created_at
	FROM opinions o LEFT JOIN deputies d ON d.id = o.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
	LEFT JOIN solicitations s ON s.id = o.solicitation_id`

// CreateOpinion stores o as received and sets its ID, Receipt, Status and
// CreatedAt. The receipt's sequence comes from a per-year counter row
// bumped in the same transaction: on MySQL the bump's row lock serializes
// concurrent writers until commit, on SQLite the single writer does, so no
// two opinions share a number and a rolled-back one leaves only a gap. A
// missing deputy or solicitation gives ErrNotFound.
func (db *DB) CreateOpinion(ctx context.Context, o *model.Opinion) error {
	now := db.now().UTC()
	year := now.In(chinaTime).Year()
	bump := `INSERT INTO opinion_counters (receipt_year, last_seq) VALUES (?, 1)
		ON CONFLICT (receipt_year) DO UPDATE SET last_seq = last_seq + 1`
	if db.dialect == MySQL {
		bump = `INSERT INTO opinion_counters (receipt_year, last_seq) VALUES (?, 1)
		ON DUPLICATE KEY UPDATE last_seq = last_seq + 1`
	}
	if o.Channel == "" {
		o.Channel = model.OpinionViaWeChat
	}
	var solicitation any
	if o.SolicitationID != 0 {
		solicitation = o.SolicitationID
	}
	err := db.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, bump, year); err != nil {
			return err
		}
		var seq int
		if err := tx.GetContext(ctx, &seq, `SELECT last_seq FROM opinion_counters WHERE receipt_year = ?`, year); err != nil {
			return err
		}
		receipt := fmt.Sprintf("YJ%d-%05d", year, seq)
		res, err := tx.ExecContext(ctx, `INSERT INTO opinions (receipt, deputy_id, category, solicitation_id, article,
			body, status, staff_reply, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
			receipt, o.DeputyID, o.Category, solicitation, o.Article, o.Body, model.OpinionReceived, o.Channel, now)
		if err != nil {
			return err
		}
		if o.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		o.Receipt = receipt
		return nil
	})
	if isForeignKeyViolation(err) {
		return fmt.Errorf("storage: create opinion: deputy %d or solicitation %d: %w", o.DeputyID, o.SolicitationID, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: create opinion: %w", err)
	}
	o.Status, o.CreatedAt = model.OpinionReceived, now
	return nil
}

// GetOpinion returns the opinion with id, or ErrNotFound.
func (db *DB) GetOpinion(ctx context.Context, id int64) (model.Opinion, error) {
	return db.getOpinion(ctx, opinionSelect+` WHERE o.id = ?`, id)
}

// GetOpinionByReceipt returns the opinion with that receipt, or ErrNotFound.
func (db *DB) GetOpinionByReceipt(ctx context.Context, receipt string) (model.Opinion, error) {
	return db.getOpinion(ctx, opinionSelect+` WHERE o.receipt = ?`, receipt)
}

func (db *DB) getOpinion(ctx context.Context, q string, arg any) (model.Opinion, error) {
	var row opinionRow
	err := db.rq(ctx).GetContext(ctx, &row, q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Opinion{}, fmt.Errorf("storage: opinion %v: %w", arg, model.ErrNotFound)
	}
	if err != nil {
		return model.Opinion{}, fmt.Errorf("storage: opinion %v: %w", arg, err)
	}
	return row.opinion(), nil
}

// ListOpinions returns one page of opinions matching f, newest first, and
// how many match in all.
func (db *DB) ListOpinions(ctx context.Context, f model.OpinionFilter) ([]model.Opinion, int, error) {
	var conds []string
	var args []any
	add := func(c string, a any) { conds = append(conds, c); args = append(args, a) }
	if f.DeputyID != 0 {
		add(`o.deputy_id = ?`, f.DeputyID)
	}
	if f.SolicitationID != 0 {
		add(`o.solicitation_id = ?`, f.SolicitationID)
	}
	if f.Category != "" {
		add(`o.category = ?`, f.Category)
	}
	if f.Status != "" {
		add(`o.status = ?`, f.Status)
	}
	if f.DeputyName != "" {
		add(`o.deputy_id IN (SELECT id FROM deputies WHERE name LIKE ? ESCAPE '!')`, "%"+escapeLike(f.DeputyName)+"%")
	}
	if f.AssigneeID != 0 {
		add(AssignedOpinionsCond(f.AssigneeID))
	}
	return db.listOpinions(ctx, conds, args, f.Limit, f.Offset)
}

// listOpinions returns a page of the opinions matching conds (ANDed),
// newest first, and how many match in all.
func (db *DB) listOpinions(ctx context.Context, conds []string, args []any, limit, offset int) ([]model.Opinion, int, error) {
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM opinions o`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count opinions: %w", err)
	}
	q := opinionSelect + where + ` ORDER BY o.created_at DESC, o.id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, max(offset, 0))
	}
	var rows []opinionRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: list opinions: %w", err)
	}
	out := make([]model.Opinion, len(rows))
	for i, r := range rows {
		out[i] = r.opinion()
	}
	return out, total, nil
}

// OpinionsOfDeputy returns the deputy's latest opinions, newest first
// (limit 0 means all).
func (db *DB) OpinionsOfDeputy(ctx context.Context, deputyID int64, limit int) ([]model.Opinion, error) {
	out, _, err := db.ListOpinions(ctx, model.OpinionFilter{DeputyID: deputyID, Limit: limit})
	return out, err
}

// ReplyOpinion records the staff's reply to an opinion and marks it
// answered (a concluded one stays concluded). ErrNotFound if it is missing.
// The pushes (the reply to the author) are written in the same transaction.
func (db *DB) ReplyOpinion(ctx context.Context, id int64, reply string, pushes ...model.Push) error {
	return db.updateOpinionPushing(ctx, id, pushes, `UPDATE opinions SET staff_reply = ?, replied_at = ?,
		status = CASE WHEN status = ? THEN status ELSE ? END WHERE id = ?`,
		reply, db.now().UTC(), model.OpinionClosed, model.OpinionAnswered, id)
}

// CloseOpinion marks an opinion concluded (已办结). ErrNotFound if it is missing.
func (db *DB) CloseOpinion(ctx context.Context, id int64) error {
	return db.updateOpinion(ctx, id, `UPDATE opinions SET status = ? WHERE id = ?`, model.OpinionClosed, id)
}

func (db *DB) updateOpinion(ctx context.Context, id int64, q string, args ...any) error {
	return db.updateOpinionPushing(ctx, id, nil, q, args...)
}

func (db *DB) updateOpinionPushing(ctx context.Context, id int64, pushes []model.Push, q string, args ...any) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var one int
		err := tx.GetContext(ctx, &one, `SELECT 1 FROM opinions WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("storage: update opinion %d: %w", id, model.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("storage: update opinion %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("storage: update opinion %d: %w", id, err)
		}
		return db.enqueueAll(ctx, tx, fmt.Sprintf("op%d.%d", id, db.now().UnixNano()), pushes)
	})
}

// errRetryTx asks inTxRetrying to run the transaction again (a random key
// collided).
var errRetryTx = errors.New("retry transaction")

// inTxRetrying is inTx, run again (a few times) when MySQL chose the
// transaction as a deadlock victim or fn asked for a retry: both leave
// nothing behind, and running again is the documented remedy.
func (db *DB) inTxRetrying(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.inTx(ctx, fn)
		// A deadlock ends the caller's whole transaction: only the
		// caller can run it again.
		joined := InTransaction(ctx)
		if attempt < 5 && ((isDeadlockVictim(err) && !joined) || errors.Is(err, errRetryTx)) {
			continue
		}
		return err
	}
}

func isDeadlockVictim(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}

// isForeignKeyViolation reports whether err is a write naming a missing
// parent row, on either backend.
func isForeignKeyViolation(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1452
	}
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
