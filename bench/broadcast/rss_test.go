package broadcast_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/bench/benchkit"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// The simulated account.
const (
	appID  = "wxbenchbroadcast1"
	secret = "bench-broadcast-secret"
	token  = "benchbroadcast"
	aesKey = "BenchBroadcastKey0123456789abcdefghijklmnop"
	tplID  = "TPL_GENERAL_NOTICE"
)

// templateConfig gives serve the general notice's template.
const templateConfig = `wechat:
  templates:
    general_notice:
      id: ` + tplID + `
      fields: {thing1: title, time2: time}
`

const tplPath = "/cgi-bin/message/template/send"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) {
	code := m.Run()
	benchkit.Cleanup()
	os.Exit(code)
}

// expansionSeconds returns how long serve took to expand campaign id, from
// its log ("campaign expanded" with seconds), or false if it has not said.
func expansionSeconds(out *benchkit.Buffer, id int64) (float64, bool) {
	for _, line := range strings.Split(out.String(), "\n") {
		var rec struct {
			Msg      string  `json:"msg"`
			Campaign int64   `json:"campaign"`
			Seconds  float64 `json:"seconds"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "campaign expanded" && rec.Campaign == id {
			return rec.Seconds, true
		}
	}
	return 0, false
}

// rig is a database holding n bound deputies, the WeChat simulator in
// this process (over HTTP), and serve in its own.
type rig struct {
	b       *testing.B
	driver  storage.Dialect
	dsn     string
	db      *storage.DB
	sim     *wechatsim.Sim
	simBase string
	cfgPath string
	n       int
}

func newRig(b *testing.B, d storage.Dialect, n int) *rig {
	b.Helper()
	r := &rig{b: b, driver: d, n: n}
	dir := b.TempDir()
	switch d {
	case storage.MySQL:
		r.dsn = storagetest.NewMySQLDatabase(b)
	default:
		r.dsn = filepath.Join(dir, "deputybot.db")
	}
	r.cfgPath = filepath.Join(dir, "deputybot.yaml")
	if err := os.WriteFile(r.cfgPath, []byte(templateConfig), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, string(d), r.dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	r.db = db
	r.sim = wechatsim.New(wechatsim.Config{AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey,
		Mode: wechatsim.ModeSafe})
	b.Cleanup(r.sim.Close)
	// TEMPLATESENDJOBFINISH reports have their own benchmark (the status storm).
	r.sim.SetJobFinishReports(false)
	r.sim.SetDailyQuota(2 * n)
	api := httptest.NewServer(r.sim.Handler())
	b.Cleanup(api.Close)
	r.simBase = api.URL
	r.seed(ctx)
	return r
}

// seed writes n bound, following deputies, 5,000 per statement.
func (r *rig) seed(ctx context.Context) {
	start := time.Now()
	deputies := make([]model.Deputy, 0, 5000)
	openids := make([]string, 0, 5000)
	flush := func() {
		if _, err := r.db.UpsertDeputies(ctx, deputies); err != nil {
			r.b.Fatal(err)
		}
		r.sim.AddFollowers(openids...)
		deputies, openids = deputies[:0], openids[:0]
	}
	for i := 1; i <= r.n; i++ {
		openid := fmt.Sprintf("o-rss-%07d", i)
		deputies = append(deputies, model.Deputy{Name: fmt.Sprintf("代表%07d", i), Delegation: "济南市代表团",
			Level: model.LevelProvincial, Phone: fmt.Sprintf("13%09d", i), OpenID: openid})
		openids = append(openids, openid)
		if len(deputies) == cap(deputies) {
			flush()
		}
	}
	flush()
	r.b.Logf("%s: seeded %d bound deputies in %s", r.driver, r.n, time.Since(start).Round(time.Millisecond))
}

// serve starts deputybot serve sending at rate messages per second and
// waits until it is healthy.
func (r *rig) serve(rate float64) *benchkit.Process {
	r.b.Helper()
	return benchkit.Serve(r.b, r.cfgPath,
		"DEPUTYBOT_DATABASE_DRIVER="+string(r.driver), "DEPUTYBOT_DATABASE_DSN="+r.dsn,
		"DEPUTYBOT_WECHAT_APP_ID="+appID, "DEPUTYBOT_WECHAT_APP_SECRET="+secret,
		"DEPUTYBOT_WECHAT_TOKEN="+token, "DEPUTYBOT_WECHAT_ENCODING_AES_KEY="+aesKey,
		"DEPUTYBOT_WECHAT_API_BASE="+r.simBase,
		fmt.Sprintf("DEPUTYBOT_DELIVERY_RATE_PER_SECOND=%g", rate), fmt.Sprintf("DEPUTYBOT_DELIVERY_DAILY_QUOTA=%d", 2*r.n),
		"DEPUTYBOT_DELIVERY_QUIET_HOURS=", "DEPUTYBOT_DEMO=false", "DEPUTYBOT_LOG_LEVEL=info", "DEPUTYBOT_LOG_FORMAT=json",
		"DEPUTYBOT_DELIVERY_CONCURRENCY="+strconv.Itoa(benchkit.EnvInt("BENCH_CONCURRENCY", 16)),
	)
}

// campaign creates a general notice to everyone, due now.
func (r *rig) campaign() model.Campaign {
	r.b.Helper()
	out := notify.New(r.db, notify.Config{}, quiet)
	c, err := out.CreateCampaign(context.Background(), &model.Notice{Kind: model.KindGeneral, Title: "全体代表通知",
		Body: "正文", Fields: map[string]string{"time": "2026年12月1日 09:00"}}, model.Audience{All: true}, time.Time{})
	if err != nil {
		r.b.Fatal(err)
	}
	return c
}

// waitSends polls the simulator until it has accepted n messages and
// returns the time each tenth of them was first seen.
func (r *rig) waitSends(s *benchkit.Process, n int, timeout time.Duration, every time.Duration) []time.Time {
	r.b.Helper()
	marks := make([]time.Time, 0, 11)
	deadline := time.Now().Add(timeout)
	for len(marks) < 11 {
		got := r.sim.TemplateSends()
		for len(marks) < 11 && got >= max(1, len(marks)*n/10) {
			marks = append(marks, time.Now())
		}
		if len(marks) == 11 {
			break
		}
		select {
		case <-s.Done:
			r.b.Fatalf("serve exited after %d messages:\n%s", got, s.Out.String())
		default:
		}
		if time.Now().After(deadline) {
			r.b.Fatalf("WeChat has %d messages after %s, want %d", got, timeout, n)
		}
		time.Sleep(every)
	}
	return marks
}

// checkSent asserts that each deputy got the notice once and the campaign
// ended.
func (r *rig) checkSent(id int64) {
	r.b.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := r.db.GetCampaign(ctx, id)
		if err != nil {
			r.b.Fatal(err)
		}
		if c.Status == model.CampaignDone {
			break
		}
		if time.Now().After(deadline) {
			r.b.Fatalf("campaign %d still %s a minute after its last message", id, c.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	counts, err := r.db.CampaignCounts(ctx, id)
	if err != nil {
		r.b.Fatal(err)
	}
	if counts[model.DeliverySent] != r.n || r.sim.TemplateSends() != r.n {
		r.b.Fatalf("the database counts %v and WeChat %d messages; want %d sent", counts, r.sim.TemplateSends(), r.n)
	}
}

// BenchmarkBroadcastRSS sends a campaign to 200,000 deputies
// (BENCH_RECIPIENTS to change) from a deputybot serve process with the
// rate limit out of the way (10^6 messages/s) on each database, and
// reports serve's own figures: expansion time, dispatch rate, CPU seconds
// per 1,000 messages (from /proc/<pid>/stat) and peak RSS (VmHWM).
func BenchmarkBroadcastRSS(b *testing.B) {
	n := benchkit.EnvInt("BENCH_RECIPIENTS", 200000)
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				broadcastRSS(b, d, n)
			}
		})
	}
}

func broadcastRSS(b *testing.B, d storage.Dialect, n int) {
	r := newRig(b, d, n)
	s := r.serve(1e6)
	idleHWM, cpu0 := s.MemKB(b, "VmHWM"), s.CPUSeconds(b)
	b.ResetTimer()
	t0 := time.Now()
	c := r.campaign()
	marks := r.waitSends(s, n, 30*time.Minute, 20*time.Millisecond)
	cpuEnd := s.CPUSeconds(b)
	hwm, rss := s.MemKB(b, "VmHWM"), s.MemKB(b, "VmRSS")
	b.StopTimer()
	r.checkSent(c.ID)
	got, err := r.db.GetCampaign(context.Background(), c.ID)
	if err != nil {
		b.Fatal(err)
	}
	created := got.ExpandedAt.Time.Sub(t0)
	expand, ok := expansionSeconds(s.Out, c.ID)
	if !ok {
		b.Fatalf("serve did not log the expansion of campaign %d:\n%s", c.ID, s.Out.String())
	}
	dispatch := marks[10].Sub(marks[0])
	b.Logf("%s: %d messages; serve expanded the campaign in %.3fs, done %s after it was created (serve polls every second), "+
		"first message %s after, last %s after; serve's VmHWM %d MB before the campaign, %d MB after; VmRSS at the end %d MB; "+
		"CPU %.1f s", d, n, expand, created.Round(time.Millisecond), marks[0].Sub(t0).Round(time.Millisecond),
		marks[10].Sub(t0).Round(time.Millisecond), idleHWM>>10, hwm>>10, rss>>10, cpuEnd-cpu0)
	tenths := make([]string, 10)
	for i := range tenths {
		tenths[i] = marks[i+1].Sub(marks[i]).Round(10 * time.Millisecond).String()
	}
	b.Logf("%s: each tenth of the messages took %s", d, strings.Join(tenths, " "))
	// The reference, on the same database and simulator with serve stopped.
	s.Stop()
	refExpand, refDispatch := r.referenceBroadcast(got.NoticeID, benchkit.EnvInt("BENCH_CONCURRENCY", 16))
	rate, refRate := float64(n)/dispatch.Seconds(), float64(n)/refDispatch.Seconds()
	b.Logf("%s: reference: expanded in %.3fs, sent at %.0f msg/s; deputybot/reference: expansion %.2f, dispatch rate %.2f",
		d, refExpand.Seconds(), refRate, expand/refExpand.Seconds(), rate/refRate)
	b.ReportMetric(expand, "expand-s")
	b.ReportMetric(created.Seconds(), "created-to-expanded-s")
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(refExpand.Seconds(), "ref-expand-s")
	b.ReportMetric(refRate, "ref-msgs/s")
	b.ReportMetric(rate/refRate, "rate-ratio")
	b.ReportMetric((cpuEnd-cpu0)/float64(n)*1000, "cpu-s/1k")
	b.ReportMetric(float64(hwm)/1024, "peak-rss-MB")
}

// BenchmarkRateLimitWithSlowWeChat makes every template send take 100 ms
// (wechatsim latency) and measures the rate serve achieves against its
// configured delivery.rate_per_second, for each rate in BENCH_RATES
// (default "20,100": the default and a fast account), over 30 seconds of
// sending each, on MariaDB. The achieved rate is taken between the first
// and the last tenth of the messages, leaving out the limiter's initial
// burst (one second's worth) and the last batch's tail.
func BenchmarkRateLimitWithSlowWeChat(b *testing.B) {
	rates := []int{20, 100}
	if v := os.Getenv("BENCH_RATES"); v != "" {
		rates = rates[:0]
		for _, f := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				rates = append(rates, n)
			}
		}
	}
	for _, limit := range rates {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				slowWeChat(b, limit)
			}
		})
	}
}

func slowWeChat(b *testing.B, limit int) {
	n := 30 * limit
	r := newRig(b, storage.MySQL, n)
	r.sim.AddFault(wechatsim.Fault{Path: tplPath, Latency: 100 * time.Millisecond})
	s := r.serve(float64(limit))
	b.ResetTimer()
	c := r.campaign()
	marks := r.waitSends(s, n, 10*time.Minute, 5*time.Millisecond)
	b.StopTimer()
	r.checkSent(c.ID)
	steady := float64(n*8/10) / marks[9].Sub(marks[1]).Seconds()
	overall := float64(n) / marks[10].Sub(marks[0]).Seconds()
	b.Logf("limit %d/s with 100 ms per send: %d messages; %.1f/s from the first to the last (limiter burst included), "+
		"%.1f/s in between (%+.1f%% of the limit)", limit, n, overall, steady, (steady/float64(limit)-1)*100)
	b.ReportMetric(steady, "msgs/s")
	b.ReportMetric(steady/float64(limit), "of-limit")
}
