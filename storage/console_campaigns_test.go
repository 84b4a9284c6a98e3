package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// consoleDeputies creates n deputies of 济南市代表团, the even ones bound,
// and returns their ids.
func consoleDeputies(t *testing.T, db *storage.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i := range n {
		d := newDeputy(fmt.Sprintf("代表%02d", i), "济南市代表团", fmt.Sprintf("139000000%02d", i))
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := db.BindDeputy(ctx, d.ID, fmt.Sprintf("openid-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func TestCampaignsAreListedWithTheirDeliveryCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := consoleDeputies(t, db, 5)
		var cs []model.Campaign
		for i := range 3 {
			n := model.Notice{Kind: "general_notice", Title: fmt.Sprintf("通知 %d", i), CreatedBy: "u-staff"}
			c := model.Campaign{Audience: model.Audience{All: true}}
			if err := db.CreateCampaign(ctx, &n, &c); err != nil {
				t.Fatal(err)
			}
			cs = append(cs, c)
		}
		if _, _, err := db.ExpandBatch(ctx, cs[0], fmt.Sprintf("c%d", cs[0].ID), false, 0, 1000); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetCampaignStatus(ctx, cs[2].ID, []string{model.CampaignScheduled}, model.CampaignCancelled, "已取消"); err != nil {
			t.Fatal(err)
		}

		list, total, err := db.ListCampaigns(ctx, model.CampaignFilter{Limit: 2})
		if err != nil || total != 3 || len(list) != 2 {
			t.Fatalf("page 1: %d of %d, %v", len(list), total, err)
		}
		if list[0].ID != cs[2].ID || list[0].Title != "通知 2" || list[0].Status != model.CampaignCancelled || !list[0].Audience.All {
			t.Fatalf("newest first: %+v", list[0])
		}
		list, _, _ = db.ListCampaigns(ctx, model.CampaignFilter{Limit: 2, Offset: 2})
		if len(list) != 1 || list[0].ID != cs[0].ID || list[0].Total != 5 ||
			list[0].Counts[model.DeliveryQueued] != 3 || list[0].Counts[model.DeliverySkipped] != 2 {
			t.Fatalf("page 2: %+v", list)
		}
		if list, total, _ := db.ListCampaigns(ctx, model.CampaignFilter{Status: model.CampaignCancelled}); total != 1 || len(list) != 1 {
			t.Fatalf("by status: %d", total)
		}

		dls, total, err := db.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: cs[0].ID, Status: model.DeliverySkipped})
		if err != nil || total != 2 || len(dls) != 2 || dls[0].DeputyName != "代表01" || dls[0].Delegation != "济南市代表团" || dls[0].Reason != "未绑定微信" {
			t.Fatalf("skipped deliveries: %d %+v %v", total, dls, err)
		}
		var seen []int64
		var after int64
		for {
			page, _, err := db.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: cs[0].ID, Limit: 2, AfterID: after})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, d := range page {
				seen = append(seen, d.DeputyID)
			}
			after = page[len(page)-1].ID
		}
		if !slices.Equal(seen, ids) {
			t.Fatalf("paging by id saw %v, want %v", seen, ids)
		}
	})
}

func TestAnAudienceIsReadInPagesOfDeputiesInOffice(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := consoleDeputies(t, db, 5)
		if err := db.TerminateDeputy(ctx, ids[2], time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "辞职"); err != nil {
			t.Fatal(err)
		}
		var got []int64
		var after int64
		for {
			page, err := db.AudienceIDs(ctx, model.Audience{Delegations: []string{"济南市代表团"}}, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1]
		}
		want := []int64{ids[0], ids[1], ids[3], ids[4]}
		if !slices.Equal(got, want) {
			t.Fatalf("audience %v, want %v", got, want)
		}
		if _, err := db.AudienceIDs(ctx, model.Audience{}, 0, 10); err == nil {
			t.Fatal("an empty audience was accepted")
		}
		exist, err := db.ExistingDeputyIDs(ctx, []int64{ids[0], 99999})
		if err != nil || !exist[ids[0]] || exist[99999] {
			t.Fatalf("existing %v %v", exist, err)
		}
	})
}

func TestMeetingsListRSVPTablesAndAttendance(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := consoleDeputies(t, db, 4)
		start := time.Date(2026, 5, 10, 1, 0, 0, 0, time.UTC)
		var ms []model.Meeting
		for i := range 2 {
			m := model.Meeting{Kind: "research", Title: fmt.Sprintf("调研 %d", i), StartsAt: start.Add(time.Duration(i) * 24 * time.Hour),
				RSVPDeadline: start.Add(-time.Hour)}
			if err := db.CreateMeeting(ctx, &m); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		if n, err := db.Invite(ctx, ms[0].ID, ids); err != nil || n != 4 {
			t.Fatalf("invite: %d %v", n, err)
		}
		if err := db.AnswerInvitation(ctx, ms[0].ID, ids[0], model.RSVPAttend, "", "chat"); err != nil {
			t.Fatal(err)
		}
		if err := db.AnswerInvitation(ctx, ms[0].ID, ids[1], model.RSVPLeave, "出差", "h5"); err != nil {
			t.Fatal(err)
		}

		list, total, err := db.ListMeetings(ctx, model.MeetingFilter{})
		if err != nil || total != 2 || list[0].ID != ms[1].ID || list[1].Invited != 4 ||
			list[1].Counts[model.RSVPAttend] != 1 || list[1].Counts[model.RSVPLeave] != 1 || list[1].Counts[model.RSVPPending] != 2 {
			t.Fatalf("meetings %+v %d %v", list, total, err)
		}

		rows, total, err := db.ListInvitations(ctx, model.InvitationFilter{MeetingID: ms[0].ID})
		if err != nil || total != 4 || rows[1].DeputyName != "代表01" || rows[1].Reason != "出差" || rows[1].Channel != "h5" || !rows[1].AnsweredAt.Valid {
			t.Fatalf("rsvp table %+v %v", rows, err)
		}
		if rows, total, _ := db.ListInvitations(ctx, model.InvitationFilter{MeetingID: ms[0].ID, Status: model.RSVPPending, Limit: 1}); total != 2 || len(rows) != 1 {
			t.Fatalf("pending page: %d %d", total, len(rows))
		}
		pending, err := db.PendingInvitees(ctx, ms[0].ID, 0, 10)
		if err != nil || !slices.Equal(pending, ids[2:]) {
			t.Fatalf("pending %v %v", pending, err)
		}

		missing, err := db.SetAttendance(ctx, ms[0].ID, []int64{ids[0]}, []int64{ids[1], 99999})
		if err != nil || !slices.Equal(missing, []int64{99999}) {
			t.Fatalf("an uninvited deputy: %v %v", missing, err)
		}
		if inv, _ := db.GetInvitation(ctx, ms[0].ID, ids[0]); inv.Attended.Valid {
			t.Fatal("attendance was written although one deputy was not invited")
		}
		if missing, err := db.SetAttendance(ctx, ms[0].ID, []int64{ids[0]}, []int64{ids[1]}); err != nil || len(missing) != 0 {
			t.Fatalf("attendance: %v %v", missing, err)
		}
		a, _ := db.GetInvitation(ctx, ms[0].ID, ids[0])
		b, _ := db.GetInvitation(ctx, ms[0].ID, ids[1])
		if !a.Attended.Valid || !a.Attended.Bool || !b.Attended.Valid || b.Attended.Bool {
			t.Fatalf("attended %+v %+v", a.Attended, b.Attended)
		}
		if list, _, _ := db.ListMeetings(ctx, model.MeetingFilter{Kind: "research"}); list[1].Attended != 1 {
			t.Fatalf("attended count %d", list[1].Attended)
		}
	})
}

// An expansion in several batches writes one delivery per deputy of the
// audience, as skipReason decides, and leaves an announced survey's ask
// with the reachable deputies only; expanding again reopens no answered ask.
func TestAnExpansionInBatchesWritesDeliveriesAndAsks(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var reachable []int64
		for i := range 11 {
			d := model.Deputy{Name: fmt.Sprintf("扩展%02d", i), Delegation: "济南市代表团", Level: model.LevelProvincial,
				Phone: fmt.Sprintf("1370000%04d", i)}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			openid := fmt.Sprintf("o-expand-%d", i)
			switch i % 4 {
			case 0: // not bound
				continue
			case 1: // bound, then unfollowed
				if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
					t.Fatal(err)
				}
				if err := db.RecordFollow(ctx, openid, false); err != nil {
					t.Fatal(err)
				}
				continue
			case 2: // bound, term ended
				if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SQL().ExecContext(ctx, `UPDATE deputies SET status = ? WHERE id = ?`, model.StatusEnded, d.ID); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
				t.Fatal(err)
			}
			reachable = append(reachable, d.ID)
		}
		n := model.Notice{Kind: "general_notice", Title: "问卷：代表履职情况", Body: "正文", Fields: map[string]string{}}
		c := model.Campaign{Audience: model.Audience{All: true}}
		if err := db.CreateCampaign(ctx, &n, &c); err != nil {
			t.Fatal(err)
		}
		ask := model.Ask{Flow: "survey", RefID: 4242, Title: n.Title}
		expand := func() {
			after := int64(0)
			for {
				last, k, err := db.ExpandBatch(ctx, c, fmt.Sprintf("c%d", c.ID), false, after, 3, ask)
				if err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					return
				}
				if k > 3 || last <= after {
					t.Fatalf("a batch of %d after %d ended at %d", k, after, last)
				}
				after = last
			}
		}
		expand()
		counts, err := db.CampaignCounts(ctx, c.ID)
		if err != nil || counts[model.DeliveryQueued] != len(reachable) || counts[model.DeliverySkipped] != 11-len(reachable) {
			t.Fatalf("counts %v (%v), want %d queued and %d skipped", counts, err, len(reachable), 11-len(reachable))
		}
		dls, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID, Status: model.DeliverySkipped})
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]int{}
		for _, d := range dls {
			reasons[d.Reason]++
		}
		if reasons["未绑定微信"] != 3 || reasons["已取消关注"] != 3 || reasons["代表资格已终止"] != 3 {
			t.Fatalf("skip reasons %v", reasons)
		}
		var asks int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM pending_asks WHERE ref_id = 4242`).Scan(&asks); err != nil || asks != len(reachable) {
			t.Fatalf("%d asks (%v), want one per reachable deputy (%d)", asks, err, len(reachable))
		}
		if err := db.CloseAsk(ctx, reachable[0], "survey", 4242); err != nil {
			t.Fatal(err)
		}
		expand()
		if open, err := db.OpenAsks(ctx, reachable[0]); err != nil || len(open) != 0 {
			t.Fatalf("expanding again reopened an answered ask: %+v %v", open, err)
		}
		if counts2, _ := db.CampaignCounts(ctx, c.ID); counts2[model.DeliveryQueued] != len(reachable) {
			t.Fatalf("expanding again changed the deliveries: %v", counts2)
		}
	})
}

// The pace of a campaign (its sends since a moment, its first send) is
// what the queries it replaced gave: a count filtered on sent_at IS NOT
// NULL and the first of the sends ordered by sent_at, with since in
// nanoseconds (a send at the very microsecond of since counts, on MySQL
// whose DATETIME(6) drops what is finer, as before).
func TestACampaignsPaceIsWhatTheFormerQueriesGave(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		consoleDeputies(t, db, 8)
		var cs []model.Campaign
		for i := range 3 {
			n := model.Notice{Kind: "general_notice", Title: fmt.Sprintf("进度 %d", i)}
			c := model.Campaign{Audience: model.Audience{All: true}}
			if err := db.CreateCampaign(ctx, &n, &c); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.ExpandBatch(ctx, c, fmt.Sprintf("c%d", c.ID), false, 0, 1000); err != nil {
				t.Fatal(err)
			}
			cs = append(cs, c)
		}
		t0 := time.Date(2026, 3, 10, 8, 0, 0, 123456000, time.UTC)
		// The first campaign: sends a second apart, two never sent; the
		// second: one send, before the first's; the third: none.
		set := func(c model.Campaign, k int, at time.Time) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, `UPDATE deliveries SET sent_at = ?, status = ? WHERE id = (SELECT id FROM
				(SELECT id FROM deliveries WHERE campaign_id = ? ORDER BY id LIMIT 1 OFFSET ?) one)`, at, model.DeliverySent, c.ID, k); err != nil {
				t.Fatal(err)
			}
		}
		for k := range 6 {
			set(cs[0], 5-k, t0.Add(time.Duration(k)*time.Second))
		}
		set(cs[1], 3, t0.Add(-time.Hour))
		for _, c := range cs {
			for _, since := range []time.Time{t0.Add(-2 * time.Hour), t0, t0.Add(2500 * time.Millisecond),
				t0.Add(3*time.Second + 789*time.Nanosecond), t0.Add(3*time.Second - 211*time.Nanosecond), t0.Add(5 * time.Second), t0.Add(time.Minute)} {
				recent, first, err := db.CampaignPace(ctx, c.ID, since)
				if err != nil {
					t.Fatal(err)
				}
				var wantRecent int
				var wantFirst sql.NullTime
				if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries
					WHERE campaign_id = ? AND sent_at IS NOT NULL AND sent_at >= ?`, c.ID, since.UTC()).Scan(&wantRecent); err != nil {
					t.Fatal(err)
				}
				err = db.SQL().QueryRowContext(ctx, `SELECT sent_at FROM deliveries
					WHERE campaign_id = ? AND sent_at IS NOT NULL ORDER BY sent_at LIMIT 1`, c.ID).Scan(&wantFirst)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					t.Fatal(err)
				}
				if recent != wantRecent || first.Valid != wantFirst.Valid || !first.Time.Equal(wantFirst.Time) {
					t.Fatalf("campaign %d since %s: %d, %v; the former queries gave %d, %v", c.ID, since, recent, first, wantRecent, wantFirst)
				}
			}
		}
		if recent, first, _ := db.CampaignPace(ctx, cs[0].ID, t0.Add(2500*time.Millisecond)); recent != 3 || !first.Time.Equal(t0) {
			t.Fatalf("pace %d since 2.5 s, first %v", recent, first)
		}
	})
}

// A campaign's delivery pages, by status or not, by offset or after an id,
// hold the rows a plain query over the deliveries picks, in its order:
// how ListCampaignDeliveries reaches the page (an index it is told to
// read) changes no page.
func TestCampaignDeliveryPagesAreThoseOfAPlainQuery(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		consoleDeputies(t, db, 12)
		var cs []model.Campaign
		for i := range 2 {
			n := model.Notice{Kind: "general_notice", Title: fmt.Sprintf("分页 %d", i)}
			c := model.Campaign{Audience: model.Audience{All: true}}
			if err := db.CreateCampaign(ctx, &n, &c); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.ExpandBatch(ctx, c, fmt.Sprintf("c%d", c.ID), false, 0, 1000); err != nil {
				t.Fatal(err)
			}
			cs = append(cs, c)
		}
		// Statuses interleaved by id, as sending leaves them.
		states := []string{model.DeliverySent, model.DeliveryDelivered, model.DeliverySent, model.DeliveryFailed, model.DeliveryRead, model.DeliverySent}
		var ids []int64
		rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM deliveries WHERE status = ? ORDER BY id`, model.DeliveryQueued)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		for i, id := range ids {
			if _, err := db.SQL().ExecContext(ctx, `UPDATE deliveries SET status = ? WHERE id = ?`, states[i%len(states)], id); err != nil {
				t.Fatal(err)
			}
		}
		// Written past storage: the kept counts are recounted.
		if _, err := db.RecountCampaigns(ctx); err != nil {
			t.Fatal(err)
		}
		plain := func(c int64, status string, after int64, limit, offset int) []int64 {
			t.Helper()
			q, args := `SELECT id FROM deliveries WHERE campaign_id = ? AND id > ?`, []any{c, after}
			if status != "" {
				q, args = q+` AND status = ?`, append(args, status)
			}
			var out []int64
			rows, err := db.SQL().QueryContext(ctx, q+fmt.Sprintf(` ORDER BY id LIMIT %d OFFSET %d`, limit, offset), args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				out = append(out, id)
			}
			return out
		}
		pages := 0
		for _, c := range cs {
			for _, status := range append([]string{""}, model.DeliveryStates...) {
				for _, limit := range []int{1, 2, 5} {
					for offset := range 7 {
						for _, counted := range []bool{false, true} {
							got, total, err := db.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: c.ID, Status: status,
								Limit: limit, Offset: offset, Counted: counted})
							if err != nil {
								t.Fatal(err)
							}
							if all := len(plain(c.ID, status, 0, 1000, 0)); !counted && total != all {
								t.Fatalf("campaign %d %q: total %d, want %d", c.ID, status, total, all)
							}
							var gotIDs []int64
							for _, d := range got {
								gotIDs = append(gotIDs, d.ID)
							}
							if want := plain(c.ID, status, 0, limit, offset); !slices.Equal(gotIDs, want) {
								t.Fatalf("campaign %d %q limit %d offset %d: %v, want %v", c.ID, status, limit, offset, gotIDs, want)
							}
							pages++
						}
					}
					for _, after := range append([]int64{0}, ids...) {
						got, _, err := db.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: c.ID, Status: status,
							Limit: limit, AfterID: after})
						if err != nil {
							t.Fatal(err)
						}
						var gotIDs []int64
						for _, d := range got {
							gotIDs = append(gotIDs, d.ID)
						}
						if want := plain(c.ID, status, after, limit, 0); !slices.Equal(gotIDs, want) {
							t.Fatalf("campaign %d %q limit %d after %d: %v, want %v", c.ID, status, limit, after, gotIDs, want)
						}
					}
				}
			}
		}
		if pages == 0 {
			t.Fatal("no page compared")
		}
	})
}
