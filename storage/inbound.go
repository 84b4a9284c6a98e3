package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ClaimInbound records that the message with key is being handled, at
// the time at (which also identifies this claim, see ReleaseInboundClaim).
// It returns claimed=true for the first delivery; for a re-delivery it
// returns false and what the first delivery stored.
func (db *DB) ClaimInbound(ctx context.Context, key, openid, kind string, at time.Time) (bool, model.Inbound, error) {
	return db.claimInbound(ctx, key, openid, kind, model.InboundProcessing, "", at, nil)
}

// ClaimInboundAnswered records the message with key as handled already,
// with its reply, in one statement: for a message answered without a write
// that must happen only once, so that no claim needs holding while it is
// handled. It returns what ClaimInbound returns. A done record is never
// released: if the caller cannot tell whether it landed, WeChat's next
// delivery gets the stored reply or, if it did not land, is handled afresh.
func (db *DB) ClaimInboundAnswered(ctx context.Context, key, openid, kind, reply string, at time.Time) (bool, model.Inbound, error) {
	return db.claimInbound(ctx, key, openid, kind, model.InboundDone, reply, at, at.UTC())
}

func (db *DB) claimInbound(ctx context.Context, key, openid, kind, state, reply string, at time.Time, finished any) (bool, model.Inbound, error) {
	res, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO wechat_inbound
		(dedupe_key, openid, kind, state, reply, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		key, openid, kind, state, reply, at.UTC(), finished)
	if err != nil {
		return false, model.Inbound{}, fmt.Errorf("storage: claim inbound: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, model.Inbound{Key: key, State: state, Reply: reply}, nil
	}
	var in model.Inbound
	err = db.wq(ctx).GetContext(ctx, &in, `SELECT dedupe_key, state, reply FROM wechat_inbound WHERE dedupe_key = ?`, key)
	if err != nil {
		return false, model.Inbound{}, fmt.Errorf("storage: read inbound: %w", err)
	}
	return false, in, nil
}

// ReleaseInboundClaim forgets the claim made at at on the message with key
// while it is still processing, so that WeChat's next delivery of it is
// handled afresh: after a handler error, or when the claim's outcome was
// unknown (the database failed mid-insert). Another instance's claim is
// never released.
func (db *DB) ReleaseInboundClaim(ctx context.Context, key string, at time.Time) error {
	_, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM wechat_inbound WHERE dedupe_key = ? AND state = ? AND created_at = ?`,
		key, model.InboundProcessing, at.UTC())
	if err != nil {
		return fmt.Errorf("storage: release inbound: %w", err)
	}
	return nil
}

// FinishInbound stores the reply given to the message with key.
func (db *DB) FinishInbound(ctx context.Context, key, reply string) error {
	_, err := db.wq(ctx).ExecContext(ctx, `UPDATE wechat_inbound SET state = ?, reply = ?, finished_at = ? WHERE dedupe_key = ?`,
		model.InboundDone, reply, db.now().UTC(), key)
	if err != nil {
		return fmt.Errorf("storage: finish inbound: %w", err)
	}
	return nil
}

// PruneInbound deletes traces older than before (WeChat stops retrying
// after 15 s, so a day is plenty) and returns how many went.
func (db *DB) PruneInbound(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM wechat_inbound WHERE created_at < ?`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: prune inbound: %w", err)
	}
	return res.RowsAffected()
}

// RecordFollow stores a subscribe (following=true) or unsubscribe event.
// It does not open the 48-hour customer-message window: only a message
// from the user does (a follow allows a few messages within a minute).
func (db *DB) RecordFollow(ctx context.Context, openid string, following bool) error {
	now := db.now().UTC()
	col := "unsubscribed_at"
	if following {
		col = "subscribed_at"
	}
	q := `INSERT INTO followers (openid, following, ` + col + `, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (openid) DO UPDATE SET following = excluded.following, ` + col + ` = excluded.` + col + `,
		updated_at = excluded.updated_at`
	if db.dialect == MySQL {
		q = `INSERT INTO followers (openid, following, ` + col + `, updated_at) VALUES (?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE following = VALUES(following), ` + col + ` = VALUES(` + col + `),
		updated_at = VALUES(updated_at)`
	}
	if _, err := db.wq(ctx).ExecContext(ctx, q, openid, following, now, now); err != nil {
		return fmt.Errorf("storage: record follow: %w", err)
	}
	return nil
}

// TouchFollower records that openid just wrote to the account (which opens
// the 48-hour customer-message window) and that it follows.
func (db *DB) TouchFollower(ctx context.Context, openid string) error {
	now := db.now().UTC()
	q := `INSERT INTO followers (openid, following, last_inbound_at, updated_at) VALUES (?, 1, ?, ?)
		ON CONFLICT (openid) DO UPDATE SET following = 1, last_inbound_at = excluded.last_inbound_at, updated_at = excluded.updated_at`
	if db.dialect == MySQL {
		q = `INSERT INTO followers (openid, following, last_inbound_at, updated_at) VALUES (?, 1, ?, ?)
		ON DUPLICATE KEY UPDATE following = 1, last_inbound_at = VALUES(last_inbound_at), updated_at = VALUES(updated_at)`
	}
	if _, err := db.wq(ctx).ExecContext(ctx, q, openid, now, now); err != nil {
		return fmt.Errorf("storage: touch follower: %w", err)
	}
	return nil
}

// GetFollower returns what is known of openid, or ErrNotFound.
func (db *DB) GetFollower(ctx context.Context, openid string) (model.Follower, error) {
	var f model.Follower
	err := db.rq(ctx).GetContext(ctx, &f, `SELECT openid, following, subscribed_at, last_inbound_at FROM followers WHERE openid = ?`, openid)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("storage: follower: %w", model.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("storage: follower: %w", err)
	}
	return f, nil
}

// RecordTemplateReport stores a TEMPLATESENDJOBFINISH status for msgid;
// a repeated report is ignored. The delivery pipeline reads these.
func (db *DB) RecordTemplateReport(ctx context.Context, msgid int64, openid, status string) error {
	_, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO template_reports (msgid, openid, status, received_at)
		VALUES (?, ?, ?, ?)`, msgid, openid, status, db.now().UTC())
	if err != nil {
		return fmt.Errorf("storage: template report: %w", err)
	}
	return nil
}

// TemplateReport returns the status reported for msgid, or ErrNotFound.
func (db *DB) TemplateReport(ctx context.Context, msgid int64) (string, error) {
	var status string
	err := db.rq(ctx).GetContext(ctx, &status, `SELECT status FROM template_reports WHERE msgid = ?`, msgid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("storage: template report: %w", model.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("storage: template report: %w", err)
	}
	return status, nil
}

// LastInbound returns when each openid last wrote to the account, for the
// 48-hour customer-message window; openids never seen are absent.
func (db *DB) LastInbound(ctx context.Context, openids []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time, len(openids))
	if len(openids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT openid, last_inbound_at FROM followers WHERE openid IN (?) AND last_inbound_at IS NOT NULL`, openids)
	if err != nil {
		return nil, err
	}
	rows, err := db.rq(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: last inbound: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[id] = at.UTC()
	}
	return out, rows.Err()
}

// GetInbound returns the stored trace of the message with key, or ErrNotFound.
func (db *DB) GetInbound(ctx context.Context, key string) (model.Inbound, error) {
	var in model.Inbound
	err := db.wq(ctx).GetContext(ctx, &in, `SELECT dedupe_key, state, reply FROM wechat_inbound WHERE dedupe_key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("storage: inbound: %w", model.ErrNotFound)
	}
	if err != nil {
		return in, fmt.Errorf("storage: inbound: %w", err)
	}
	return in, nil
}

// ClaimInboundAnsweredBatch does ClaimInboundAnswered for each claim with
// one statement (one commit for all): the callbacks that arrive while a
// commit is under way share the next. Results are in claims' order. When
// a key was recorded already (a re-delivery), the rows are read back: a
// claim whose row holds its own time and reply is the one that landed.
// After an error a claim may or may not have landed, as with
// ClaimInboundAnswered.
func (db *DB) ClaimInboundAnsweredBatch(ctx context.Context, claims []model.AnsweredClaim) ([]model.ClaimResult, error) {
	if len(claims) == 1 {
		c := claims[0]
		ok, prior, err := db.ClaimInboundAnswered(ctx, c.Key, c.OpenID, c.Kind, c.Reply, c.At)
		if err != nil {
			return nil, err
		}
		return []model.ClaimResult{{Claimed: ok, Prior: prior}}, nil
	}
	// A key twice in one batch (two deliveries at once) is inserted once.
	var q strings.Builder
	q.WriteString(db.insertIgnore() + ` INTO wechat_inbound
		(dedupe_key, openid, kind, state, reply, created_at, finished_at) VALUES `)
	first := make(map[string]int, len(claims))
	args := make([]any, 0, 7*len(claims))
	for i, c := range claims {
		if _, twice := first[c.Key]; twice {
			continue
		}
		if len(first) > 0 {
			q.WriteString(", ")
		}
		first[c.Key] = i
		q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		at := c.At.UTC()
		args = append(args, c.Key, c.OpenID, c.Kind, model.InboundDone, c.Reply, at, at)
	}
	res, err := db.wq(ctx).ExecContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("storage: claim inbound: %w", err)
	}
	out := make([]model.ClaimResult, len(claims))
	if n, _ := res.RowsAffected(); n == int64(len(claims)) {
		for i, c := range claims {
			out[i] = model.ClaimResult{Claimed: true, Prior: model.Inbound{Key: c.Key, State: model.InboundDone, Reply: c.Reply}}
		}
		return out, nil
	}
	query, qargs, err := sqlx.In(`SELECT dedupe_key, state, reply, created_at FROM wechat_inbound WHERE dedupe_key IN (?)`, slices.Collect(maps.Keys(first)))
	if err != nil {
		return nil, fmt.Errorf("storage: read inbound: %w", err)
	}
	var rows []struct {
		model.Inbound
		CreatedAt time.Time `db:"created_at"`
	}
	if err := db.wq(ctx).SelectContext(ctx, &rows, db.w.Rebind(query), qargs...); err != nil {
		return nil, fmt.Errorf("storage: read inbound: %w", err)
	}
	stored := make(map[string]int, len(rows))
	for i, r := range rows {
		stored[r.Key] = i
	}
	for i, c := range claims {
		j, ok := stored[c.Key]
		if !ok {
			return nil, fmt.Errorf("storage: claim inbound: %s was neither stored nor found", c.Key)
		}
		r := rows[j]
		mine := first[c.Key] == i && r.CreatedAt.Equal(c.At) && r.State == model.InboundDone && r.Reply == c.Reply
		out[i] = model.ClaimResult{Claimed: mine, Prior: r.Inbound}
	}
	return out, nil
}
