package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/scheduler"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/wechatsim"
)

// TestTheLiaisonDigestJobPushesEachBoundMemberOncePerWeek runs the job at
// an injected Monday 08:30 and sends through the outbox to the fake
// WeChat: the member who wrote lately gets a customer message, the other
// bound member the reminder template, the unbound one nothing; running
// the job again (a retry, a second instance) sends nothing more.
func TestTheLiaisonDigestJobPushesEachBoundMemberOncePerWeek(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cst := time.FixedZone("CST", 8*60*60)
		now := time.Date(2026, 6, 15, 8, 30, 0, 0, cst)
		db.SetClock(func() time.Time { return now })
		log := slog.New(slog.DiscardHandler)

		var ids []int64
		for i := 1; i <= 6; i++ {
			d := model.Deputy{Name: fmt.Sprintf("周报代表%d", i), Level: model.LevelProvincial, Delegation: "济南市代表团"}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		svc := core.NewLiaison(db)
		svc.SetClock(func() time.Time { return now })
		zhang, li, wang := model.CommitteeMember{Name: "张伟"}, model.CommitteeMember{Name: "李娜"}, model.CommitteeMember{Name: "王强"}
		for _, m := range []*model.CommitteeMember{&zhang, &li, &wang} {
			created, err := svc.CreateMemberAs(ctx, liaisonEditor, *m, 0)
			if err != nil {
				t.Fatal(err)
			}
			*m = created
			if _, _, err := svc.LinkAs(ctx, liaisonEditor, m.ID, ids[:5]); err != nil {
				t.Fatal(err)
			}
		}
		// 张委员 is 周报代表6, bound, and wrote to the account an hour ago.
		if err := db.BindDeputy(ctx, ids[5], "o-zhang"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetMemberDeputyAs(ctx, liaisonEditor, zhang.ID, ids[5]); err != nil {
			t.Fatal(err)
		}
		// 李委员 bound with a member code and has not written.
		if err := db.BindMember(ctx, li.ID, "o-li"); err != nil {
			t.Fatal(err)
		}

		sim := wechatsim.New(wechatsim.Config{AppID: "wxliaison", AppSecret: "sec", Token: "tok", Mode: wechatsim.ModePlain})
		t.Cleanup(sim.Close)
		api := httptest.NewServer(sim.Handler())
		t.Cleanup(api.Close)
		sim.AddFollowers("o-zhang", "o-li")
		// The test moves its clock by hand; a report posted in the background
		// would read it meanwhile, and this test is not about reports.
		sim.SetJobFinishReports(false)
		client, err := bot.NewClient(bot.ClientConfig{AppID: "wxliaison", AppSecret: "sec", APIBase: api.URL, Timeout: 5 * time.Second}, db)
		if err != nil {
			t.Fatal(err)
		}
		// 张委员 asks for his digest in the chat an hour before the job: the
		// 48-hour window is open for him.
		services := core.New(db, core.Options{Now: func() time.Time { return now }, Loc: cst})
		router := bot.NewRouter(services, db, templates.Default(), log, 0)
		gw := &bot.Gateway{Wire: bot.Wire{Token: "tok", AppID: "wxliaison"}, Inbox: db, Sender: client, Log: log, Handler: router}
		cb := httptest.NewServer(wechat.Handler(gw, log))
		t.Cleanup(cb.Close)
		sim.SetCallbackURL(cb.URL)
		now = now.Add(-time.Hour)
		reply, err := sim.User("o-zhang").SendText(ctx, "我的联系")
		if err != nil || reply.Msg == nil || !strings.Contains(reply.Msg.Text, "张伟委员，您联系的代表本周情况") ||
			!strings.Contains(reply.Msg.Text, "今年尚未联系：周报代表1") {
			t.Fatalf("我的联系: %+v %v", reply, err)
		}
		now = now.Add(time.Hour)
		out := notify.New(db, notify.Config{Loc: cst, PublicURL: "https://deputy.example", Templates: map[string]notify.Template{
			model.KindReminder: {ID: "TPL_REMIND", Fields: map[string]string{"thing1": "title", "time2": "time", "thing3": "note"}}}}, log)
		out.SetClock(func() time.Time { return now })
		signer, err := notify.NewSigner(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		disp, err := notify.NewDispatcher(out, bot.NotifySender{Client: client}, signer)
		if err != nil {
			t.Fatal(err)
		}

		jobs := scheduler.LiaisonJobs(services)
		if len(jobs) != 1 || jobs[0].Name != "liaison-digest" || jobs[0].Schedule != "30 8 * * 1" {
			t.Fatalf("jobs %+v", jobs)
		}
		r, err := jobs[0].Run(ctx, now)
		if err != nil || r.Counts["queued"] != 2 || r.Counts["console"] != 1 || r.Counts["already"] != 0 {
			t.Fatalf("first run %v %v", r.Counts, err)
		}
		if n, err := disp.DispatchOnce(ctx); err != nil || n != 2 {
			t.Fatalf("dispatch %d %v", n, err)
		}
		// The same week again, an hour later: nothing new.
		now = now.Add(time.Hour)
		if r, err := jobs[0].Run(ctx, now); err != nil || r.Counts["queued"] != 0 || r.Counts["already"] != 2 {
			t.Fatalf("re-run %v %v", r.Counts, err)
		}
		if n, err := disp.DispatchOnce(ctx); err != nil || n != 0 {
			t.Fatalf("second dispatch %d %v", n, err)
		}

		pushed := func(openid string) []wechatsim.Message {
			var ms []wechatsim.Message
			for _, m := range sim.Messages(openid) {
				if m.Kind == wechatsim.KindTemplate || m.Kind == wechatsim.KindCustom {
					ms = append(ms, m)
				}
			}
			return ms
		}
		z, l := pushed("o-zhang"), pushed("o-li")
		if len(z) != 1 || z[0].Kind != wechatsim.KindCustom || !strings.Contains(z[0].Text, "双联系周报（6月15日）") ||
			!strings.Contains(z[0].Text, "今年尚未联系 5 名") {
			t.Fatalf("zhang got %+v", z)
		}
		if len(l) != 1 || l[0].Kind != wechatsim.KindTemplate || l[0].TemplateID != "TPL_REMIND" || l[0].Fields["time2"] != "6月15日" ||
			l[0].Fields["thing3"] != "待回复0 未评价0 新意见0 新建议0" || !strings.HasPrefix(l[0].URL, "https://deputy.example/h5/d/") {
			t.Fatalf("li got %+v", l)
		}
		if len(sim.Messages("o-wang")) != 0 {
			t.Fatal("an unbound member got a push")
		}

		// Next Monday: one more each.
		now = now.AddDate(0, 0, 7)
		if r, err := jobs[0].Run(ctx, now); err != nil || r.Counts["queued"] != 2 {
			t.Fatalf("next week %v %v", r.Counts, err)
		}
	})
}

// liaisonEditor is the staff member who sets members up in the console.
var liaisonEditor = core.StaffActor(model.Account{ID: 1, Username: "liaison", Name: "联络处", Role: model.RoleStaff}, core.ViaConsole)
