package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestCampaignsAreComposedTestedAndReadThroughOneDoor covers the actions
// the console, the API and the command line share: a refused notice
// writes nothing, a created one writes its campaign and one audit entry,
// a test goes to one deputy, and the reads see what was written.
func TestCampaignsAreComposedTestedAndReadThroughOneDoor(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		svc := New(db, Options{Now: func() time.Time { return now }})
		zhang, _, err := svc.Staff.Create(ctx, NewAccount{Username: "zhang", Name: "张明", Role: model.RoleStaff, Password: "Campaign-Pass-2026"})
		if err != nil {
			t.Fatal(err)
		}
		staff := StaffActor(zhang, ViaConsole)
		reader := StaffActor(model.Account{ID: zhang.ID + 1, Username: "ro", Name: "只读员", Role: model.RoleReadonly}, ViaAPI)
		wang := accessDeputy(t, db, "王芳", "13800131234", "o-wang")
		accessDeputy(t, db, "李强", "13800135678", "")
		jinan := model.Audience{Delegations: []string{"济南市代表团"}}

		bad := CampaignInput{Kind: "gossip", Title: " ", Link: "javascript:alert(1)", Scheduled: true, SendAt: "明天",
			Audience: model.Audience{DeputyIDs: []int64{9999}}}
		_, err = svc.Campaigns.Create(ctx, staff, bad)
		verr, ok := Fields(err)
		keys := map[string]bool{}
		for _, e := range verr {
			keys[e.Key] = true
		}
		if !ok || !keys["kind"] || !keys["title"] || !keys["link"] || !keys["send_at"] || !keys["deputy_ids"] {
			t.Fatalf("a bad notice: %v", err)
		}
		if _, err := svc.Campaigns.Create(ctx, reader, CampaignInput{Kind: model.KindGeneral, Title: "通知", Audience: jinan}); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("a read-only account created a campaign: %v", err)
		}
		past := CampaignInput{Kind: model.KindGeneral, Title: "通知", Audience: jinan, SendAt: "2026-03-01 09:00"}
		if _, err := svc.Campaigns.Create(ctx, staff, past); err == nil || !strings.Contains(err.Error(), "应晚于现在") {
			t.Fatalf("a time in the past: %v", err)
		}
		if cs, total, _ := svc.Campaigns.List(ctx, reader, model.CampaignFilter{}); total != 0 || len(cs) != 0 || len(auditOf(t, db, "campaign.create")) != 0 {
			t.Fatalf("refused input wrote %d campaigns", total)
		}

		p, err := svc.Campaigns.Preview(ctx, staff, CampaignInput{Kind: model.KindGeneral, Title: "关于召开省人大常委会第二十次会议征求代表意见的通知", Audience: jinan})
		if err != nil || p.Count == nil || p.Count.Total != 2 || p.Count.Reachable != 1 || p.Phone.Warnings != 1 || p.Phone.Known {
			t.Fatalf("preview: %+v %v", p, err)
		}

		c, err := svc.Campaigns.Create(ctx, staff, CampaignInput{Kind: model.KindGeneral, Title: "视察安排", Body: "全文",
			Fields: map[string]string{"note": "请准时参加"}, Audience: jinan, SendAt: "2026-03-05 09:00"})
		if err != nil || c.Status != model.CampaignScheduled || c.Notice.CreatedBy != "zhang" || c.Notice.Fields["time"] != "2026年3月5日 09:00" {
			t.Fatalf("create: %+v %v", c, err)
		}
		if es := auditOf(t, db, "campaign.create"); len(es) != 1 || !strings.Contains(es[0].Summary, "定时于 2026-03-05 09:00 发送") || es[0].StaffName != "张明" {
			t.Fatalf("create audit: %+v", es)
		}
		got, err := svc.Campaigns.Get(ctx, reader, c.ID)
		if err != nil || got.Notice.Title != "视察安排" || got.Test() || AudienceText(got.Audience) != "代表团：济南市代表团" {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := svc.Campaigns.Get(ctx, reader, c.ID+100); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("get no campaign: %v", err)
		}

		note := CampaignInput{Kind: model.KindGeneral, Title: "换届安排", Audience: model.Audience{All: true}}
		for _, tc := range []struct {
			name string
			to   TestRecipient
			want string
		}{
			{"no one", TestRecipient{}, "请填写接收测试的代表编号或姓名"},
			{"an unknown id", TestRecipient{DeputyID: 9999}, "没有这些编号的代表：9999"},
			{"an unknown name", TestRecipient{Deputy: "张三"}, "没有名为“张三”的代表"},
			{"a deputy with no WeChat", TestRecipient{Deputy: "李强"}, "李强 尚未绑定微信，收不到测试通知"},
			{"oneself with no WeChat", TestRecipient{Me: true}, "您的账号尚未绑定微信"},
		} {
			if _, err := svc.Campaigns.Test(ctx, staff, note, tc.to); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("a test to %s: %v", tc.name, err)
			}
		}
		if es := auditOf(t, db, "campaign.test"); len(es) != 0 {
			t.Fatalf("refused tests were audited: %+v", es)
		}
		tc, err := svc.Campaigns.Test(ctx, staff, note, TestRecipient{Deputy: "王芳"})
		if err != nil || !tc.Test() || tc.Notice.Title != TestTitle+"换届安排" || len(tc.Audience.DeputyIDs) != 1 || tc.Audience.DeputyIDs[0] != wang.ID ||
			!tc.Notice.Urgent || tc.To != "王芳" {
			t.Fatalf("test: %+v %v", tc, err)
		}
		if es := auditOf(t, db, "campaign.test"); len(es) != 1 || !strings.Contains(es[0].Summary, "王芳") {
			t.Fatalf("test audit: %+v", es)
		}
		// The staff member binds their own WeChat; a test then goes there.
		if err := db.BindStaffWeChat(ctx, staff.Account.ID, "o-zhang"); err != nil {
			t.Fatal(err)
		}
		me, err := svc.Campaigns.Test(ctx, staff, note, TestRecipient{Me: true})
		if err != nil || me.ID != 0 || me.To != "本人（张明）" {
			t.Fatalf("a test to oneself: %+v %v", me, err)
		}
		if es := auditOf(t, db, "campaign.test"); len(es) != 2 || !strings.Contains(es[1].Summary, "发给本人微信") {
			t.Fatalf("test audit: %+v", es)
		}
		if _, err := svc.Campaigns.Create(ctx, staff, CampaignInput{Kind: model.KindGeneral, Title: TestTitle + "通知", Audience: jinan}); err == nil {
			t.Fatal("a campaign was titled as a test")
		}
		if cs, total, _ := svc.Campaigns.List(ctx, reader, model.CampaignFilter{}); total != 1 || cs[0].ID != c.ID {
			t.Fatalf("the list holds %d campaigns, want the one that is no test", total)
		}
		if _, total, _ := svc.Campaigns.List(ctx, reader, model.CampaignFilter{Tests: true}); total != 1 {
			t.Fatalf("the tests list holds %d", total)
		}
		if ok, err := db.ClaimCampaign(ctx, tc.ID); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if _, _, err := db.ExpandBatch(ctx, tc.Campaign, "t", true, 0, 10); err != nil {
			t.Fatal(err)
		}
		if counts, err := db.CountDeliveriesSince(ctx, now.Add(-time.Hour)); err != nil || len(counts) != 0 {
			t.Fatalf("the day's counts hold test sends: %v %v", counts, err)
		}

		f, err := svc.Campaigns.ExportList(ctx, staff, model.CampaignFilter{})
		if err != nil || !strings.HasPrefix(string(f.Data), "PK") || !strings.HasPrefix(f.Name, "通知推送-") {
			t.Fatalf("export list: %q %v", f.Name, err)
		}
		if _, err := svc.Campaigns.ExportDeliveries(ctx, reader, c.ID, ""); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("a read-only account exported: %v", err)
		}
		if f, err = svc.Campaigns.ExportDeliveries(ctx, staff, c.ID, ""); err != nil || !strings.HasPrefix(f.Name, "推送明细-") {
			t.Fatalf("export deliveries: %q %v", f.Name, err)
		}
		if es := auditOf(t, db, "campaign.export"); len(es) != 2 {
			t.Fatalf("export audit: %+v", es)
		}
	})
}

// TestCampaignProgressCountsAndPacesTheSend follows a campaign while it
// sends: two of three accepted in the last seconds give the counts, the
// share done, a rate and the time the third will take; the list finds it
// by a word of its title and gives its rates.
func TestCampaignProgressCountsAndPacesTheSend(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		db.SetClock(clock)
		svc := New(db, Options{Now: clock})
		staff := StaffActor(model.Account{ID: 3, Username: "zhang", Name: "张明", Role: model.RoleStaff}, ViaConsole)
		for i, name := range []string{"王芳", "李强", "赵敏", "刘洋"} {
			openid := ""
			if i < 3 {
				openid = "o-" + itoa(int64(i))
			}
			accessDeputy(t, db, name, "1380013000"+itoa(int64(i)), openid)
			if openid != "" {
				if err := db.RecordFollow(ctx, openid, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		c, err := svc.Campaigns.Create(ctx, staff, CampaignInput{Kind: model.KindGeneral, Title: "三月集中视察安排", Audience: model.Audience{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Campaigns.Progress(ctx, staff, c.ID)
		if err != nil || !p.Moving || p.Total != 0 || p.RateText != "—" {
			t.Fatalf("before expansion: %+v %v", p, err)
		}
		if ok, err := db.ClaimCampaign(ctx, c.ID); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if _, _, err := db.ExpandBatch(ctx, c.Campaign, "c", false, 0, 100); err != nil {
			t.Fatal(err)
		}
		ds, err := db.ClaimDue(ctx, "test", now, 10, time.Minute, false)
		if err != nil || len(ds) != 3 {
			t.Fatalf("claimed %d: %v", len(ds), err)
		}
		now = now.Add(2 * time.Second)
		outs := []model.Outcome{{ID: ds[0].ID, Status: model.DeliverySent, MsgID: 1, Attempted: true},
			{ID: ds[1].ID, Status: model.DeliverySent, MsgID: 2, Attempted: true}}
		if err := db.FinishDeliveries(ctx, "2026-03-02", outs); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Second)
		p, err = svc.Campaigns.Progress(ctx, staff, c.ID)
		if err != nil || p.Total != 4 || p.Sent != 2 || p.Skipped != 1 || p.Queued != 1 || p.Done != 3 || p.Percent != 75 ||
			p.Rate != 1 || p.RateText != "1 条/秒" || p.RemainingText != "约 1 秒" || p.StatusLabel != "发送中" {
			t.Fatalf("while sending: %+v %v", p, err)
		}
		cs, total, err := svc.Campaigns.List(ctx, staff, model.CampaignFilter{Title: "集中视察"})
		if err != nil || total != 1 || len(cs) != 1 {
			t.Fatalf("search: %d %v", total, err)
		}
		if delivered, read, ok := DeliveryRates(cs[0].Counts); !ok || delivered != 0 || read != 0 {
			t.Fatalf("rates: %v %v %v", delivered, read, ok)
		}
		if _, total, _ := svc.Campaigns.List(ctx, staff, model.CampaignFilter{Title: "100%"}); total != 0 {
			t.Fatalf("a search for 100%% found %d", total)
		}
		storagetest.CampaignCountsRight(t, db)
	})
}
