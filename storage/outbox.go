package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

type noticeRow struct {
	ID        int64     `db:"id"`
	Kind      string    `db:"kind"`
	Title     string    `db:"title"`
	Body      string    `db:"body"`
	Fields    string    `db:"fields"`
	Link      string    `db:"link"`
	Urgent    bool      `db:"urgent"`
	RefKind   string    `db:"ref_kind"`
	RefID     int64     `db:"ref_id"`
	CreatedBy string    `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
}

func (r noticeRow) notice() model.Notice {
	n := model.Notice{ID: r.ID, Kind: r.Kind, Title: r.Title, Body: r.Body, Link: r.Link, Urgent: r.Urgent,
		RefKind: r.RefKind, RefID: r.RefID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Fields), &n.Fields)
	return n
}

func (db *DB) createNotice(ctx context.Context, x sqlx.ExtContext, n *model.Notice) error {
	fields, _ := json.Marshal(n.Fields)
	if n.Fields == nil {
		fields = []byte("{}")
	}
	n.CreatedAt = db.now().UTC()
	res, err := x.ExecContext(ctx, `INSERT INTO notices (kind, title, body, fields, link, urgent, ref_kind, ref_id,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.Kind, n.Title, n.Body, string(fields), n.Link,
		n.Urgent, n.RefKind, n.RefID, n.CreatedBy, n.CreatedAt)
	if err != nil {
		return fmt.Errorf("storage: create notice: %w", err)
	}
	n.ID, err = res.LastInsertId()
	return err
}

// CreateNotice stores n and sets its id.
func (db *DB) CreateNotice(ctx context.Context, n *model.Notice) error {
	return db.createNotice(ctx, db.w, n)
}

// GetNotice returns the notice with id, or ErrNotFound.
func (db *DB) GetNotice(ctx context.Context, id int64) (model.Notice, error) {
	var r noticeRow
	err := db.rq(ctx).GetContext(ctx, &r, `SELECT id, kind, title, body, fields, link, urgent, ref_kind, ref_id, created_by,
		created_at FROM notices WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Notice{}, fmt.Errorf("storage: notice %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Notice{}, fmt.Errorf("storage: notice %d: %w", id, err)
	}
	return r.notice(), nil
}

// AudienceCount counts an audience: all, and how many are reachable
// (bound, following, in office).
func (db *DB) AudienceCount(ctx context.Context, a model.Audience) (total, reachable int, err error) {
	where, args, err := whereAudience(a)
	if err != nil {
		return 0, 0, err
	}
	err = db.rq(ctx).QueryRowxContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN d.openid IS NOT NULL AND d.status = 'active'
		AND COALESCE(f.following, 1) = 1 THEN 1 ELSE 0 END), 0)
		FROM deputies d LEFT JOIN followers f ON f.openid = d.openid WHERE `+where, args...).Scan(&total, &reachable)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: audience count: %w", err)
	}
	return total, reachable, nil
}

// CreateCampaign stores the notice and a campaign sending it at c.SendAt.
func (db *DB) CreateCampaign(ctx context.Context, n *model.Notice, c *model.Campaign) error {
	if _, _, err := whereAudience(c.Audience); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error { return db.createCampaign(ctx, tx, n, c) })
}

func (db *DB) createCampaign(ctx context.Context, tx *sqlx.Tx, n *model.Notice, c *model.Campaign) error {
	if err := db.createNotice(ctx, tx, n); err != nil {
		return err
	}
	aud, _ := json.Marshal(c.Audience)
	c.NoticeID, c.AudienceJS, c.Status, c.CreatedAt = n.ID, string(aud), model.CampaignScheduled, db.now().UTC()
	if c.SendAt.IsZero() {
		c.SendAt = c.CreatedAt
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (notice_id, audience, status, send_at, created_at)
		VALUES (?, ?, ?, ?, ?)`, c.NoticeID, c.AudienceJS, c.Status, c.SendAt.UTC(), c.CreatedAt)
	if err != nil {
		return fmt.Errorf("storage: create campaign: %w", err)
	}
	c.ID, err = res.LastInsertId()
	return err
}

func (db *DB) announce(ctx context.Context, tx *sqlx.Tx, refID int64, as []model.Announcement) error {
	for _, a := range as {
		a.Notice.RefID = refID
		c := model.Campaign{Audience: a.Audience, SendAt: a.SendAt}
		if err := db.createCampaign(ctx, tx, &a.Notice, &c); err != nil {
			return err
		}
	}
	return nil
}

const campaignCols = `id, notice_id, audience, status, send_at, reason, created_at, expanded_at, finished_at`

// GetCampaign returns the campaign with id, or ErrNotFound.
func (db *DB) GetCampaign(ctx context.Context, id int64) (model.Campaign, error) {
	var c model.Campaign
	err := db.wq(ctx).GetContext(ctx, &c, `SELECT `+campaignCols+` FROM campaigns WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("storage: campaign %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("storage: campaign %d: %w", id, err)
	}
	_ = json.Unmarshal([]byte(c.AudienceJS), &c.Audience)
	return c, nil
}

// DueCampaigns returns scheduled campaigns whose time has come.
func (db *DB) DueCampaigns(ctx context.Context, now time.Time) ([]model.Campaign, error) {
	var cs []model.Campaign
	err := db.wq(ctx).SelectContext(ctx, &cs, `SELECT `+campaignCols+` FROM campaigns WHERE status = ? AND send_at <= ? ORDER BY send_at`,
		model.CampaignScheduled, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: due campaigns: %w", err)
	}
	for i := range cs {
		_ = json.Unmarshal([]byte(cs[i].AudienceJS), &cs[i].Audience)
	}
	return cs, nil
}

// ClaimCampaign moves a scheduled campaign to sending; false when another
// instance took it first.
func (db *DB) ClaimCampaign(ctx context.Context, id int64) (bool, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE campaigns SET status = ? WHERE id = ? AND status = ?`, model.CampaignSending, id, model.CampaignScheduled)
	if err != nil {
		return false, fmt.Errorf("storage: claim campaign: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ExpandBatch writes the deliveries of the next batch of the audience after
// afterID (deputy ids in order) and returns the last deputy id written and
// how many rows it considered; 0 rows means the audience is done. Rows
// already there are left alone, so expanding twice is harmless.
//
// With ask, each reachable deputy is also left a pending ask (an
// announced survey, an invitation) that their next message answers.
func (db *DB) ExpandBatch(ctx context.Context, c model.Campaign, source string, urgent bool, afterID int64, limit int, ask ...model.Ask) (last int64, n int, err error) {
	where, args, err := whereAudience(c.Audience)
	if err != nil {
		return 0, 0, err
	}
	// The batch is the audience's next limit deputies; its rows are written
	// by the database from the deputies table, without a trip through here.
	var batch struct {
		N    int           `db:"n"`
		Last sql.NullInt64 `db:"last"`
	}
	err = db.wq(ctx).GetContext(ctx, &batch, `SELECT COUNT(*) AS n, MAX(id) AS last FROM
		(SELECT d.id FROM deputies d WHERE `+where+` AND d.id > ? ORDER BY d.id LIMIT ?) b`,
		append(args[:len(args):len(args)], afterID, limit)...)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: expand campaign %d: %w", c.ID, err)
	}
	if batch.N == 0 {
		return afterID, 0, nil
	}
	now := db.now().UTC()
	from := ` FROM deputies d LEFT JOIN followers f ON f.openid = d.openid WHERE ` + where + ` AND d.id > ? AND d.id <= ?`
	fromArgs := append(args[:len(args):len(args)], afterID, batch.Last.Int64)
	q := db.insertIgnore() + ` INTO deliveries (source, campaign_id, notice_id, deputy_id, openid, status, urgent,
		reason, next_at, created_at) SELECT ?, ?, ?, d.id, COALESCE(d.openid, ''), ` + reachCase + `, ?, ` + reachCase + `, ?, ?` + from
	vals := append([]any{source, c.ID, c.NoticeID}, reachArgs(true)...)
	vals = append(vals, urgent)
	vals = append(vals, reachArgs(false)...)
	vals = append(append(vals, now, now), fromArgs...)
	// The batch's deliveries by status before and after the INSERT give
	// what it added to the kept counts: rows a crashed expansion wrote are
	// left alone, and on MySQL both reads see the snapshot of the first
	// (with the transaction's own rows), so neither the dispatcher moving
	// those rows meanwhile nor another instance expanding the same batch
	// is counted here.
	countQ := `SELECT ?, status, COUNT(*) FROM deliveries WHERE source = ? AND deputy_id > ? AND deputy_id <= ? GROUP BY status`
	countArgs := []any{c.ID, source, afterID, batch.Last.Int64}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := readCampaignCounts(ctx, tx, countQ, countArgs...)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, vals...); err != nil {
			return err
		}
		after, err := readCampaignCounts(ctx, tx, countQ, countArgs...)
		if err != nil {
			return err
		}
		deltas := campaignDeltas{}
		for k, n := range after {
			deltas[k] += n
		}
		for k, n := range before {
			deltas[k] -= n
		}
		for _, a := range ask {
			// INSERT IGNORE, not addPendingAsk: a re-expansion after a crash
			// must not reopen an ask the deputy has answered since.
			q := db.insertIgnore() + ` INTO pending_asks (deputy_id, flow, ref_id, title, created_at)
				SELECT d.id, ?, ?, ?, ?` + from + ` AND ` + reachCase + ` = ?`
			vals := append([]any{a.Flow, a.RefID, a.Title, now}, fromArgs...)
			vals = append(append(vals, reachArgs(true)...), model.DeliveryQueued)
			if _, err := tx.ExecContext(ctx, q, vals...); err != nil {
				return fmt.Errorf("expansion ask: %w", err)
			}
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("storage: expand campaign %d: %w", c.ID, err)
	}
	return batch.Last.Int64, batch.N, nil
}

// MarkExpanded records that a campaign's audience has been written.
func (db *DB) MarkExpanded(ctx context.Context, id int64) error {
	_, err := db.wq(ctx).ExecContext(ctx, `UPDATE campaigns SET expanded_at = ? WHERE id = ?`, db.now().UTC(), id)
	return err
}

// SetCampaignStatus moves a campaign from one of from to to, with a reason,
// and holds, releases or cancels its waiting deliveries accordingly. It
// reports false when the campaign was not in one of from.
func (db *DB) SetCampaignStatus(ctx context.Context, id int64, from []string, to, reason string) (bool, error) {
	changed := false
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		q, args, err := sqlx.In(`UPDATE campaigns SET status = ?, reason = ? WHERE id = ? AND status IN (?)`, to, reason, id, from)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("storage: campaign status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		changed = true
		var dto, reason string
		var dfrom []string
		switch to {
		case model.CampaignPaused:
			dto, dfrom = model.DeliveryHeld, []string{model.DeliveryQueued, model.DeliveryRetry}
		case model.CampaignSending:
			dto, dfrom = model.DeliveryQueued, []string{model.DeliveryHeld}
		case model.CampaignCancelled:
			dto, reason, dfrom = model.DeliveryCancelled, "活动已取消", []string{model.DeliveryHeld, model.DeliveryQueued, model.DeliveryRetry}
		case model.CampaignDone:
			_, err := tx.ExecContext(ctx, `UPDATE campaigns SET finished_at = ? WHERE id = ?`, db.now().UTC(), id)
			return err
		default:
			return nil
		}
		// One UPDATE per former status, so that the rows each moved tell
		// the kept counts what moved from where.
		deltas := campaignDeltas{}
		for _, from := range dfrom {
			q, args := `UPDATE deliveries SET status = ? WHERE campaign_id = ? AND status = ?`, []any{dto, id, from}
			if reason != "" {
				q, args = `UPDATE deliveries SET status = ?, reason = ? WHERE campaign_id = ? AND status = ?`, []any{dto, reason, id, from}
			}
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("storage: campaign status: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("storage: campaign status: %w", err)
			}
			deltas.move(id, from, dto, n)
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	return changed, err
}

// CampaignCounts counts a campaign's deliveries by status, from the kept
// counts (campaign_counts.go).
func (db *DB) CampaignCounts(ctx context.Context, id int64) (map[string]int, error) {
	return db.countBy(ctx, "campaign counts", `SELECT status, n FROM campaign_counts WHERE campaign_id = ? AND n <> 0`, id)
}

// SendingCampaigns returns the ids of expanded campaigns still sending.
func (db *DB) SendingCampaigns(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.wq(ctx).SelectContext(ctx, &ids, `SELECT id FROM campaigns WHERE status = ? AND expanded_at IS NOT NULL`, model.CampaignSending)
	if err != nil {
		return nil, fmt.Errorf("storage: sending campaigns: %w", err)
	}
	return ids, nil
}

// StaleExpansions returns campaigns claimed for sending whose expansion
// never finished (the instance expanding them died) and that were due
// before before.
func (db *DB) StaleExpansions(ctx context.Context, before time.Time) ([]model.Campaign, error) {
	var cs []model.Campaign
	err := db.wq(ctx).SelectContext(ctx, &cs, `SELECT `+campaignCols+` FROM campaigns WHERE status = ? AND expanded_at IS NULL
		AND send_at <= ? ORDER BY send_at`, model.CampaignSending, before.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: stale expansions: %w", err)
	}
	for i := range cs {
		_ = json.Unmarshal([]byte(cs[i].AudienceJS), &cs[i].Audience)
	}
	return cs, nil
}

func whereAudience(a model.Audience) (string, []any, error) {
	var conds []string
	var args []any
	in := func(col string, vals any) error {
		q, xs, err := sqlx.In(col+` IN (?)`, vals)
		if err != nil {
			return err
		}
		conds = append(conds, q)
		args = append(args, xs...)
		return nil
	}
	if len(a.Delegations) > 0 {
		if err := in(`d.delegation_id IN (SELECT id FROM delegations WHERE name`, a.Delegations); err != nil {
			return "", nil, err
		}
		conds[len(conds)-1] += ")"
	}
	if len(a.Levels) > 0 {
		if err := in(`d.level`, a.Levels); err != nil {
			return "", nil, err
		}
	}
	if a.GrassrootsOnly {
		conds = append(conds, `d.grassroots = 1`)
	}
	if len(a.Groups) > 0 {
		if err := in(`d.professional_group`, a.Groups); err != nil {
			return "", nil, err
		}
	}
	if len(a.Tags) > 0 {
		if err := in(`d.id IN (SELECT dt.deputy_id FROM deputy_tags dt JOIN tags t ON t.id = dt.tag_id WHERE t.name`, a.Tags); err != nil {
			return "", nil, err
		}
		conds[len(conds)-1] += ")"
	}
	if len(a.DeputyIDs) > 0 {
		if err := in(`d.id`, a.DeputyIDs); err != nil {
			return "", nil, err
		}
	}
	if a.MeetingID > 0 {
		conds = append(conds, `d.id IN (SELECT deputy_id FROM invitations WHERE meeting_id = ?)`)
		args = append(args, a.MeetingID)
	}
	if a.SuggestionID > 0 {
		conds = append(conds, `d.id IN (SELECT deputy_id FROM suggestion_deputies WHERE suggestion_id = ?)`)
		args = append(args, a.SuggestionID)
	}
	if len(conds) == 0 && !a.All {
		return "", nil, errors.New("storage: an audience must be model.All or name someone")
	}
	if len(conds) == 0 {
		return "1 = 1", nil, nil
	}
	return strings.Join(conds, " AND "), args, nil
}
