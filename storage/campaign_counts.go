package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// The counts of a campaign's deliveries by status, kept rather than
// recounted: campaign_counts holds, per (campaign, status), how many of
// the campaign's deliveries are in that status. The campaign list, its
// page, its progress and the dispatcher's failure check read it instead of
// grouping a campaign's deliveries (200,000 index entries for a
// 200,000-recipient campaign) on every request (docs/benchmarks.md, "At
// issue 18's scale").
//
// Every statement that inserts a campaign's deliveries or changes their
// status keeps it in the same transaction: expansion (ExpandBatch), the
// dispatcher's claims and outcomes (ClaimDue, FinishDeliveries), template
// reports (AbsorbTemplateReports, the status storm), a deputy reading
// (MarkDeliveryRead) and a campaign's pause, resume and cancellation
// (SetCampaignStatus). Each learns which rows it moves from what it reads
// in its transaction (the rows it claimed, the rows it locks before the
// update, or the rows each status's UPDATE affected) and adds the deltas
// of its whole batch once, one counter row per (campaign, status), in key
// order, as the transaction's last write: two dispatchers recording
// batches of one campaign take the counter rows in the same order, after
// their delivery rows, so they wait for each other but cannot deadlock.
// Deliveries are never deleted. Rows written by hand are repaired by
// RecountCampaigns (`deputybot migrate recount`).

// campaignKey is a row of campaign_counts.
type campaignKey struct {
	Campaign int64
	Status   string
}

// campaignDeltas gathers a transaction's changes to campaign_counts.
type campaignDeltas map[campaignKey]int64

// move counts n deliveries of campaign moved from one status to another;
// from "" is an insertion. A delivery of no campaign (0) counts nowhere.
func (c campaignDeltas) move(campaign int64, from, to string, n int64) {
	if campaign == 0 || from == to || n == 0 {
		return
	}
	if from != "" {
		c[campaignKey{campaign, from}] -= n
	}
	c[campaignKey{campaign, to}] += n
}

// applyCampaignDeltas writes c to campaign_counts with one statement, its
// rows in key order.
func (db *DB) applyCampaignDeltas(ctx context.Context, tx *sqlx.Tx, c campaignDeltas) error {
	keys := make([]campaignKey, 0, len(c))
	for k, n := range c {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b campaignKey) int {
		return cmp.Or(cmp.Compare(a.Campaign, b.Campaign), strings.Compare(a.Status, b.Status))
	})
	var b strings.Builder
	args := make([]any, 0, 3*len(keys))
	b.WriteString(`INSERT INTO campaign_counts (campaign_id, status, n) VALUES `)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
		args = append(args, k.Campaign, k.Status, c[k])
	}
	if db.dialect == MySQL {
		b.WriteString(` ON DUPLICATE KEY UPDATE n = n + VALUES(n)`)
	} else {
		b.WriteString(` ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + excluded.n`)
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("storage: keep campaign counts: %w", err)
	}
	return nil
}

// movingDelivery is a delivery a statement is about to move: its id, its
// campaign (0 for none) and its status.
type movingDelivery struct {
	ID       int64  `db:"id"`
	Campaign int64  `db:"campaign_id"`
	Status   string `db:"status"`
}

// lockMoving reads the deliveries q selects (id, COALESCE(campaign_id, 0)
// AS campaign_id, status, with IN (?) expanded from args), locking them on
// MySQL, so that the UPDATE that follows in tx moves exactly these.
func (db *DB) lockMoving(ctx context.Context, tx *sqlx.Tx, q string, args ...any) ([]movingDelivery, error) {
	q, args, err := sqlx.In(q, args...)
	if err != nil {
		return nil, err
	}
	if db.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var out []movingDelivery
	if err := tx.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// recountCampaignsSelect counts the campaigns' deliveries by
// campaign_counts' key.
const recountCampaignsSelect = `SELECT campaign_id, status, COUNT(*) FROM deliveries WHERE campaign_id IS NOT NULL
GROUP BY campaign_id, status`

// recountCampaignsQuery fills campaign_counts from the deliveries (the
// migration that made the table runs the same statement).
const recountCampaignsQuery = `INSERT INTO campaign_counts (campaign_id, status, n) ` + recountCampaignsSelect

// RecountCampaigns rebuilds the kept counts of campaigns' deliveries from
// the deliveries, in one transaction, and reports how many counter rows it
// changed (0 when they were right). On MySQL it locks the deliveries until
// it commits, which holds up the dispatcher for as long.
func (db *DB) RecountCampaigns(ctx context.Context) (changed int, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if db.dialect == MySQL {
			// Block changes to deliveries while recounting, so none is
			// counted twice or missed.
			if _, err := tx.ExecContext(ctx, `SELECT COUNT(*) FROM deliveries FOR UPDATE`); err != nil {
				return err
			}
		}
		old, err := readCampaignCounts(ctx, tx, `SELECT campaign_id, status, n FROM campaign_counts`)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_counts`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, recountCampaignsQuery); err != nil {
			return err
		}
		now, err := readCampaignCounts(ctx, tx, `SELECT campaign_id, status, n FROM campaign_counts`)
		if err != nil {
			return err
		}
		changed = countsDiffer(old, now)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: recount campaigns: %w", err)
	}
	return changed, nil
}

// countsDiffer counts the keys whose counts differ between a and b (kept
// counts and a recount's).
func countsDiffer[K, V comparable](a, b map[K]V) int {
	n := 0
	for k, v := range b {
		if a[k] != v {
			n++
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			n++
		}
	}
	return n
}

// readCampaignCounts runs query (selecting a campaign, a status and a
// count) and returns the non-zero counts by key.
func readCampaignCounts(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (map[campaignKey]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[campaignKey]int64{}
	for rows.Next() {
		var k campaignKey
		var n int64
		if err := rows.Scan(&k.Campaign, &k.Status, &n); err != nil {
			return nil, err
		}
		if n != 0 {
			out[k] = n
		}
	}
	return out, rows.Err()
}

// KeptCampaignCountsRight reports whether the kept counts of campaigns'
// deliveries are those a recount gives, naming the first difference; for
// tests and checks, it writes nothing.
func (db *DB) KeptCampaignCountsRight(ctx context.Context) (bool, string, error) {
	kept, err := readCampaignCounts(ctx, db.wq(ctx), `SELECT campaign_id, status, n FROM campaign_counts`)
	if err != nil {
		return false, "", fmt.Errorf("storage: kept campaign counts: %w", err)
	}
	want, err := readCampaignCounts(ctx, db.wq(ctx), recountCampaignsSelect)
	if err != nil {
		return false, "", fmt.Errorf("storage: recount campaigns: %w", err)
	}
	keys := make([]campaignKey, 0, len(want)+len(kept))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range kept {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b campaignKey) int {
		return cmp.Or(cmp.Compare(a.Campaign, b.Campaign), strings.Compare(a.Status, b.Status))
	})
	for _, k := range keys {
		if kept[k] != want[k] {
			return false, fmt.Sprintf("campaign %d %s: kept %d, recounted %d", k.Campaign, k.Status, kept[k], want[k]), nil
		}
	}
	return true, "", nil
}
