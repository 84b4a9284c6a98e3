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
// commit is under way share the next. Results are in claims' order (see
// WriteInboundBatch).
func (db *DB) ClaimInboundAnsweredBatch(ctx context.Context, claims []model.AnsweredClaim) ([]model.ClaimResult, error) {
	writes := make([]model.InboundWrite, len(claims))
	for i, c := range claims {
		writes[i] = model.InboundWrite{Op: model.ClaimAnswered, Key: c.Key, OpenID: c.OpenID, Kind: c.Kind, Reply: c.Reply, At: c.At}
	}
	return db.WriteInboundBatch(ctx, writes)
}

// WriteInboundBatch makes the dedupe-record writes of concurrent callbacks
// with one commit: the replies stored (StoreReply) with one UPDATE, then
// the claims (ClaimHandling, ClaimAnswered) with one INSERT that skips
// the keys recorded already; on SQLite in one transaction. The
// replies go first, so a re-delivery claimed in the same batch as its
// first delivery's reply gets that reply. Results are in writes' order;
// a claim's is what ClaimInbound returns, a reply's is empty. When a key
// was recorded already (a re-delivery), the rows are read back: a claim
// whose row holds its own time, state and reply is the one that landed,
// and of one key claimed twice in a batch only the first can be. After an
// error a write may or may not have landed, as with ClaimInbound.
func (db *DB) WriteInboundBatch(ctx context.Context, writes []model.InboundWrite) ([]model.ClaimResult, error) {
	var claims, replies []int
	for i, w := range writes {
		if w.Op == model.StoreReply {
			replies = append(replies, i)
		} else {
			claims = append(claims, i)
		}
	}
	out := make([]model.ClaimResult, len(writes))
	write := func(ctx context.Context) error {
		if err := db.storeReplies(ctx, writes, replies); err != nil {
			return err
		}
		return db.claimBatch(ctx, writes, claims, out)
	}
	var err error
	// On SQLite one transaction saves a commit (a WAL append and the
	// writer's lock). On MySQL it would cost two round trips more (BEGIN,
	// COMMIT) and hold the replies' row locks while the claims insert; the
	// two statements need no atomicity (a reply that landed with its
	// batch reported failed is only logged), and InnoDB commits the
	// concurrent ones together anyway.
	if len(claims) > 0 && len(replies) > 0 && db.dialect == SQLite {
		err = db.InTx(ctx, write)
	} else {
		err = write(ctx)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storeReplies does FinishInbound for writes[at...] with one statement.
func (db *DB) storeReplies(ctx context.Context, writes []model.InboundWrite, at []int) error {
	switch len(at) {
	case 0:
		return nil
	case 1:
		w := writes[at[0]]
		return db.FinishInbound(ctx, w.Key, w.Reply)
	}
	var q strings.Builder
	q.WriteString(`UPDATE wechat_inbound SET state = ?, reply = CASE dedupe_key`)
	args := make([]any, 0, 3*len(at)+2)
	args = append(args, model.InboundDone)
	keys := make([]any, 0, len(at))
	for _, i := range at {
		q.WriteString(" WHEN ? THEN ?")
		args = append(args, writes[i].Key, writes[i].Reply)
		keys = append(keys, writes[i].Key)
	}
	q.WriteString(` ELSE reply END, finished_at = ? WHERE dedupe_key IN (?` + strings.Repeat(", ?", len(at)-1) + `)`)
	args = append(args, db.now().UTC())
	args = append(args, keys...)
	if _, err := db.wq(ctx).ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("storage: finish inbound: %w", err)
	}
	return nil
}

// claimBatch makes the claims writes[at...] with one INSERT, and sets
// out[i] for each.
func (db *DB) claimBatch(ctx context.Context, writes []model.InboundWrite, at []int, out []model.ClaimResult) error {
	state := func(w model.InboundWrite) (string, string, any) {
		if w.Op == model.ClaimAnswered {
			return model.InboundDone, w.Reply, w.At.UTC()
		}
		return model.InboundProcessing, "", nil
	}
	switch len(at) {
	case 0:
		return nil
	case 1:
		w := writes[at[0]]
		st, reply, finished := state(w)
		ok, prior, err := db.claimInbound(ctx, w.Key, w.OpenID, w.Kind, st, reply, w.At, finished)
		if err != nil {
			return err
		}
		out[at[0]] = model.ClaimResult{Claimed: ok, Prior: prior}
		return nil
	}
	// A key twice in one batch (two deliveries at once) is inserted once.
	// The rows go in key order: two instances' batches then take their
	// locks in the same order (MySQL).
	first := make(map[string]int, len(at))
	for _, i := range at {
		if _, twice := first[writes[i].Key]; !twice {
			first[writes[i].Key] = i
		}
	}
	keys := slices.Sorted(maps.Keys(first))
	var q strings.Builder
	q.WriteString(db.insertIgnore() + ` INTO wechat_inbound
		(dedupe_key, openid, kind, state, reply, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	q.WriteString(strings.Repeat(", (?, ?, ?, ?, ?, ?, ?)", len(keys)-1))
	args := make([]any, 0, 7*len(keys))
	for _, k := range keys {
		w := writes[first[k]]
		st, reply, finished := state(w)
		args = append(args, w.Key, w.OpenID, w.Kind, st, reply, w.At.UTC(), finished)
	}
	res, err := db.wq(ctx).ExecContext(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("storage: claim inbound: %w", err)
	}
	if n, _ := res.RowsAffected(); n == int64(len(at)) {
		for _, i := range at {
			st, reply, _ := state(writes[i])
			out[i] = model.ClaimResult{Claimed: true, Prior: model.Inbound{Key: writes[i].Key, State: st, Reply: reply}}
		}
		return nil
	}
	query, qargs, err := sqlx.In(`SELECT dedupe_key, state, reply, created_at FROM wechat_inbound WHERE dedupe_key IN (?)`, keys)
	if err != nil {
		return fmt.Errorf("storage: read inbound: %w", err)
	}
	var rows []struct {
		model.Inbound
		CreatedAt time.Time `db:"created_at"`
	}
	if err := db.wq(ctx).SelectContext(ctx, &rows, db.w.Rebind(query), qargs...); err != nil {
		return fmt.Errorf("storage: read inbound: %w", err)
	}
	stored := make(map[string]int, len(rows))
	for i, r := range rows {
		stored[r.Key] = i
	}
	for _, i := range at {
		w := writes[i]
		j, ok := stored[w.Key]
		if !ok {
			return fmt.Errorf("storage: claim inbound: %s was neither stored nor found", w.Key)
		}
		r := rows[j]
		st, reply, _ := state(w)
		mine := first[w.Key] == i && r.CreatedAt.Equal(w.At) && r.State == st && r.Reply == reply
		out[i] = model.ClaimResult{Claimed: mine, Prior: r.Inbound}
	}
	return nil
}
