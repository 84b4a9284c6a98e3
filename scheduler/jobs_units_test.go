package scheduler_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/scheduler"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/testkit"
	"deputybot/wechatsim"
)

// TestHandlingUnitsAreTold walks a handling unit's account through the
// fake WeChat: it issues itself a code, its staff member binds with it in
// the chat, and is then told, through the outbox, of a suggestion staff
// assign to the unit, of its deadline 7 days ahead and once past (the
// daily job, run twice each time, tells once), of its re-handling after a
// reply, and receives the unit's own weekly 督办 digest, as bound
// committee staff receive every unit's. A unit with no bound staff is
// told nothing and counted.
func TestHandlingUnitsAreTold(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cst := time.FixedZone("CST", 8*60*60)
		clk := testkit.NewClockAt(time.Date(2026, 6, 1, 9, 0, 0, 0, cst))
		db.SetClock(clk.Now)
		log := slog.New(slog.DiscardHandler)
		svc := core.New(db, core.Options{Now: clk.Now, Loc: cst})
		svc.Staff.HashCost = bcrypt.MinCost

		account := func(username, name, role, unit string) model.Account {
			a, _, err := svc.Staff.Create(ctx, core.NewAccount{Username: username, Name: name, Role: role, Unit: unit})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		admin := account("admin1", "刘洋", model.RoleAdmin, "")
		unit := account("jtt", "陈晨", model.RoleUnit, "省交通运输厅")
		account("slt", "赵磊", model.RoleUnit, "省水利厅") // never binds
		lead := model.Deputy{Name: "王芳", Level: model.LevelProvincial, Delegation: "济南市代表团"}
		if err := db.CreateDeputy(ctx, &lead); err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, lead.ID, "o-wangfang"); err != nil {
			t.Fatal(err)
		}

		sim := wechatsim.New(wechatsim.Config{AppID: "wxunits", AppSecret: "sec", Token: "tok", Mode: wechatsim.ModePlain})
		t.Cleanup(sim.Close)
		api := httptest.NewServer(sim.Handler())
		t.Cleanup(api.Close)
		sim.AddFollowers("o-chen", "o-liu", "o-wangfang")
		sim.SetJobFinishReports(false)
		client, err := bot.NewClient(bot.ClientConfig{AppID: "wxunits", AppSecret: "sec", APIBase: api.URL, Timeout: 5 * time.Second}, db)
		if err != nil {
			t.Fatal(err)
		}
		router := bot.NewRouter(svc, db, templates.Default(), log, 0)
		gw := &bot.Gateway{Wire: bot.Wire{Token: "tok", AppID: "wxunits"}, Inbox: db, Sender: client, Log: log, Handler: router}
		cb := httptest.NewServer(wechat.Handler(gw, log))
		t.Cleanup(cb.Close)
		sim.SetCallbackURL(cb.URL)

		// The unit's account issues itself a code (its WeChat page) and its
		// staff member sends 绑定, the unit's name and the code.
		code, _, err := svc.Staff.IssueWeChatCodeAs(ctx, core.StaffActor(unit, core.ViaConsole), unit.ID)
		if err != nil {
			t.Fatal(err)
		}
		say := func(openid, text string) string {
			t.Helper()
			r, err := sim.User(openid).SendText(ctx, text)
			if err != nil || r.Msg == nil {
				t.Fatalf("%s: %+v %v", text, r, err)
			}
			return r.Msg.Text
		}
		say("o-chen", "绑定")
		say("o-chen", "省交通运输厅")
		if got := say("o-chen", code); !strings.Contains(got, "绑定成功") || !strings.Contains(got, "交办给省交通运输厅的建议") {
			t.Fatalf("bind: %s", got)
		}
		if w, err := svc.Staff.WeChatAs(ctx, core.StaffActor(unit, core.ViaConsole), unit.ID); err != nil || w.OpenID != "o-chen" {
			t.Fatalf("bound %+v %v", w, err)
		}
		if got := say("o-chen", "绑定"); !strings.Contains(got, "无需重复绑定") {
			t.Fatalf("bind again: %s", got)
		}
		// The committee's staff member binds too (the same way; here directly).
		if err := db.BindStaffWeChat(ctx, admin.ID, "o-liu"); err != nil {
			t.Fatal(err)
		}

		// Pushes go three days later, when no chat window is open: as templates.
		clk.Advance(72 * time.Hour)
		out := notify.New(db, notify.Config{Loc: cst, PublicURL: "https://deputy.example", Templates: map[string]notify.Template{
			model.KindUnitTask:      {ID: "TPL_UNIT", Fields: map[string]string{"thing1": "title", "character_string2": "number", "phrase3": "status", "time4": "deadline"}},
			model.KindProgress:      {ID: "TPL_PROGRESS", Fields: map[string]string{"thing1": "title"}},
			model.KindRatingRequest: {ID: "TPL_RATE", Fields: map[string]string{"thing1": "title"}}}}, log)
		out.SetClock(clk.Now)
		signer, err := notify.NewSigner(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		disp, err := notify.NewDispatcher(out, bot.NotifySender{Client: client}, signer)
		if err != nil {
			t.Fatal(err)
		}
		pushes := func(openid string) []wechatsim.Message {
			t.Helper()
			if _, err := disp.DispatchOnce(ctx); err != nil {
				t.Fatal(err)
			}
			var ms []wechatsim.Message
			for _, m := range sim.Messages(openid) {
				if m.Kind == wechatsim.KindTemplate || m.Kind == wechatsim.KindCustom {
					ms = append(ms, m)
				}
			}
			return ms
		}

		// Staff assign a suggestion to 省交通运输厅 (主办) and 省水利厅 (协办).
		deadline := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
		sg := model.Suggestion{Number: "第0101号", Title: "关于增加农村公交班次的建议", HostUnit: "省交通运输厅", CoUnits: "省水利厅",
			LeadDeputyID: lead.ID, Deadline: &deadline}
		if err := svc.Suggestions.CreateAs(ctx, core.StaffActor(admin, core.ViaAPI), &sg, nil); err != nil {
			t.Fatal(err)
		}
		got := pushes("o-chen")
		if len(got) != 1 || got[0].Kind != wechatsim.KindTemplate || got[0].TemplateID != "TPL_UNIT" ||
			got[0].Fields["thing1"] != "新交办建议：第0101号" || got[0].Fields["phrase3"] != "已交办" ||
			got[0].Fields["time4"] != "2026年7月15日" || !strings.HasPrefix(got[0].URL, "https://deputy.example/h5/d/") {
			t.Fatalf("assignment: %+v", got)
		}
		if n := len(pushes("o-liu")); n != 0 {
			t.Fatalf("committee staff got %d pushes for an assignment", n)
		}

		job := func(name string) scheduler.Job {
			for _, j := range scheduler.SupervisionJobs(svc) {
				if j.Name == name {
					return j
				}
			}
			t.Fatalf("no job %s", name)
			return scheduler.Job{}
		}
		deadlines := job(core.UnitDeadlinesJob)
		run := func(want map[string]int) {
			t.Helper()
			r, err := deadlines.Run(ctx, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range want {
				if r.Counts[k] != v {
					t.Fatalf("%s: counts %v, want %s=%d", clk.Now().In(cst).Format(time.DateOnly), r.Counts, k, v)
				}
			}
		}
		// Nine days ahead: nothing yet. Seven days ahead: once, however often the job runs.
		clk.Set(time.Date(2026, 7, 6, 9, 0, 0, 0, cst))
		run(map[string]int{"临近提醒": 0, "逾期提醒": 0})
		clk.Set(time.Date(2026, 7, 8, 9, 0, 0, 0, cst))
		run(map[string]int{"临近提醒": 1})
		run(map[string]int{"临近提醒": 0})
		clk.Advance(24 * time.Hour)
		run(map[string]int{"临近提醒": 0})
		if got := pushes("o-chen"); len(got) != 2 || got[1].Fields["thing1"] != "建议办理期限临近：第0101号" {
			t.Fatalf("due soon: %+v", got)
		}
		// Past the deadline: once.
		clk.Set(time.Date(2026, 7, 16, 9, 0, 0, 0, cst))
		run(map[string]int{"逾期提醒": 1, "临近提醒": 0})
		run(map[string]int{"逾期提醒": 0})
		if got := pushes("o-chen"); len(got) != 3 || got[2].Fields["thing1"] != "建议已超过办理期限：第0101号" || got[2].Fields["phrase3"] != "已逾期" {
			t.Fatalf("overdue: %+v", got)
		}

		// In the chat, 待办 lists what is to be done: the unit its own, the
		// committee's staff every unit's; 帮助 says so.
		if got := say("o-chen", "待办"); !strings.Contains(got, "省交通运输厅待办建议 1 件") ||
			!strings.Contains(got, "1. 第0101号《关于增加农村公交班次的建议》已逾期 1 天（期限 7月15日）") {
			t.Fatalf("待办: %s", got)
		}
		if got := say("o-liu", "待办"); !strings.Contains(got, "各承办单位待办建议 1 件") || !strings.Contains(got, "· 省交通运输厅") {
			t.Fatalf("committee 待办: %s", got)
		}
		if got := say("o-chen", "帮助"); !strings.Contains(got, "您已绑定后台账号（省交通运输厅）") {
			t.Fatalf("帮助: %s", got)
		}

		// The unit replies; staff send it back (重新办理): told once.
		unitBy := core.StaffActor(unit, core.ViaConsole)
		if _, err := svc.Suggestions.RecordStepAs(ctx, unitBy, sg.ID, &model.SuggestionStep{Kind: model.StepReplied,
			Actor: "省交通运输厅", ReplyCategory: "A", Note: "已增加班次。"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Suggestions.RecordStepAs(ctx, core.StaffActor(admin, core.ViaConsole), sg.ID, &model.SuggestionStep{
			Kind: model.StepRehandling, Actor: "刘洋", Note: "班次仍不足"}); err != nil {
			t.Fatal(err)
		}
		if got := pushes("o-chen"); len(got) != 4 || got[3].Fields["thing1"] != "建议需重新办理：第0101号" {
			t.Fatalf("rehandling: %+v", got)
		}

		// The weekly digest: the unit's own counts to the unit, every unit's
		// to the committee's staff; once a week.
		digest := job(core.SupervisionDigestJob)
		r, err := digest.Run(ctx, clk.Now())
		if err != nil || r.Counts["周报推送"] != 2 {
			t.Fatalf("digest %v %v", r.Counts, err)
		}
		if r, err := digest.Run(ctx, clk.Now()); err != nil || r.Counts["周报推送"] != 0 {
			t.Fatalf("digest again %v %v", r.Counts, err)
		}
		got = pushes("o-chen")
		if len(got) != 5 || !strings.HasPrefix(got[4].Fields["thing1"], "督办周报（7月16日）：省交通运输厅") {
			t.Fatalf("unit digest: %+v", got)
		}
		body := noticeBody(t, db, got[4].URL)
		if !strings.Contains(body, "省交通运输厅本周建议办理情况：在办 1 件，已逾期 1 件") {
			t.Fatalf("unit digest body: %s", body)
		}
		staff := pushes("o-liu")
		if len(staff) != 1 || !strings.HasPrefix(staff[0].Fields["thing1"], "督办周报（7月16日）") {
			t.Fatalf("committee digest: %+v", staff)
		}
		if body := noticeBody(t, db, staff[0].URL); !strings.Contains(body, "全部承办单位本周建议办理情况") ||
			!strings.Contains(body, "省交通运输厅：已逾期 1 件") {
			t.Fatalf("committee digest body: %s", body)
		}
	})
}

// noticeBody returns the text of the notice a push's page shows.
func noticeBody(t *testing.T, db *storage.DB, url string) string {
	t.Helper()
	var body string
	id := strings.TrimPrefix(strings.SplitN(url, "?", 2)[0], "https://deputy.example/h5/d/")
	if err := db.SQL().QueryRow(`SELECT n.body FROM notices n JOIN deliveries d ON d.notice_id = n.id WHERE d.id = ?`, id).Scan(&body); err != nil {
		t.Fatal(err)
	}
	return body
}
