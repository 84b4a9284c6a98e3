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
	"time"

	"github.com/jmoiron/sqlx"
)

const deliveryCols = `id, source, campaign_id, notice_id, deputy_id, openid, status, urgent, reason, errcode, channel,
	channel_reason, client_msg_id, msgid, attempts, reclaims, claimed_by, next_at, first_try_at, created_at, sent_at, delivered_at, read_at`

// GetDelivery returns the delivery with id, or ErrNotFound.
func (db *DB) GetDelivery(ctx context.Context, id int64) (model.Delivery, error) {
	var d model.Delivery
	err := db.wq(ctx).GetContext(ctx, &d, `SELECT `+deliveryCols+` FROM deliveries WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("storage: delivery %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("storage: delivery %d: %w", id, err)
	}
	return d, nil
}

// ClaimDue takes up to limit deliveries that are due at now (queued, due
// for retry, or sending with an expired lease: a crashed dispatcher) and
// marks them sending until now+lease, claimed by owner (a dispatcher's
// id, see BeatDispatcher). With urgentOnly, only urgent ones
// (quiet hours). Two dispatchers never claim the same row: MySQL skips
// rows another transaction has locked; SQLite has one writer. And should
// a server ignore SKIP LOCKED (TiDB does), the claiming UPDATE checks
// again that each row is still due, reading the latest committed row as
// an UPDATE does, and only the rows it changed are returned: a row
// another dispatcher claimed in the meantime is left to it.
//
// A claim is not an attempt (FinishDeliveries counts those, from WeChat's
// answers): taking a row back from a dead dispatcher adds to its
// reclaims, so a crash neither pushes the row's next retry further out
// nor brings it nearer to the attempt limit.
func (db *DB) ClaimDue(ctx context.Context, owner string, now time.Time, limit int, lease time.Duration, urgentOnly bool) ([]model.Delivery, error) {
	var out []model.Delivery
	err := db.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		q := `SELECT id, status FROM deliveries WHERE status IN (?, ?, ?) AND next_at <= ?`
		if urgentOnly {
			q += ` AND urgent = 1`
		}
		// No ORDER BY: across three statuses it would sort every due row on
		// each claim; the index yields due rows in (status, next_at) order.
		q += ` LIMIT ?` + db.claimLock
		var due []struct {
			ID     int64  `db:"id"`
			Status string `db:"status"`
		}
		if err := tx.SelectContext(ctx, &due, q, model.DeliveryQueued, model.DeliveryRetry, model.DeliverySending, now.UTC(), limit); err != nil {
			return fmt.Errorf("storage: claim deliveries: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		if db.claimPaused != nil {
			db.claimPaused()
		}
		ids := make([]int64, len(due))
		was := make(map[int64]string, len(due))
		for i, d := range due {
			ids[i], was[d.ID] = d.ID, d.Status
		}
		// A claimed row's next_at is its lease end: past it, the row is due
		// again. reclaims counts the rows taken from a dispatcher whose
		// lease ran out; it is assigned before status, as MySQL assigns
		// SET columns left to right.
		until := now.Add(lease).UTC()
		uq, args, err := sqlx.In(`UPDATE deliveries SET reclaims = reclaims + CASE WHEN status = ? THEN 1 ELSE 0 END,
			status = ?, next_at = ?, claimed_by = ?, first_try_at = COALESCE(first_try_at, ?)
			WHERE id IN (?) AND status IN (?, ?, ?) AND next_at <= ?`,
			model.DeliverySending, model.DeliverySending, until, owner, now.UTC(), ids,
			model.DeliveryQueued, model.DeliveryRetry, model.DeliverySending, now.UTC())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, uq, args...); err != nil {
			return fmt.Errorf("storage: claim deliveries: %w", err)
		}
		sq, args, err := sqlx.In(`SELECT `+deliveryCols+` FROM deliveries WHERE id IN (?) AND status = ? AND claimed_by = ?
			AND next_at = ? ORDER BY id`, ids, model.DeliverySending, owner, until)
		if err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &out, sq, args...); err != nil {
			return fmt.Errorf("storage: claim deliveries: %w", err)
		}
		// The rows claimed are those moved to sending: the kept counts
		// move by campaign and former status.
		deltas := campaignDeltas{}
		for i := range out {
			from := was[out[i].ID]
			out[i].Reclaimed = from == model.DeliverySending
			deltas.move(out[i].CampaignID.Int64, from, model.DeliverySending, 1)
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	return out, err
}

// BeatDispatcher records that the dispatcher id is alive at now. Each
// dispatcher beats every few seconds; ReleaseSilentClaims hands back the
// claims of one that stopped.
func (db *DB) BeatDispatcher(ctx context.Context, id string, now time.Time) error {
	q := `INSERT INTO dispatchers (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`
	if db.dialect == MySQL {
		q = `INSERT INTO dispatchers (id, seen_at) VALUES (?, ?) ON DUPLICATE KEY UPDATE seen_at = VALUES(seen_at)`
	}
	if _, err := db.wq(ctx).ExecContext(ctx, q, id, now.UTC()); err != nil {
		return fmt.Errorf("storage: dispatcher beat: %w", err)
	}
	return nil
}

// ReleaseSilentClaims makes due at now the deliveries still sending under
// the lease of a dispatcher not heard from since before silentSince (it
// died: a crash, an OOM kill, a lost host), so they are reclaimed at once
// rather than when the lease runs out, and forgets dispatchers silent for
// a day. It returns how many deliveries it handed back.
func (db *DB) ReleaseSilentClaims(ctx context.Context, now, silentSince time.Time) (int64, error) {
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE deliveries SET next_at = ? WHERE status = ? AND next_at > ?
		AND claimed_by IN (SELECT id FROM dispatchers WHERE seen_at < ?)`,
		now.UTC(), model.DeliverySending, now.UTC(), silentSince.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: release silent claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: release silent claims: %w", err)
	}
	if _, err := db.wq(ctx).ExecContext(ctx, `DELETE FROM dispatchers WHERE seen_at < ?`, now.Add(-24*time.Hour).UTC()); err != nil {
		return n, fmt.Errorf("storage: forget dispatchers: %w", err)
	}
	return n, nil
}

// FinishDeliveries records the outcomes of a batch in one transaction,
// adds the template sends to day's quota count, and applies template
// reports that arrived before the send was recorded.
func (db *DB) FinishDeliveries(ctx context.Context, day string, outs []model.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	now := db.now().UTC()
	templates := 0
	var sentIDs []int64
	// Two dispatchers recording batches at once can deadlock on MySQL; the
	// victim's batch is recorded again rather than left to its lease.
	err := db.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		templates, sentIDs = 0, sentIDs[:0]
		var sent []model.Outcome
		for _, o := range outs {
			if o.Status == model.DeliverySent {
				sent = append(sent, o)
				sentIDs = append(sentIDs, o.ID)
				if o.Template {
					templates++
				}
			}
		}
		// The rows still sending are those the statements below move; read
		// (and on MySQL locked) first, for the kept counts.
		ids := make([]int64, len(outs))
		for i, o := range outs {
			ids[i] = o.ID
		}
		moving, err := db.lockMoving(ctx, tx, `SELECT id, COALESCE(campaign_id, 0) AS campaign_id, status FROM deliveries
			WHERE id IN (?) AND status = ?`, ids, model.DeliverySending)
		if err != nil {
			return fmt.Errorf("storage: finish deliveries: %w", err)
		}
		campaign := make(map[int64]int64, len(moving))
		for _, m := range moving {
			campaign[m.ID] = m.Campaign
		}
		// Sent first, as the statements below record them first: an id
		// twice in outs moves once.
		deltas := campaignDeltas{}
		for _, o := range append(sent[:len(sent):len(sent)], outs...) {
			if c, ok := campaign[o.ID]; ok {
				to := o.Status
				if to != model.DeliverySent && to != model.DeliveryRetry {
					to = model.DeliveryFailed
				}
				deltas.move(c, model.DeliverySending, to, 1)
				delete(campaign, o.ID)
			}
		}
		// The common outcome, sent, is one statement for the whole batch.
		if err := db.markSent(ctx, tx, now, sent); err != nil {
			return err
		}
		for _, o := range outs {
			var err error
			switch o.Status {
			case model.DeliverySent:
				continue
			case model.DeliveryRetry:
				_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, next_at = ?, errcode = ?, reason = ?, channel = ?,
					channel_reason = ?, client_msg_id = ?, attempts = attempts + ? WHERE id = ? AND status = ?`,
					model.DeliveryRetry, o.NextAt.UTC(), o.ErrCode, o.Reason, o.Channel, o.ChannelReason, o.ClientMsgID,
					attempted(o), o.ID, model.DeliverySending)
			default:
				_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, errcode = ?, reason = ?, channel = ?,
					channel_reason = ?, client_msg_id = ?, attempts = attempts + ? WHERE id = ? AND status = ?`,
					model.DeliveryFailed, o.ErrCode, o.Reason, o.Channel, o.ChannelReason, o.ClientMsgID,
					attempted(o), o.ID, model.DeliverySending)
			}
			if err != nil {
				return fmt.Errorf("storage: finish delivery %d: %w", o.ID, err)
			}
		}
		if templates > 0 {
			if err := db.addQuota(ctx, tx, day, templates); err != nil {
				return err
			}
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	if err != nil || len(sentIDs) == 0 {
		return err
	}
	// A TEMPLATESENDJOBFINISH can overtake the recording of its send.
	q, args, err := sqlx.In(`SELECT d.id, r.status FROM deliveries d JOIN template_reports r ON r.msgid = d.msgid
		WHERE d.id IN (?)`, sentIDs)
	if err != nil {
		return err
	}
	var early []struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	if err := db.wq(ctx).SelectContext(ctx, &early, q, args...); err != nil {
		return fmt.Errorf("storage: early reports: %w", err)
	}
	for _, e := range early {
		if err := db.applyReport(ctx, e.ID, e.Status); err != nil {
			return err
		}
	}
	return nil
}

// attempted is what an outcome adds to its delivery's attempts.
func attempted(o model.Outcome) int {
	if o.Attempted {
		return 1
	}
	return 0
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func (db *DB) addQuota(ctx context.Context, tx *sqlx.Tx, day string, n int) error {
	q := `INSERT INTO send_quota (day, used) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET used = used + excluded.used`
	if db.dialect == MySQL {
		q = `INSERT INTO send_quota (day, used) VALUES (?, ?) ON DUPLICATE KEY UPDATE used = used + VALUES(used)`
	}
	if _, err := tx.ExecContext(ctx, q, day, n); err != nil {
		return fmt.Errorf("storage: quota: %w", err)
	}
	return nil
}

// QuotaUsed returns how many template messages were sent on day.
func (db *DB) QuotaUsed(ctx context.Context, day string) (int, error) {
	var n int
	err := db.wq(ctx).GetContext(ctx, &n, `SELECT used FROM send_quota WHERE day = ?`, day)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("storage: quota: %w", err)
	}
	return n, nil
}

// ApplyTemplateReport moves the delivery sent as msgid to delivered or
// failed, as WeChat's TEMPLATESENDJOBFINISH says; it reports whether a
// delivery in the sent state matched.
func (db *DB) ApplyTemplateReport(ctx context.Context, msgid int64, status string) (bool, error) {
	n, err := db.applyReports(ctx, status, []int64{msgid})
	return n > 0, err
}

// applyReports applies one reported status to the sent deliveries among
// msgids, and returns how many changed: they are read through the msgid
// index, then moved by id with one UPDATE, in a transaction that keeps the
// campaign counts (moveSent).
//
// +status, not status: with an IN list SQLite would otherwise search the
// deliveries_due index for every sent delivery (a campaign's worth) rather
// than deliveries_msgid for these few. MySQL ignores the unary plus.
func (db *DB) applyReports(ctx context.Context, status string, msgids []int64) (int64, error) {
	if db.dialect == SQLite {
		return db.applyReportsReturning(ctx, status, msgids)
	}
	q, args, err := sqlx.In(`SELECT id, COALESCE(campaign_id, 0) AS campaign_id, status FROM deliveries
		WHERE +status = ? AND msgid IN (?)`, model.DeliverySent, msgids)
	if err != nil {
		return 0, err
	}
	var sent []movingDelivery
	if err := db.wq(ctx).SelectContext(ctx, &sent, q, args...); err != nil {
		return 0, fmt.Errorf("storage: template reports: %w", err)
	}
	to, set, arg := reportedStatus(db, status)
	n, err := db.moveSent(ctx, sent, to, set, arg)
	if err != nil {
		return 0, fmt.Errorf("storage: template reports: %w", err)
	}
	return n, nil
}

// reportedStatus is what a template report's status moves a sent delivery
// to: its status and the other column set, with its value.
func reportedStatus(db *DB, status string) (to, set string, arg any) {
	if status == "success" {
		return model.DeliveryDelivered, `delivered_at = ?`, db.now().UTC()
	}
	return model.DeliveryFailed, `reason = ?`, status
}

// errMovedMeanwhile says some of the rows a move read were moved by
// another transaction before it.
var errMovedMeanwhile = errors.New("deliveries moved meanwhile")

// moveSent moves the deliveries sent, read as sent without a lock, to
// status to, setting also set (one column = ?, with arg), keeping the
// campaign counts: one UPDATE by id of the rows still sent, in a
// transaction with the counts. When it moves every row read (the rule: a
// report moves its delivery once), the rows read are the rows moved, and
// a delivery's campaign never changes, so the read gives the counts'
// deltas. When another transaction moved some first (a repeated report,
// the deputy reading), the UPDATE is rolled back and the rows are moved
// again by moveDeliveries, which locks them to tell which.
func (db *DB) moveSent(ctx context.Context, sent []movingDelivery, to, set string, arg any) (int64, error) {
	if len(sent) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(sent))
	deltas := campaignDeltas{}
	for i, m := range sent {
		ids[i] = m.ID
		deltas.move(m.Campaign, model.DeliverySent, to, 1)
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		q, args, err := sqlx.In(`UPDATE deliveries SET status = ?, `+set+` WHERE id IN (?) AND status = ?`, to, arg, ids, model.DeliverySent)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
			return cmp.Or(err, errMovedMeanwhile)
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	if errors.Is(err, errMovedMeanwhile) {
		return db.moveDeliveries(ctx, ids, []string{model.DeliverySent}, to, set, arg)
	}
	if err != nil {
		return 0, err
	}
	return int64(len(ids)), nil
}

// moveDeliveries moves those of the deliveries ids whose status is one of
// from to status to, setting also set (one column = ?, with arg), in one
// transaction that keeps the campaign counts: the rows are read by primary
// key first, locked on MySQL (records only: a locking read through the
// msgid index also locked its gaps, which deadlocked with the recording of
// sends, whose msgids go into those gaps), and the ones in from are
// updated by id. It returns how many moved.
func (db *DB) moveDeliveries(ctx context.Context, ids []int64, from []string, to, set string, arg any) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		n = 0
		moving, err := db.lockMoving(ctx, tx, `SELECT id, COALESCE(campaign_id, 0) AS campaign_id, status FROM deliveries
			WHERE id IN (?)`, ids)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(moving))
		deltas := campaignDeltas{}
		for _, m := range moving {
			if slices.Contains(from, m.Status) {
				ids = append(ids, m.ID)
				deltas.move(m.Campaign, m.Status, to, 1)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		q, args, err := sqlx.In(`UPDATE deliveries SET status = ?, `+set+` WHERE id IN (?)`, to, arg, ids)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return db.applyCampaignDeltas(ctx, tx, deltas)
	})
	return n, err
}

// AbsorbTemplateReport applies one TEMPLATESENDJOBFINISH report; see
// AbsorbTemplateReports.
func (db *DB) AbsorbTemplateReport(ctx context.Context, msgid int64, openid, status string) error {
	return db.AbsorbTemplateReports(ctx, []model.TemplateStatus{{MsgID: msgid, OpenID: openid, Status: status}})
}

// AbsorbTemplateReports applies TEMPLATESENDJOBFINISH reports to the
// deliveries sent as their msgids: one read and one transaction per
// distinct status (in a campaign's status storm, one for the lot, the
// campaign counts moved once) when every send is recorded,
// which is the rule. A report whose delivery is not recorded as sent yet
// may have overtaken the recording of its send: it is kept for the outbox
// (which applies kept reports after recording sends, see
// FinishDeliveries) and applied once more, in case the send was recorded
// in the meantime. Each statement commits on its own, in that order, so a
// report is never missed by both. Repeating a report changes nothing.
func (db *DB) AbsorbTemplateReports(ctx context.Context, reports []model.TemplateStatus) error {
	if len(reports) == 0 {
		return nil
	}
	applied, err := db.applyGrouped(ctx, reports)
	if err != nil || applied == int64(len(reports)) {
		return err
	}
	// Some matched no sent delivery: keep those not settled already (a
	// repeated report finds its delivery delivered, read or failed).
	all := make([]int64, len(reports))
	for i, r := range reports {
		all[i] = r.MsgID
	}
	q, args, err := sqlx.In(`SELECT msgid FROM deliveries WHERE msgid IN (?) AND status <> ?`, all, model.DeliverySent)
	if err != nil {
		return err
	}
	var settled []int64
	if err := db.wq(ctx).SelectContext(ctx, &settled, q, args...); err != nil {
		return fmt.Errorf("storage: template reports: %w", err)
	}
	done := make(map[int64]bool, len(settled))
	for _, id := range settled {
		done[id] = true
	}
	var keep []model.TemplateStatus
	for _, r := range reports {
		if !done[r.MsgID] {
			keep = append(keep, r)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if err := db.keepTemplateReports(ctx, keep); err != nil {
		return err
	}
	_, err = db.applyGrouped(ctx, keep)
	return err
}

// applyGrouped applies reports with one move per distinct status and
// returns how many deliveries changed.
func (db *DB) applyGrouped(ctx context.Context, reports []model.TemplateStatus) (int64, error) {
	var statuses []string
	byStatus := map[string][]int64{}
	for _, r := range reports {
		if _, ok := byStatus[r.Status]; !ok {
			statuses = append(statuses, r.Status)
		}
		byStatus[r.Status] = append(byStatus[r.Status], r.MsgID)
	}
	var total int64
	for _, status := range statuses {
		n, err := db.applyReports(ctx, status, byStatus[status])
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// keepTemplateReports stores reports for sends not recorded yet with one
// INSERT; a report kept already is ignored.
func (db *DB) keepTemplateReports(ctx context.Context, reports []model.TemplateStatus) error {
	var b strings.Builder
	b.WriteString(db.insertIgnore() + ` INTO template_reports (msgid, openid, status, received_at) VALUES `)
	args := make([]any, 0, 4*len(reports))
	now := db.now().UTC()
	for i, r := range reports {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?)")
		args = append(args, r.MsgID, r.OpenID, r.Status, now)
	}
	if _, err := db.wq(ctx).ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("storage: keep template reports: %w", err)
	}
	return nil
}

func (db *DB) applyReport(ctx context.Context, id int64, status string) error {
	to, set, arg := reportedStatus(db, status)
	_, err := db.moveDeliveries(ctx, []int64{id}, []string{model.DeliverySent}, to, set, arg)
	if err != nil {
		return fmt.Errorf("storage: template report: %w", err)
	}
	return nil
}

// MarkDeliveryRead records that the deputy opened the delivery's page.
func (db *DB) MarkDeliveryRead(ctx context.Context, id int64) error {
	_, err := db.moveDeliveries(ctx, []int64{id}, []string{model.DeliverySent, model.DeliveryDelivered},
		model.DeliveryRead, `read_at = ?`, db.now().UTC())
	if err != nil {
		return fmt.Errorf("storage: mark read: %w", err)
	}
	return nil
}

// UnfinishedCampaigns returns the sending campaigns among ids with no
// delivery left to send, so they can be marked done.
func (db *DB) UnfinishedCampaigns(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT c.id FROM campaigns c WHERE c.id IN (?) AND c.status = ? AND c.expanded_at IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.status IN (?, ?, ?, ?))`,
		ids, model.CampaignSending, model.DeliveryQueued, model.DeliveryRetry, model.DeliverySending, model.DeliveryHeld)
	if err != nil {
		return nil, err
	}
	var out []int64
	if err := db.wq(ctx).SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("storage: finished campaigns: %w", err)
	}
	return out, nil
}

// ListDeliveries returns deliveries matching f, by id.
func (db *DB) ListDeliveries(ctx context.Context, f model.DeliveryFilter) ([]model.Delivery, error) {
	q := `SELECT ` + deliveryCols + ` FROM deliveries WHERE id > ?`
	args := []any{f.AfterID}
	if f.CampaignID > 0 {
		q += ` AND campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	if f.DeputyID > 0 {
		q += ` AND deputy_id = ?`
		args = append(args, f.DeputyID)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	var out []model.Delivery
	if err := db.rq(ctx).SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("storage: list deliveries: %w", err)
	}
	return out, nil
}

// markSent records sent deliveries with one UPDATE, the per-row values
// picked by CASE.
func (db *DB) markSent(ctx context.Context, tx *sqlx.Tx, now time.Time, outs []model.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	var b strings.Builder
	var args []any
	// A sent delivery was always attempted: WeChat answered it.
	b.WriteString(`UPDATE deliveries SET status = ?, sent_at = ?, errcode = 0, reason = '', attempts = attempts + 1`)
	args = append(args, model.DeliverySent, now)
	for _, col := range []struct {
		name string
		val  func(model.Outcome) any
	}{
		{"msgid", func(o model.Outcome) any { return nullInt(o.MsgID) }},
		{"channel", func(o model.Outcome) any { return o.Channel }},
		{"channel_reason", func(o model.Outcome) any { return o.ChannelReason }},
		{"client_msg_id", func(o model.Outcome) any { return o.ClientMsgID }},
	} {
		b.WriteString(", " + col.name + " = CASE id")
		for _, o := range outs {
			b.WriteString(" WHEN ? THEN ?")
			args = append(args, o.ID, col.val(o))
		}
		b.WriteString(" END")
	}
	b.WriteString(" WHERE status = ? AND id IN (")
	args = append(args, model.DeliverySending)
	for i, o := range outs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("?")
		args = append(args, o.ID)
	}
	b.WriteString(")")
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("storage: mark sent: %w", err)
	}
	return nil
}

// DeliveryCounts counts all deliveries by status, for metrics.
func (db *DB) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "delivery counts", `SELECT status, COUNT(*) FROM deliveries GROUP BY status`)
}
