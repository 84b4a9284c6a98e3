package obs_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/handlers"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/scheduler"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/wechatsim"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	appID  = "wx2c2769f8efd9abc2"
	secret = "obs-secret"
	token  = "spamtest"
	aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// scrape reads /metrics into series ("name{a="x",b="y"}", labels sorted
// by name as the exposition writes them) and their values.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// series names one series: series("x_total", "type", "text", "outcome", "replied").
func series(name string, kv ...string) string {
	if len(kv) == 0 {
		return name
	}
	var pairs []string
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, fmt.Sprintf("%s=%q", kv[i], kv[i+1]))
	}
	sort.Strings(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// TestMetricsCountWhatTheServiceDid drives real callbacks through the
// simulated WeChat platform, a small campaign through the dispatcher and
// two job runs, then reads each series' change on /metrics.
func TestMetricsCountWhatTheServiceDid(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Now()}

		sim := wechatsim.New(wechatsim.Config{AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey,
			Mode: wechatsim.ModeSafe, Deliveries: 1})
		t.Cleanup(sim.Close)
		api := httptest.NewServer(sim.Handler())
		t.Cleanup(api.Close)
		client, err := bot.NewClient(bot.ClientConfig{AppID: appID, AppSecret: secret, APIBase: api.URL, Timeout: 5 * time.Second}, db)
		if err != nil {
			t.Fatal(err)
		}
		svc := core.New(db, core.Options{Now: clk.Now, Loc: time.UTC})
		router := bot.NewRouter(svc, db, templates.Default(), quiet, 30*time.Minute)
		gw := &bot.Gateway{Wire: bot.Wire{Token: token, EncodingAESKey: aesKey, AppID: appID}, Inbox: db, Handler: router,
			Sender: client, Log: quiet}
		t.Cleanup(func() { _ = gw.Wait(ctx) })
		srv := httptest.NewServer(handlers.New(handlers.Deps{Log: quiet, DB: db, Metrics: handlers.NewMetrics(db),
			WeChat: wechat.Handler(gw, quiet)}))
		t.Cleanup(srv.Close)
		sim.SetCallbackURL(srv.URL + "/wechat")

		before := scrape(t, srv.URL)
		delta := func(after map[string]float64, s string) float64 { return after[s] - before[s] }

		// Two bound deputies; one chats.
		var openids []string
		for i, name := range []string{"甲代表", "乙代表"} {
			d := model.Deputy{Name: name, Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: fmt.Sprintf("1350000000%d", i)}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			openid := fmt.Sprintf("o-obs-%d", d.ID)
			if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
				t.Fatal(err)
			}
			if _, err := sim.User(openid).Follow(ctx); err != nil {
				t.Fatal(err)
			}
			openids = append(openids, openid)
		}
		u := sim.User(openids[0])
		for _, text := range []string{"意见", "1"} { // starts the opinion flow, answers its first step
			if r, err := u.SendText(ctx, text); err != nil || r.Msg == nil {
				t.Fatalf("send %q: %v %+v", text, err, r)
			}
		}
		if _, err := u.Redeliver(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(31 * time.Minute) // the flow times out
		if _, err := u.SendText(ctx, "帮助"); err != nil {
			t.Fatal(err)
		}
		post := func(query string, body string) int {
			resp, err := http.Post(srv.URL+"/wechat?"+query, "text/xml", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if code := post("signature=0&timestamp="+strconv.FormatInt(time.Now().Unix(), 10)+"&nonce=1", "<xml/>"); code != http.StatusForbidden {
			t.Fatalf("a forged callback got %d", code)
		}
		if code := post("", strings.Repeat("x", wechat.MaxCallbackBody+1)); code != http.StatusRequestEntityTooLarge {
			t.Fatalf("an oversized callback got %d", code)
		}

		// A campaign to both: one send is refused (43004), one goes, and
		// its TEMPLATESENDJOBFINISH comes back through the callback.
		cfg := notify.Config{PublicURL: "https://deputy.example", Templates: map[string]notify.Template{
			model.KindGeneral: {ID: "TPL_GENERAL", Fields: map[string]string{"thing1": "title"}}}}
		out := notify.New(db, cfg, quiet)
		signer, err := notify.NewSigner(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		disp, err := notify.NewDispatcher(out, bot.NotifySender{Client: client}, signer)
		if err != nil {
			t.Fatal(err)
		}
		notice := &model.Notice{Kind: model.KindGeneral, Title: "关于召开代表培训班的通知", Body: "正文"}
		if _, err := out.CreateCampaign(ctx, notice, model.Audience{All: true}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := out.ExpandDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := scrape(t, srv.URL)[series("deputybot_delivery_queue_due")]; got != 2 {
			t.Errorf("queue before dispatch: %v due, want 2", got)
		}
		sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/message/template/send", ErrCode: 43004, Count: 1})
		for {
			n, err := disp.DispatchOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if err := sim.Flush(ctx); err != nil {
			t.Fatal(err)
		}

		// Two job runs: the real cleanup job and one that fails.
		sched := scheduler.New(db, svc, quiet)
		boom := scheduler.Job{Name: "obs-boom", Schedule: scheduler.Off, Description: "fails",
			Run: func(context.Context, time.Time) (scheduler.Result, error) {
				return scheduler.Result{}, errors.New("boom")
			}}
		if err := sched.Register(scheduler.CleanupJob(svc, core.Retention{}), boom); err != nil {
			t.Fatal(err)
		}
		if _, err := sched.RunNow(ctx, "cleanup"); err != nil {
			t.Fatal(err)
		}
		if _, err := sched.RunNow(ctx, "obs-boom"); err == nil {
			t.Fatal("the failing job succeeded")
		}

		after := scrape(t, srv.URL)
		cb := func(typ, outcome string) string {
			return series("deputybot_callbacks_total", "type", typ, "outcome", outcome)
		}
		counts := []struct {
			series string
			want   float64
		}{
			{cb("event.subscribe", "replied"), 2},
			{cb("text", "replied"), 3},
			{cb("text", "duplicate"), 1},
			{cb("unknown", "refused_signature"), 1},
			{cb("unknown", "refused_size"), 1},
			{cb("event.templatesendjobfinish", "empty"), 1},
			{series("deputybot_callback_duration_seconds_count", "type", "text"), 4},
			{series("deputybot_conversation_steps_total", "flow", "opinion"), 1},
			{series("deputybot_conversation_timeouts_total", "flow", "opinion"), 1},
			{series("deputybot_deliveries_sent_total", "channel", "template", "errcode", "0"), 1},
			{series("deputybot_deliveries_sent_total", "channel", "template", "errcode", "43004"), 1},
			{series("deputybot_dispatch_attempts_total", "result", "sent"), 1},
			{series("deputybot_dispatch_attempts_total", "result", "failed"), 1},
			{series("deputybot_token_refreshes_total", "outcome", "ok"), 1},
			{series("deputybot_cron_runs_total", "job", "cleanup", "outcome", "ok"), 1},
			{series("deputybot_cron_runs_total", "job", "obs-boom", "outcome", "failed"), 1},
		}
		for _, c := range counts {
			if _, ok := after[c.series]; !ok {
				t.Errorf("/metrics lacks %s", c.series)
				continue
			}
			if got := delta(after, c.series); got != c.want {
				t.Errorf("%s went up by %v, want %v", c.series, got, c.want)
			}
		}
		if got := after[series("deputybot_delivery_queue_due")]; got != 0 {
			t.Errorf("queue after dispatch: %v due, want 0", got)
		}
		last := series("deputybot_cron_last_success_timestamp_seconds", "job", "cleanup")
		if got := after[last]; got != float64(clk.Now().Unix()) {
			t.Errorf("%s = %v, want the run's end %d", last, got, clk.Now().Unix())
		}
		if _, ok := after[series("deputybot_cron_last_success_timestamp_seconds", "job", "obs-boom")]; ok {
			t.Error("a job that never succeeded has a last success")
		}
	})
}
