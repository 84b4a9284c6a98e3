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

// ListCampaigns returns one page of campaigns, newest first, with their
// delivery counts (kept, see campaign_counts.go), and how many match in
// all.
func (db *DB) ListCampaigns(ctx context.Context, f model.CampaignFilter) ([]model.CampaignSummary, int, error) {
	var conds []string
	var args []any
	if f.Status != "" {
		conds, args = append(conds, `c.status = ?`), append(args, f.Status)
	}
	if f.Title != "" {
		conds, args = append(conds, `n.title LIKE ? ESCAPE '!'`), append(args, "%"+escapeLike(f.Title)+"%")
	}
	if f.Tests {
		conds = append(conds, `n.title LIKE ? ESCAPE '!'`)
	} else {
		conds = append(conds, `n.title NOT LIKE ? ESCAPE '!'`)
	}
	args = append(args, escapeLike(model.TestTitlePrefix)+"%")
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM campaigns c JOIN notices n ON n.id = c.notice_id`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count campaigns: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []model.CampaignSummary
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(`SELECT c.id, c.notice_id, c.audience, c.status, c.send_at, c.reason,
		c.created_at, c.expanded_at, c.finished_at, n.kind, n.title, n.urgent, n.created_by
		FROM campaigns c JOIN notices n ON n.id = c.notice_id%s ORDER BY c.id DESC LIMIT %d OFFSET %d`,
		where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list campaigns: %w", err)
	}
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]int64, len(out))
	for i := range out {
		_ = json.Unmarshal([]byte(out[i].AudienceJS), &out[i].Audience)
		out[i].Counts = map[string]int{}
		ids[i] = out[i].ID
	}
	counts, err := db.groupCounts(ctx, `SELECT campaign_id, status, n FROM campaign_counts WHERE campaign_id IN (?)
		AND n <> 0`, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: campaign counts: %w", err)
	}
	for i := range out {
		out[i].Counts = counts[out[i].ID]
		for _, n := range out[i].Counts {
			out[i].Total += n
		}
	}
	return out, total, nil
}

// groupCounts runs q (selecting an id, a status and a count, with one IN
// (?) for ids) and returns the counts by id and status.
func (db *DB) groupCounts(ctx context.Context, q string, ids []int64) (map[int64]map[string]int, error) {
	q, args, err := sqlx.In(q, ids)
	if err != nil {
		return nil, err
	}
	rows, err := db.rq(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[string]int{}
	for _, id := range ids {
		out[id] = map[string]int{}
	}
	for rows.Next() {
		var id int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, err
		}
		out[id][status] = n
	}
	return out, rows.Err()
}

// ListCampaignDeliveries returns one page of a campaign's deliveries by
// id, and how many match in all (not counted when paging by AfterID or
// when f.Counted). The page's ids are picked first from an index alone —
// (campaign_id, status) with a status, (campaign_id, id) without — and
// only those rows are read: MariaDB otherwise walked the second index
// reading every row to test its status, and reached page 200 of a status
// after 20,000 row reads.
func (db *DB) ListCampaignDeliveries(ctx context.Context, f model.CampaignDeliveryFilter) ([]model.CampaignDelivery, int, error) {
	where, args := whereCampaignDeliveryFilter(f)
	total := -1
	if f.AfterID == 0 && !f.Counted {
		// The filter is a campaign and a status: the kept counts have it.
		cq, cargs := `SELECT COALESCE(SUM(n), 0) FROM campaign_counts WHERE campaign_id = ?`, []any{f.CampaignID}
		if f.Status != "" {
			cq, cargs = cq+` AND status = ?`, append(cargs, f.Status)
		}
		if err := db.rq(ctx).GetContext(ctx, &total, cq, cargs...); err != nil {
			return nil, 0, fmt.Errorf("storage: count campaign deliveries: %w", err)
		}
	}
	if f.AfterID != 0 {
		where, args = where+` AND dl.id > ?`, append(args, f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	// On MySQL the index is named: once InnoDB's statistics were
	// recounted after the deliveries were written, MariaDB walked the
	// primary key from the table's first row instead, testing each row's
	// campaign (100,050 rows for the first page of the newest campaign,
	// 37 ms), taking the rows' order for cheaper than the campaign's index.
	hint := ""
	if db.dialect == MySQL {
		hint = " FORCE INDEX (deliveries_campaign_id)"
		if f.Status != "" {
			hint = " FORCE INDEX (deliveries_campaign)"
		}
	}
	var out []model.CampaignDelivery
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(`SELECT dl.id, dl.deputy_id, COALESCE(d.name, '') AS deputy_name,
		COALESCE(g.name, '') AS delegation, dl.status, dl.reason, dl.errcode, dl.channel, dl.attempts, dl.reclaims, dl.created_at,
		dl.sent_at, dl.delivered_at, dl.read_at, dl.msgid, dl.next_at, dl.urgent
		FROM (SELECT dl.id FROM deliveries dl%s%s ORDER BY dl.id LIMIT %d OFFSET %d) page
		JOIN deliveries dl ON dl.id = page.id LEFT JOIN deputies d ON d.id = dl.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		ORDER BY dl.id`, hint, where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: campaign deliveries: %w", err)
	}
	return out, total, nil
}

// AudienceIDs returns the ids of the audience's deputies in office after
// afterID, in order, at most limit: callers page through a large audience
// instead of holding it.
func (db *DB) AudienceIDs(ctx context.Context, a model.Audience, afterID int64, limit int) ([]int64, error) {
	where, args, err := whereAudience(a)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = db.rq(ctx).SelectContext(ctx, &ids, fmt.Sprintf(`SELECT d.id FROM deputies d WHERE (%s) AND d.status = ? AND d.id > ?
		ORDER BY d.id LIMIT %d`, where, max(limit, 1)), append(args, model.StatusActive, afterID)...)
	if err != nil {
		return nil, fmt.Errorf("storage: audience ids: %w", err)
	}
	return ids, nil
}

// ExistingDeputyIDs returns which of ids name a deputy.
func (db *DB) ExistingDeputyIDs(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT id FROM deputies WHERE id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var found []int64
	if err := db.rq(ctx).SelectContext(ctx, &found, q, args...); err != nil {
		return nil, fmt.Errorf("storage: deputies exist: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

func whereCampaignDeliveryFilter(f model.CampaignDeliveryFilter) (string, []any) {
	q, args := ` WHERE dl.campaign_id = ?`, []any{f.CampaignID}
	if f.Status != "" {
		q, args = q+` AND dl.status = ?`, append(args, f.Status)
	}
	return q, args
}

// CampaignPace tells how fast a campaign is going out: how many of its
// deliveries WeChat accepted at or after since, and when the first was
// accepted (invalid before any). Both are read from deliveries_campaign_sent
// (campaign_id, sent_at) alone, and on MariaDB both read a few entries of it
// rather than all the campaign's (100,000 for the big one, 33 ms):
//
//   - since goes to MySQL in microseconds, as DATETIME(6) holds it: the
//     driver writes a time's nanoseconds into the statement, and MariaDB
//     compares sent_at with such a constant row by row instead of seeking
//     to it (the comparison itself is the same);
//   - the first send is MIN(sent_at), one index dive there. SQLite keeps
//     ORDER BY … LIMIT 1, which its planner reads from the same index,
//     because its MIN() has no column type and would come back as text.
func (db *DB) CampaignPace(ctx context.Context, id int64, since time.Time) (recent int, first sql.NullTime, err error) {
	since = since.UTC()
	q := `SELECT MIN(sent_at) FROM deliveries WHERE campaign_id = ?`
	if db.dialect == MySQL {
		since = since.Truncate(time.Microsecond)
	} else {
		q = `SELECT sent_at FROM deliveries WHERE campaign_id = ? AND sent_at IS NOT NULL ORDER BY sent_at LIMIT 1`
	}
	if err := db.rq(ctx).GetContext(ctx, &recent, `SELECT COUNT(*) FROM deliveries
		WHERE campaign_id = ? AND sent_at >= ?`, id, since); err != nil {
		return 0, first, fmt.Errorf("storage: campaign pace %d: %w", id, err)
	}
	err = db.rq(ctx).GetContext(ctx, &first, q, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, first, fmt.Errorf("storage: campaign pace %d: %w", id, err)
	}
	return recent, first, nil
}
