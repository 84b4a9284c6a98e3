package storage_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// A campaign's kept counts follow its deliveries through every move:
// expansion (and a repeated one), claims, sends, failures, a retry, the
// template reports, a read, a pause, a resume and a cancellation.
func TestKeptCampaignCountsFollowEveryMove(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		consoleDeputies(t, db, 8) // four bound
		newCampaign := func(title string) model.Campaign {
			n := model.Notice{Kind: "general_notice", Title: title, CreatedBy: "u-staff"}
			c := model.Campaign{Audience: model.Audience{All: true}}
			if err := db.CreateCampaign(ctx, &n, &c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		expand := func(c model.Campaign) {
			last := int64(0)
			for {
				next, n, err := db.ExpandBatch(ctx, c, fmt.Sprintf("c%d", c.ID), false, last, 3)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
				last = next
				storagetest.CampaignCountsRight(t, db)
			}
		}
		counts := func(id int64) map[string]int {
			m, err := db.CampaignCounts(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		c := newCampaign("通知")
		expand(c)
		expand(c) // a second expansion writes nothing
		if m := counts(c.ID); m[model.DeliveryQueued] != 4 || m[model.DeliverySkipped] != 4 || len(m) != 2 {
			t.Fatalf("after expansion: %v", m)
		}

		now := time.Now()
		claimed, err := db.ClaimDue(ctx, "d1", now, 10, time.Minute, false)
		if err != nil || len(claimed) != 4 {
			t.Fatalf("claim: %d %v", len(claimed), err)
		}
		storagetest.CampaignCountsRight(t, db)
		outs := []model.Outcome{
			{ID: claimed[0].ID, Status: model.DeliverySent, MsgID: 101, Template: true, Attempted: true},
			{ID: claimed[1].ID, Status: model.DeliverySent, MsgID: 102, Template: true, Attempted: true},
			{ID: claimed[2].ID, Status: model.DeliveryRetry, NextAt: now, Attempted: true, Reason: "系统繁忙"},
			{ID: claimed[3].ID, Status: model.DeliveryFailed, Attempted: true, Reason: "用户拒收"},
		}
		if err := db.FinishDeliveries(ctx, "2026-12-08", outs); err != nil {
			t.Fatal(err)
		}
		// Recording the same batch again moves nothing.
		if err := db.FinishDeliveries(ctx, "2026-12-08", outs); err != nil {
			t.Fatal(err)
		}
		storagetest.CampaignCountsRight(t, db)
		if m := counts(c.ID); m[model.DeliverySent] != 2 || m[model.DeliveryRetry] != 1 || m[model.DeliveryFailed] != 1 {
			t.Fatalf("after the outcomes: %v", m)
		}
		retried, err := db.ClaimDue(ctx, "d2", now.Add(time.Second), 10, time.Minute, false)
		if err != nil || len(retried) != 1 {
			t.Fatalf("claim the retry: %d %v", len(retried), err)
		}
		storagetest.CampaignCountsRight(t, db)
		if err := db.FinishDeliveries(ctx, "2026-12-08", []model.Outcome{{ID: retried[0].ID, Status: model.DeliverySent,
			MsgID: 103, Template: true, Attempted: true}}); err != nil {
			t.Fatal(err)
		}
		storagetest.CampaignCountsRight(t, db)
		// The status storm, a report repeated, one for a send not recorded.
		if err := db.AbsorbTemplateReports(ctx, []model.TemplateStatus{{MsgID: 101, Status: "success"},
			{MsgID: 102, Status: "failed:user block"}, {MsgID: 101, Status: "success"}, {MsgID: 999, Status: "success"}}); err != nil {
			t.Fatal(err)
		}
		storagetest.CampaignCountsRight(t, db)
		if err := db.AbsorbTemplateReport(ctx, 103, "", "success"); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkDeliveryRead(ctx, claimed[0].ID); err != nil {
			t.Fatal(err)
		}
		storagetest.CampaignCountsRight(t, db)
		if m := counts(c.ID); m[model.DeliveryRead] != 1 || m[model.DeliveryDelivered] != 1 || m[model.DeliveryFailed] != 2 ||
			m[model.DeliverySkipped] != 4 || len(m) != 4 {
			t.Fatalf("after the reports and a read: %v", m)
		}

		c2 := newCampaign("另一通知")
		if _, err := db.ClaimCampaign(ctx, c2.ID); err != nil {
			t.Fatal(err)
		}
		expand(c2)
		one, err := db.ClaimDue(ctx, "d1", now.Add(2*time.Second), 1, time.Minute, false)
		if err != nil || len(one) != 1 {
			t.Fatalf("claim one: %d %v", len(one), err)
		}
		if err := db.FinishDeliveries(ctx, "2026-12-08", []model.Outcome{{ID: one[0].ID, Status: model.DeliveryRetry,
			NextAt: now.Add(time.Hour), Attempted: true}}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct{ from, to string }{
			{model.CampaignSending, model.CampaignPaused},
			{model.CampaignPaused, model.CampaignSending},
			{model.CampaignSending, model.CampaignPaused},
			{model.CampaignPaused, model.CampaignCancelled},
		} {
			if ok, err := db.SetCampaignStatus(ctx, c2.ID, []string{step.from}, step.to, ""); err != nil || !ok {
				t.Fatalf("%s → %s: %v %v", step.from, step.to, ok, err)
			}
			storagetest.CampaignCountsRight(t, db)
		}
		if m := counts(c2.ID); m[model.DeliveryCancelled] != 4 || m[model.DeliverySkipped] != 4 || len(m) != 2 {
			t.Fatalf("after the cancellation: %v", m)
		}
		list, _, err := db.ListCampaigns(ctx, model.CampaignFilter{})
		if err != nil || len(list) != 2 || list[0].Total != 8 || list[1].Total != 8 || list[1].Counts[model.DeliveryRead] != 1 {
			t.Fatalf("the list: %+v %v", list, err)
		}
		dls, total, err := db.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: c.ID, Status: model.DeliveryFailed})
		if err != nil || total != 2 || len(dls) != 2 {
			t.Fatalf("failed deliveries: %d of %d %v", len(dls), total, err)
		}
	})
}

// A count that drifted (deliveries written past storage) is found and
// repaired by RecountCampaigns, which finds nothing the second time.
func TestRecountRepairsDriftedCampaignCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		consoleDeputies(t, db, 4)
		n := model.Notice{Kind: "general_notice", Title: "通知", CreatedBy: "u-staff"}
		c := model.Campaign{Audience: model.Audience{All: true}}
		if err := db.CreateCampaign(ctx, &n, &c); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ExpandBatch(ctx, c, fmt.Sprintf("c%d", c.ID), false, 0, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE deliveries SET status = 'sent' WHERE campaign_id = ? AND status = 'queued'`, c.ID); err != nil {
			t.Fatal(err)
		}
		if ok, diff, err := db.KeptCampaignCountsRight(ctx); err != nil || ok || !strings.Contains(diff, "queued: kept 2, recounted 0") {
			t.Fatalf("the drift was not found: %v %q %v", ok, diff, err)
		}
		changed, err := db.RecountCampaigns(ctx)
		if err != nil || changed != 2 {
			t.Fatalf("recount: %d %v", changed, err)
		}
		storagetest.CampaignCountsRight(t, db)
		if m, _ := db.CampaignCounts(ctx, c.ID); m[model.DeliverySent] != 2 || m[model.DeliveryQueued] != 0 {
			t.Fatalf("after the recount: %v", m)
		}
		if changed, err := db.RecountCampaigns(ctx); err != nil || changed != 0 {
			t.Fatalf("second recount: %d %v", changed, err)
		}
	})
}

// The migration that made campaign_counts fills it as RecountCampaigns
// does, on both dialects.
func TestTheCampaignCountsMigrationFillsAsRecountDoes(t *testing.T) {
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, d := range []string{"sqlite", "mysql"} {
		b, err := fs.ReadFile(storage.Migrations, "migrations/"+d+"/00140_campaign_counts.sql")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flat(string(b)), flat(storage.RecountCampaignsQuery)) {
			t.Fatalf("%s: the migration does not fill campaign_counts as RecountCampaigns does", d)
		}
	}
}

// Dispatchers claiming and recording batches of one campaign at once,
// with the template reports of their sends arriving meanwhile and deputies
// reading, leave the kept counts equal to a recount, without a deadlock:
// every writer takes the counter rows last, in key order.
func TestKeptCampaignCountsUnderConcurrentDispatch(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		consoleDeputies(t, db, 60) // thirty bound
		var cs []model.Campaign
		for i := range 2 {
			n := model.Notice{Kind: "general_notice", Title: fmt.Sprintf("通知%d", i), CreatedBy: "u-staff"}
			c := model.Campaign{Audience: model.Audience{All: true}}
			if err := db.CreateCampaign(ctx, &n, &c); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.ExpandBatch(ctx, c, fmt.Sprintf("c%d", c.ID), false, 0, 100); err != nil {
				t.Fatal(err)
			}
			cs = append(cs, c)
		}
		now := time.Now()
		var msgid atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := range 20 {
					ds, err := db.ClaimDue(ctx, fmt.Sprintf("d%d", w), now.Add(time.Duration(round)*time.Second), 4, time.Minute, false)
					if err != nil {
						errs <- err
						return
					}
					var outs []model.Outcome
					var reports []model.TemplateStatus
					for i, d := range ds {
						switch (i + w + round) % 4 {
						case 0:
							outs = append(outs, model.Outcome{ID: d.ID, Status: model.DeliveryRetry, NextAt: now, Attempted: true})
						case 1:
							outs = append(outs, model.Outcome{ID: d.ID, Status: model.DeliveryFailed, Attempted: true, Reason: "拒收"})
						default:
							id := msgid.Add(1)
							outs = append(outs, model.Outcome{ID: d.ID, Status: model.DeliverySent, MsgID: id, Template: true, Attempted: true})
							reports = append(reports, model.TemplateStatus{MsgID: id, Status: []string{"success", "failed:system failed"}[i%2]})
						}
					}
					if err := db.FinishDeliveries(ctx, "2026-12-08", outs); err != nil {
						errs <- err
						return
					}
					if err := db.AbsorbTemplateReports(ctx, reports); err != nil {
						errs <- err
						return
					}
					for _, d := range ds {
						if err := db.MarkDeliveryRead(ctx, d.ID); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		storagetest.CampaignCountsRight(t, db)
		for _, c := range cs {
			if m, _ := db.CampaignCounts(ctx, c.ID); m[model.DeliverySkipped] != 30 {
				t.Fatalf("campaign %d: %v", c.ID, m)
			}
		}
	})
}
