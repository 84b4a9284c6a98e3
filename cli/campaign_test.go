package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// campaignRig is a SQLite registry of the 20 sample deputies, the first
// five bound to WeChat and following.
type campaignRig struct {
	env []string
	db  *storage.DB
	ds  []model.Deputy
}

func newCampaignRig(t *testing.T) *campaignRig {
	t.Helper()
	env := sqliteEnv(t)
	if code, out, errs := run(t, env, "import", "deputies", filepath.Join("..", "testdata", "deputies-sample.xlsx")); code != exitOK {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite", strings.TrimPrefix(env[0], "DEPUTYBOT_DATABASE_DSN="))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ds, _, err := db.ListDeputies(ctx, model.DeputyFilter{})
	if err != nil || len(ds) != 20 {
		t.Fatalf("deputies: %d %v", len(ds), err)
	}
	for _, d := range ds[:5] {
		openid := fmt.Sprintf("o-%d", d.ID)
		if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordFollow(ctx, openid, true); err != nil {
			t.Fatal(err)
		}
	}
	return &campaignRig{env: env, db: db, ds: ds}
}

// campaignID runs campaign send and returns the id it printed.
func (r *campaignRig) send(t *testing.T, args ...string) (int64, string) {
	t.Helper()
	code, out, errs := run(t, r.env, append([]string{"campaign", "send"}, args...)...)
	m := regexp.MustCompile(`campaign (\d+) created`).FindStringSubmatch(out)
	if code != exitOK || m == nil {
		t.Fatalf("campaign send %v: %d %q %q", args, code, out, errs)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id, out
}

// dispatch sends everything due once, through a fake WeChat platform.
func (r *campaignRig) dispatch(t *testing.T) *wechatsim.Sim {
	t.Helper()
	ctx := context.Background()
	sim := wechatsim.New(wechatsim.Config{AppID: "wxcampaign", AppSecret: "sec", Token: "tok"})
	t.Cleanup(sim.Close)
	sim.SetJobFinishReports(false)
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	for _, d := range r.ds[:5] {
		sim.AddFollowers(fmt.Sprintf("o-%d", d.ID))
	}
	client, err := bot.NewClient(bot.ClientConfig{AppID: "wxcampaign", AppSecret: "sec", APIBase: api.URL}, r.db)
	if err != nil {
		t.Fatal(err)
	}
	links, err := notify.NewSigner(ctx, r.db)
	if err != nil {
		t.Fatal(err)
	}
	out := notify.New(r.db, notify.Config{PublicURL: "https://deputy.example",
		Templates: map[string]notify.Template{model.KindGeneral: {ID: "TPL", Fields: map[string]string{"thing1": "title", "time2": "time"}}}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	disp, err := notify.NewDispatcher(out, bot.NotifySender{Client: client}, links)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.ExpandDue(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := disp.DispatchOnce(ctx); err != nil {
		t.Fatal(err)
	}
	return sim
}

func (r *campaignRig) status(t *testing.T, id int64) string {
	t.Helper()
	code, out, errs := run(t, r.env, "campaign", "status", fmt.Sprint(id))
	if code != exitOK {
		t.Fatalf("campaign status %d: %d %q", id, code, errs)
	}
	return out
}

func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("output lacks %q:\n%s", p, out)
		}
	}
}

func TestCampaignSendToAllIsSentAndCounted(t *testing.T) {
	r := newCampaignRig(t)
	id, out := r.send(t, "--all", "--title", "关于召开代表培训班的通知", "--body", "12月1日9时在省人大会堂举行。\n请准时参加。")
	wantLines(t, out, `audience: 20 deputies, 5 reachable`, `sending starts now`)
	wantLines(t, r.status(t, id), `status:\s+待发送 \(scheduled\)`, `deliveries: 0 so far`)

	sim := r.dispatch(t)
	if n := sim.TemplateSends(); n != 5 {
		t.Fatalf("WeChat got %d template messages, want 5", n)
	}
	msgs := sim.Messages(fmt.Sprintf("o-%d", r.ds[0].ID))
	if len(msgs) != 1 || msgs[0].Fields["thing1"] != "关于召开代表培训班的通知" || msgs[0].Fields["time2"] == "" {
		t.Fatalf("the first deputy got %+v", msgs)
	}
	wantLines(t, r.status(t, id), `status:\s+已完成 \(done\)`, `deliveries: 20\n`, `已发送 sent\s+5\n`, `未发送 skipped\s+15\n`)
}

func TestCampaignSendChoosesItsAudience(t *testing.T) {
	r := newCampaignRig(t)
	_, out := r.send(t, "--deputy-ids", fmt.Sprintf("%d, %d", r.ds[0].ID, r.ds[7].ID), "--title", "专题调研")
	wantLines(t, out, `audience: 2 deputies, 1 reachable`)
	delegation := r.ds[0].Delegation
	members := 0
	for _, d := range r.ds {
		if d.Delegation == delegation {
			members++
		}
	}
	_, out = r.send(t, "--delegation", delegation, "--title", "视察安排", "--kind", model.KindSolicitation, "--urgent")
	wantLines(t, out, fmt.Sprintf(`audience: %d deputies`, members))
}

func TestCampaignSendRejectsBadInputAndCreatesNothing(t *testing.T) {
	r := newCampaignRig(t)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no audience", []string{"--title", "通知"}, exitUsage, "exactly one of"},
		{"two audiences", []string{"--all", "--deputy-ids", "1", "--title", "通知"}, exitUsage, "exactly one of"},
		{"a bad id", []string{"--deputy-ids", "1,x", "--title", "通知"}, exitUsage, `"x" is not a deputy id`},
		{"no title", []string{"--all"}, exitUsage, "标题不能为空"},
		{"an unknown kind", []string{"--all", "--title", "通知", "--kind", "gossip"}, exitUsage, "未知的通知类型"},
		{"a time in the past", []string{"--all", "--title", "通知", "--at", "2020-01-01T09:00"}, exitUsage, "in the past"},
		{"a time that is not one", []string{"--all", "--title", "通知", "--at", "明天上午"}, exitUsage, "2026-12-01T09:00"},
		{"an unknown delegation", []string{"--delegation", "火星代表团", "--title", "通知"}, exitFailure, "no deputy matches"},
	}
	for _, c := range cases {
		t.Run("with "+c.name, func(t *testing.T) {
			code, out, errs := run(t, r.env, append([]string{"campaign", "send"}, c.args...)...)
			if code != c.code || !strings.Contains(errs, c.want) {
				t.Fatalf("code %d, stdout %q, stderr %q", code, out, errs)
			}
		})
	}
	if cs, err := r.db.DueCampaigns(context.Background(), time.Now().Add(24*365*time.Hour)); err != nil || len(cs) != 0 {
		t.Fatalf("campaigns were created: %d %v", len(cs), err)
	}
}

func TestCampaignPauseResumeAndCancel(t *testing.T) {
	r := newCampaignRig(t)
	at := time.Now().Add(48 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
	id, out := r.send(t, "--all", "--title", "代表联络站接待日", "--at", at)
	wantLines(t, out, `scheduled for `+strings.Replace(at, "T", " ", 1)+` \(Asia/Shanghai\)`)
	ref := fmt.Sprint(id)
	saved := stdin
	t.Cleanup(func() { stdin = saved })

	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pause", ref, "--reason", "正文有误"}, exitOK, "campaign " + ref + " paused"},
		{[]string{"status", ref}, exitOK, "reason:   正文有误"},
		{[]string{"pause", ref}, exitFailure, "is 已暂停 (paused); it cannot be paused"},
		{[]string{"resume", ref}, exitOK, "resumed"},
		{[]string{"status", ref}, exitOK, "待发送 (scheduled)"},
		{[]string{"resume", ref}, exitFailure, "cannot be resumed"},
		{[]string{"status", "999"}, exitFailure, "there is no campaign 999"},
		{[]string{"pause", "abc"}, exitUsage, `"abc" is not a campaign id`},
		{[]string{"cancel"}, exitUsage, "Usage: deputybot campaign cancel"},
	}
	for _, s := range steps {
		code, out, errs := run(t, r.env, append([]string{"campaign"}, s.args...)...)
		if code != s.code || !strings.Contains(out+errs, s.want) {
			t.Fatalf("campaign %v: code %d, %q %q", s.args, code, out, errs)
		}
	}

	t.Run("cancel asks first and takes no for an answer", func(t *testing.T) {
		for _, answer := range []string{"no\n", ""} {
			stdin = strings.NewReader(answer)
			code, _, errs := run(t, r.env, "campaign", "cancel", ref)
			if code != exitFailure || !strings.Contains(errs, "Type yes to cancel") || !strings.Contains(errs, "cancel") {
				t.Fatalf("answer %q: %d %q", answer, code, errs)
			}
		}
		wantLines(t, r.status(t, id), `待发送 \(scheduled\)`)
	})
	t.Run("cancel goes ahead on yes", func(t *testing.T) {
		stdin = strings.NewReader("yes\n")
		if code, out, errs := run(t, r.env, "campaign", "cancel", ref); code != exitOK || !strings.Contains(out, "cancelled") {
			t.Fatalf("%d %q %q", code, out, errs)
		}
		wantLines(t, r.status(t, id), `已取消 \(cancelled\)`, `reason:   已取消`)
	})
	t.Run("cancel --yes does not ask, and a cancelled campaign stays cancelled", func(t *testing.T) {
		stdin = strings.NewReader("")
		code, _, errs := run(t, r.env, "campaign", "cancel", ref, "--yes")
		if code != exitFailure || strings.Contains(errs, "Type yes") || !strings.Contains(errs, "cannot be cancelled") {
			t.Fatalf("%d %q", code, errs)
		}
		id2, _ := r.send(t, "--all", "--title", "第二个通知", "--at", at)
		if code, out, errs := run(t, r.env, "campaign", "cancel", fmt.Sprint(id2), "--yes"); code != exitOK || !strings.Contains(out, "cancelled") {
			t.Fatalf("%d %q %q", code, out, errs)
		}
	})
}

func TestSimServesTheAPIAndCountsTemplateMessages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"sim", "--addr", "127.0.0.1:0", "--mode", "plain", "--app-id", "wxsimtest",
			"--app-secret", "sec", "--callback", "http://127.0.0.1:1/wechat"}, &out, &errb, nil)
	}()
	apiBase := regexp.MustCompile(`DEPUTYBOT_WECHAT_API_BASE=(\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		select {
		case code := <-done:
			t.Fatalf("sim exited with %d: %s", code, errb.String())
		default:
		}
		if m := apiBase.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("sim did not start: %s", errb.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !strings.Contains(out.String(), "DEPUTYBOT_WECHAT_APP_ID=wxsimtest\n") {
		t.Fatalf("printed settings: %s", out.String())
	}
	post := func(path string) {
		t.Helper()
		resp, err := http.Post(base+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	post("/admin/follow-many?prefix=o-&from=1&to=3")
	post("/admin/follow?openid=lonely")

	client, err := bot.NewClient(bot.ClientConfig{AppID: "wxsimtest", AppSecret: "sec", APIBase: base}, storagetest.Open(t, storage.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ to, id string }{{"o-1", "d1"}, {"o-1", "d1"}, {"o-2", "d2"}} {
		msg := bot.TemplateMessage{ToUser: m.to, TemplateID: "TPL", ClientMsgID: m.id, Data: []bot.TemplateField{{Key: "thing1", Value: "通知"}}}
		if _, err := client.SendTemplate(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Get(base + "/admin/counts")
	if err != nil {
		t.Fatal(err)
	}
	var counts simCounts
	err = json.NewDecoder(resp.Body).Decode(&counts)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if counts.TemplateSends != 2 || counts.TemplateRequests != 3 || counts.Users != 4 || counts.Following != 4 ||
		len(counts.PerOpenID) != 2 || counts.PerOpenID["o-1"] != 1 || counts.PerOpenID["o-2"] != 1 {
		t.Fatalf("counts %+v", counts)
	}
	// Past WeChat's 10-minute window the same client_msg_id is a new message.
	post("/admin/advance?by=11m")
	if _, err := client.SendTemplate(ctx, bot.TemplateMessage{ToUser: "o-1", TemplateID: "TPL", ClientMsgID: "d1",
		Data: []bot.TemplateField{{Key: "thing1", Value: "通知"}}}); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(base + "/admin/counts?brief=1")
	if err != nil {
		t.Fatal(err)
	}
	counts = simCounts{}
	err = json.NewDecoder(resp.Body).Decode(&counts)
	resp.Body.Close()
	if err != nil || counts.TemplateSends != 3 || counts.PerOpenID != nil {
		t.Fatalf("brief counts after the window: %+v %v", counts, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("sim exited with %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop")
	}
}

func TestSimRejectsBadOptions(t *testing.T) {
	for _, args := range [][]string{
		{"--mode", "loud"},
		{"--aes-key", "short"},
		{"--fault-rate", "1.5"},
		{"--fault-code", "45009"},
		{"--timeout-rate", "2"},
		{"--latency", "-1s"},
		{"extra"},
	} {
		code, _, errs := run(t, nil, append([]string{"sim", "--addr", "127.0.0.1:0"}, args...)...)
		if code != exitUsage || errs == "" {
			t.Errorf("sim %v: %d %q", args, code, errs)
		}
	}
}
