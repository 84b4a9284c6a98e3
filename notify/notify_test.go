package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/wechatsim"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable clock shared by the outbox and the database.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type rig struct {
	db    *storage.DB
	sim   *wechatsim.Sim
	out   *notify.Outbox
	disp  *notify.Dispatcher
	clock *clock
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// newRig wires the outbox to a fake WeChat platform, and the platform's
// TEMPLATESENDJOBFINISH reports back to the real callback.
func newRig(t testing.TB, db *storage.DB, cfg notify.Config, clientTimeout time.Duration) *rig {
	t.Helper()
	ctx := context.Background()
	// 10:00 in Shanghai: outside quiet hours.
	clk := &clock{t: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)}
	db.SetClock(clk.Now)
	sim := wechatsim.New(wechatsim.Config{AppID: "wxnotify", AppSecret: "sec", Token: "tok", Mode: wechatsim.ModePlain})
	t.Cleanup(sim.Close)
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	client, err := bot.NewClient(bot.ClientConfig{AppID: "wxnotify", AppSecret: "sec", APIBase: api.URL, Timeout: clientTimeout}, db)
	if err != nil {
		t.Fatal(err)
	}
	gw := &bot.Gateway{Wire: bot.Wire{Token: "tok", AppID: "wxnotify"}, Inbox: db, Sender: client, Log: quiet,
		Handler: bot.NewRouter(core.New(db, core.Options{Loc: shanghai}), db, templates.Default(), quiet, 0)}
	cb := httptest.NewServer(wechat.Handler(gw, quiet))
	t.Cleanup(cb.Close)
	sim.SetCallbackURL(cb.URL)
	if cfg.Templates == nil {
		cfg.Templates = map[string]notify.Template{}
		for kind := range model.KindLabels {
			cfg.Templates[kind] = notify.Template{ID: "TPL_" + kind, Fields: map[string]string{"thing1": "title", "time2": "time"}}
		}
	}
	cfg.Loc, cfg.PublicURL = shanghai, "https://deputy.example"
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	out := notify.New(db, cfg, quiet)
	out.SetClock(clk.Now)
	signer, err := notify.NewSigner(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	disp, err := notify.NewDispatcher(out, bot.NotifySender{Client: client}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{db: db, sim: sim, out: out, disp: disp, clock: clk}
}

// population creates deputies: bound and following, unbound, unfollowed
// and terminated, and returns the bound ones' openids.
func (r *rig) population(t testing.TB, bound, unbound, unfollowed, ended int) []string {
	t.Helper()
	ctx := context.Background()
	var openids []string
	i := 0
	mk := func(kind string) model.Deputy {
		i++
		d := model.Deputy{Name: fmt.Sprintf("%s代表%d", kind, i), Delegation: "济南市代表团", Level: model.LevelProvincial,
			Phone: fmt.Sprintf("135%08d", i)}
		if err := r.db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	bind := func(d model.Deputy, openid string) {
		if err := r.db.BindDeputy(ctx, d.ID, openid); err != nil {
			t.Fatal(err)
		}
		if _, err := r.sim.User(openid).Follow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < bound; k++ {
		d := mk("绑定")
		openid := fmt.Sprintf("o-b%d", d.ID)
		bind(d, openid)
		openids = append(openids, openid)
	}
	for k := 0; k < unbound; k++ {
		mk("未绑定")
	}
	for k := 0; k < unfollowed; k++ {
		d := mk("取关")
		openid := fmt.Sprintf("o-u%d", d.ID)
		bind(d, openid)
		if _, err := r.sim.User(openid).Unfollow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < ended; k++ {
		d := mk("终止")
		bind(d, fmt.Sprintf("o-e%d", d.ID))
		if err := r.db.TerminateDeputy(ctx, d.ID, r.clock.Now(), "调离"); err != nil {
			t.Fatal(err)
		}
	}
	return openids
}

// drain dispatches until nothing is due, moving the clock past retry
// backoffs, and flushes the platform's reports.
func (r *rig) drain(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if _, err := r.out.ExpandDue(ctx); err != nil {
		t.Fatal(err)
	}
	for idle := 0; idle < 3; {
		n, err := r.disp.DispatchOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && !r.anyDue(t) {
			idle++
			r.clock.Add(2 * time.Hour)
			continue
		}
		idle = 0
	}
	if err := r.sim.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// anyDue reports whether a delivery is due: on MySQL a claim skips rows
// another transaction holds (a template report's UPDATE may lock them
// all in a table this small), so claiming none does not mean none is due.
func (r *rig) anyDue(t testing.TB) bool {
	t.Helper()
	ds, err := r.db.ListDeliveries(context.Background(), model.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		switch d.Status {
		case model.DeliveryQueued, model.DeliveryRetry, model.DeliverySending:
			if !d.NextAt.After(r.clock.Now()) {
				return true
			}
		}
	}
	return false
}

func templatesTo(sim *wechatsim.Sim, openid string) int {
	n := 0
	for _, m := range sim.Messages(openid) {
		if m.Kind == wechatsim.KindTemplate || m.Kind == wechatsim.KindCustom {
			n++
		}
	}
	return n
}

func general(title string) *model.Notice {
	return &model.Notice{Kind: model.KindGeneral, Title: title, Body: "正文", Fields: map[string]string{"time": "2026年12月1日 09:00"}}
}

func TestACampaignReachesEveryReachableDeputyExactlyOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 5*time.Second)
		ctx := context.Background()
		openids := r.population(t, 40, 8, 6, 6)
		c, err := r.out.CreateCampaign(ctx, general("关于召开代表培训班的通知"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.drain(t)
		// Expanding again changes nothing.
		got, _ := db.GetCampaign(ctx, c.ID)
		if _, err := r.out.Expand(ctx, got); err != nil {
			t.Fatal(err)
		}
		for _, o := range openids {
			if n := templatesTo(r.sim, o); n != 1 {
				t.Fatalf("%s received %d messages, want 1", o, n)
			}
		}
		counts, err := db.CampaignCounts(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range counts {
			total += n
		}
		if counts[model.DeliveryDelivered] != 40 || counts[model.DeliverySkipped] != 20 || total != 60 {
			t.Fatalf("counts %v", counts)
		}
		got, _ = db.GetCampaign(ctx, c.ID)
		if got.Status != model.CampaignDone {
			t.Fatalf("campaign status %s", got.Status)
		}
		reasons := map[string]int{}
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID, Status: model.DeliverySkipped})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			reasons[d.Reason]++
		}
		if reasons["未绑定微信"] != 8 || reasons["已取消关注"] != 6 || reasons["代表资格已终止"] != 6 {
			t.Fatalf("skip reasons %v", reasons)
		}
		storagetest.CampaignCountsRight(t, db)
	})
}

func TestFaultsEndEveryDeliveryWithoutDuplicates(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 300*time.Millisecond)
		ctx := context.Background()
		openids := r.population(t, 60, 0, 0, 0)
		path := "/cgi-bin/message/template/send"
		r.sim.AddFault(wechatsim.Fault{Path: path, ErrCode: -1, Rate: 0.1})
		r.sim.AddFault(wechatsim.Fault{Path: path, ErrCode: 45009, Count: 8})
		r.sim.AddFault(wechatsim.Fault{Path: path, TimeoutAfterRead: true, Count: 4})
		c, err := r.out.CreateCampaign(ctx, general("故障测试"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.drain(t)
		ds, err := db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			switch d.Status {
			case model.DeliverySent, model.DeliveryDelivered:
			case model.DeliveryFailed:
				if d.Reason == "" {
					t.Fatalf("delivery %d failed without a reason", d.ID)
				}
			default:
				t.Fatalf("delivery %d ended %s (%s)", d.ID, d.Status, d.Reason)
			}
		}
		for _, o := range openids {
			if n := templatesTo(r.sim, o); n > 1 {
				t.Fatalf("%s received %d messages", o, n)
			}
		}
		storagetest.CampaignCountsRight(t, db)
	})
}

func TestQuietHoursHoldNormalNoticesButNotUrgentOnes(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, notify.Config{QuietHours: "22:00-07:30"}, 5*time.Second)
	ctx := context.Background()
	openids := r.population(t, 3, 0, 0, 0)
	r.clock.Set(time.Date(2026, 11, 26, 23, 0, 0, 0, shanghai))
	if _, err := r.out.CreateCampaign(ctx, general("普通通知"), model.Audience{All: true}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	urgent := general("紧急通知")
	urgent.Urgent = true
	if _, err := r.out.CreateCampaign(ctx, urgent, model.Audience{All: true}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.out.ExpandDue(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := r.disp.DispatchOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if n := templatesTo(r.sim, openids[0]); n != 1 {
		t.Fatalf("at 23:00 %d messages went out, want only the urgent one", n)
	}
	r.clock.Set(time.Date(2026, 11, 27, 7, 29, 0, 0, shanghai))
	if n, _ := r.disp.DispatchOnce(ctx); n != 0 {
		t.Fatalf("at 07:29 %d deliveries were claimed", n)
	}
	r.clock.Set(time.Date(2026, 11, 27, 7, 30, 0, 0, shanghai))
	if n, _ := r.disp.DispatchOnce(ctx); n != 3 {
		t.Fatalf("at 07:30 %d deliveries were claimed, want 3", n)
	}
}

func TestTheDailyQuotaStopsSendingUntilTomorrow(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, notify.Config{DailyQuota: 5}, 5*time.Second)
	ctx := context.Background()
	r.population(t, 8, 0, 0, 0)
	c, err := r.out.CreateCampaign(ctx, general("配额测试"), model.Audience{All: true}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.out.ExpandDue(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := r.disp.DispatchOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.sim.TemplateSends(); got != 5 {
		t.Fatalf("%d template sends today, quota 5", got)
	}
	r.clock.Add(24 * time.Hour)
	r.drain(t)
	if got := r.sim.TemplateSends(); got != 8 {
		t.Fatalf("%d template sends after the next day, want 8", got)
	}
	counts, _ := db.CampaignCounts(ctx, c.ID)
	if counts[model.DeliveryDelivered] != 8 {
		t.Fatalf("counts %v", counts)
	}
}

func TestPauseResumeCancelAndSelfPause(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{PauseMinFailures: 5, BatchSize: 10}, 5*time.Second)
		ctx := context.Background()
		r.population(t, 30, 0, 0, 0)
		// Staff resume and cancel through core, as the console does.
		campaigns := core.New(db, core.Options{Now: r.clock.Now}).Campaigns
		staff := core.CLIActor(model.Account{}, "test")

		c, err := r.out.CreateCampaign(ctx, general("暂停测试"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		if err := r.out.Pause(ctx, c.ID, "工作人员暂停"); err != nil {
			t.Fatal(err)
		}
		if n, _ := r.disp.DispatchOnce(ctx); n != 0 {
			t.Fatalf("a paused campaign sent %d", n)
		}
		if err := r.out.Pause(ctx, c.ID, ""); err != notify.ErrBadState {
			t.Fatalf("pausing twice gives %v", err)
		}
		if _, err := campaigns.Resume(ctx, staff, c.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := r.disp.DispatchOnce(ctx); n != 10 {
			t.Fatalf("after resume %d claimed, want a batch of 10", n)
		}
		if _, err := campaigns.Cancel(ctx, staff, c.ID); err != nil {
			t.Fatal(err)
		}
		counts, _ := db.CampaignCounts(ctx, c.ID)
		if counts[model.DeliveryCancelled] != 20 {
			t.Fatalf("after cancel %v", counts)
		}
		storagetest.CampaignCountsRight(t, db)

		r.sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/message/template/send", ErrCode: 43101})
		bad, err := r.out.CreateCampaign(ctx, general("自动暂停测试"), model.Audience{All: true}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.drain(t)
		got, _ := db.GetCampaign(ctx, bad.ID)
		if got.Status != model.CampaignPaused || !strings.Contains(got.Reason, "失败过多") {
			t.Fatalf("campaign %s %q, want paused by itself", got.Status, got.Reason)
		}
		counts, _ = db.CampaignCounts(ctx, bad.ID)
		if counts[model.DeliveryHeld] == 0 || counts[model.DeliveryFailed] < 5 {
			t.Fatalf("after self-pause %v", counts)
		}
		storagetest.CampaignCountsRight(t, db)

		// Staff mend the cause and resume: the campaign sends the rest,
		// although its failure ratio stays above the threshold, and pauses
		// again only on a new failure.
		r.sim.ClearFaults()
		if _, err := campaigns.Resume(ctx, staff, bad.ID); err != nil {
			t.Fatal(err)
		}
		r.drain(t)
		got, _ = db.GetCampaign(ctx, bad.ID)
		after, _ := db.CampaignCounts(ctx, bad.ID)
		if got.Status != model.CampaignDone || after[model.DeliverySent]+after[model.DeliveryDelivered] != counts[model.DeliveryHeld] {
			t.Fatalf("after resume: campaign %s %q, counts %v (held before %d)", got.Status, got.Reason, after, counts[model.DeliveryHeld])
		}
		storagetest.CampaignCountsRight(t, db)
	})
}

func TestAConversationalNoticeUsesTheCustomerWindow(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, notify.Config{}, 5*time.Second)
	ctx := context.Background()
	openids := r.population(t, 2, 0, 0, 0)
	// The first deputy just wrote to the account.
	if _, err := r.sim.User(openids[0]).SendText(ctx, "你好"); err != nil {
		t.Fatal(err)
	}
	n := &model.Notice{Kind: model.KindRatingRequest, Title: "请对建议办理情况进行测评"}
	if _, err := r.out.CreateCampaign(ctx, n, model.Audience{All: true}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	kinds := func(openid string) []string {
		var out []string
		for _, m := range r.sim.Messages(openid) {
			if m.Kind == wechatsim.KindTemplate || m.Kind == wechatsim.KindCustom {
				out = append(out, m.Kind)
			}
		}
		return out
	}
	if got := kinds(openids[0]); len(got) != 1 || got[0] != wechatsim.KindCustom {
		t.Fatalf("the deputy in the window got %v", got)
	}
	if got := kinds(openids[1]); len(got) != 1 || got[0] != wechatsim.KindTemplate {
		ds, _ := db.ListDeliveries(ctx, model.DeliveryFilter{})
		t.Fatalf("the other deputy got %v; deliveries %+v", got, ds)
	}
}

func TestFieldValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"短标题", "短标题"},
		{"第一行\n第二行", "第一行 第二行"},
		{strings.Repeat("代", 25), strings.Repeat("代", 19) + "…"},
	}
	for _, tt := range tests {
		if got := notify.FieldValue(tt.in); got != tt.want {
			t.Errorf("FieldValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestChangesPushTheirNoticesInTheSameTransaction(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 5*time.Second)
		ctx := context.Background()
		openids := r.population(t, 2, 1, 0, 0)
		all, _, err := db.ListDeputies(ctx, model.DeputyFilter{})
		if err != nil {
			t.Fatal(err)
		}
		lead, second, unbound := all[0], all[1], all[2]

		meetings := core.New(db, core.Options{Now: r.clock.Now}).Meetings
		staff := core.CLIActor(model.Account{}, "test")
		m := model.Meeting{Kind: "study", Title: "代表履职学习班", StartsAt: r.clock.Now().Add(72 * time.Hour), Place: "省人大会议中心"}
		m.RSVPDeadline = m.StartsAt
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if n, err := meetings.Invite(ctx, staff, m.ID, model.Audience{DeputyIDs: []int64{lead.ID, unbound.ID}}); err != nil || n.Invited != 2 {
			t.Fatalf("invite: %d %v", n.Invited, err)
		}
		if n, _ := meetings.Invite(ctx, staff, m.ID, model.Audience{DeputyIDs: []int64{lead.ID}}); n.Invited != 0 {
			t.Fatal("inviting again should invite nobody new")
		}
		asks, _ := db.OpenAsks(ctx, lead.ID)
		if len(asks) != 1 || asks[0].Flow != core.FlowRSVP {
			t.Fatalf("asks after the invitation: %+v", asks)
		}

		sugs := core.NewSuggestions(db)
		sugs.Now = r.clock.Now
		sg := model.Suggestion{Number: "第0300号", Title: "关于乡村公路养护的建议", LeadDeputyID: lead.ID, HostUnit: "省交通运输厅"}
		if err := sugs.Create(ctx, &sg, []int64{second.ID}); err != nil {
			t.Fatal(err)
		}
		if err := sugs.RecordStep(ctx, &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, Actor: "省交通运输厅",
			ReplyCategory: "B", Note: "已安排专项资金"}); err != nil {
			t.Fatal(err)
		}

		ops := core.NewOpinions(db)
		receipt, err := ops.Submit(ctx, second.ID, model.Opinion{Category: model.OpinionSocial, Body: "建议增加公交班次"})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := ops.ByReceipt(ctx, receipt)
		if _, err := ops.ReplyAs(ctx, staff, o.ID, "已转交市交通局研究办理"); err != nil {
			t.Fatal(err)
		}

		r.drain(t)
		titles := func(openid string) []string {
			var out []string
			for _, msg := range r.sim.Messages(openid) {
				if msg.Kind == wechatsim.KindTemplate {
					out = append(out, msg.Fields["thing1"])
				}
			}
			return out
		}
		leadGot, secondGot := strings.Join(titles(openids[0]), "|"), strings.Join(titles(openids[1]), "|")
		for _, want := range []string{"代表履职学习班", "已答复", "满意度测评"} {
			if !strings.Contains(leadGot, want) {
				t.Errorf("the lead deputy's messages %q lack %q", leadGot, want)
			}
		}
		for _, want := range []string{"已答复", "满意度测评", "意见建议已答复"} {
			if !strings.Contains(secondGot, want) {
				t.Errorf("the seconder's messages %q lack %q", secondGot, want)
			}
		}
		ds, _ := db.ListDeliveries(ctx, model.DeliveryFilter{DeputyID: unbound.ID})
		if len(ds) != 1 || ds[0].Status != model.DeliverySkipped || ds[0].Reason != "未绑定微信" {
			t.Fatalf("the unbound deputy's deliveries: %+v", ds)
		}
	})
}

func TestAnExpansionCutShortIsFinishedByTheNextPass(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, notify.Config{}, 5*time.Second)
	ctx := context.Background()
	openids := r.population(t, 5, 0, 0, 0)
	c, err := r.out.CreateCampaign(ctx, general("中断的展开"), model.Audience{All: true}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// An instance claims the campaign, writes part of the audience and dies.
	if ok, err := db.ClaimCampaign(ctx, c.ID); err != nil || !ok {
		t.Fatal(ok, err)
	}
	got, _ := db.GetCampaign(ctx, c.ID)
	if _, _, err := db.ExpandBatch(ctx, got, "c"+strconv.FormatInt(c.ID, 10), false, 0, 2); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(5 * time.Minute)
	r.drain(t)
	for _, o := range openids {
		if n := templatesTo(r.sim, o); n != 1 {
			t.Fatalf("%s got %d messages", o, n)
		}
	}
	if got, _ := db.GetCampaign(ctx, c.ID); got.Status != model.CampaignDone {
		t.Fatalf("campaign %s", got.Status)
	}
}

func TestASurveyIsAnnouncedWhenItOpens(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, notify.Config{}, 5*time.Second)
	ctx := context.Background()
	openids := r.population(t, 3, 1, 0, 0)
	surveys := core.NewSurveys(db)
	surveys.SetClock(r.clock.Now)
	sv := model.Survey{Title: "履职服务满意度", OpensAt: r.clock.Now().Add(time.Hour), ClosesAt: r.clock.Now().Add(72 * time.Hour),
		Questions: []model.SurveyQuestion{{Kind: model.QuestionScale, Text: "总体评价"}}}
	if err := surveys.Create(ctx, &sv); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.out.ExpandDue(ctx); n != 0 {
		t.Fatalf("announced %d recipients before the survey opens", n)
	}
	r.clock.Add(2 * time.Hour)
	r.drain(t)
	for _, o := range openids {
		if n := templatesTo(r.sim, o); n != 1 {
			t.Fatalf("%s got %d messages", o, n)
		}
	}
	all, _, _ := db.ListDeputies(ctx, model.DeputyFilter{})
	asks, _ := db.OpenAsks(ctx, all[0].ID)
	if len(asks) != 1 || asks[0].Flow != "survey" || asks[0].RefID != sv.ID {
		t.Fatalf("asks %+v", asks)
	}
}

func TestACampaignNobodyCanReceiveIsDone(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, notify.Config{}, 5*time.Second)
	ctx := context.Background()
	r.population(t, 0, 5, 0, 0)
	c, err := r.out.CreateCampaign(ctx, general("无人可达"), model.Audience{All: true}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.out.ExpandDue(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := db.GetCampaign(ctx, c.ID)
	counts, _ := db.CampaignCounts(ctx, c.ID)
	if got.Status != model.CampaignDone || counts[model.DeliverySkipped] != 5 {
		t.Fatalf("campaign %s with %v, want done with 5 skipped", got.Status, counts)
	}
}
