package callback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deputybot/bench/benchkit"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// The traffic deputies produce: the four commands they use most and two
// conversation turns answering what a push asked (an RSVP, a rating).
var commands = []string{"帮助", "我的会议", "我的建议", "学习", "参加", "满意"}

// readCommands is how many of commands, from the first, only read: the
// four-command mix issue 18 is checked with ("reads").
const readCommands = 4

// mixDeputies is how many bound deputies send (one per client, up to
// 128 clients).
const mixDeputies = 128

func TestMain(m *testing.M) {
	if addr := os.Getenv("BENCH_REFERENCE_ADDR"); addr != "" {
		// This test binary started as the reference handler's process.
		if err := serveReference(addr, os.Getenv("BENCH_REFERENCE_DRIVER"), os.Getenv("BENCH_REFERENCE_DSN")); err != nil {
			fmt.Fprintln(os.Stderr, "reference:", err)
			os.Exit(1)
		}
		return
	}
	code := m.Run()
	benchkit.Cleanup()
	os.Exit(code)
}

// BenchmarkCallbackMix is issue 18's realistic callback benchmark, out of
// process: `deputybot serve` in a process of its own, on a database
// holding 128 bound deputies, each invited to a meeting (RSVP open),
// leading a suggestion that has been answered (rating open), with study
// materials published; the deputies send 帮助, 我的会议, 我的建议, 学习,
// 参加 and 满意 through wechatsim's user side (safe mode, a new MsgId
// each), round-robin ("mix"), the four that only read round-robin
// ("reads") and each command on its own. The reference,
// in a process of its own too, verifies both signatures, decrypts,
// inserts one row and answers with an encrypted passive reply of about 60
// Chinese characters. The two alternate in rounds, so load from elsewhere
// falls on both. b.N is the number of requests each gets.
//
//	go test ./bench/callback -run '^$' -bench CallbackMix -benchtime 3000x -timeout 60m
//
// BENCH_TRAFFIC=mix (or a command) and BENCH_CLIENTS=32 narrow the runs;
// BENCH_PPROF_ADDR serves serve's profiler (http.debug_addr) to profile it.
func BenchmarkCallbackMix(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			r := newMixRig(b, d)
			for _, traffic := range append([]string{"mix", "reads"}, commands...) {
				if t := os.Getenv("BENCH_TRAFFIC"); t != "" && t != traffic {
					continue
				}
				for _, clients := range []int{8, 32, 128} {
					if c := benchkit.EnvInt("BENCH_CLIENTS", 0); c != 0 && c != clients {
						continue
					}
					b.Run(fmt.Sprintf("traffic=%s/clients=%d", traffic, clients), func(b *testing.B) {
						r.bench(b, traffic, clients)
					})
				}
			}
		})
	}
}

type mixRig struct {
	serve  *benchkit.Process
	users  []pair
	sample map[string]string // the first reply deputybot gave each command
}

func newMixRig(b *testing.B, d storage.Dialect) *mixRig {
	ctx := context.Background()
	dir := b.TempDir()
	dsn := filepath.Join(dir, "deputybot.db")
	if d == storage.MySQL {
		dsn = storagetest.NewMySQLDatabase(b)
	}
	db, err := storage.Open(ctx, string(d), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}

	// Every notice kind has a template, as a real account's would.
	var ids []string
	cfg := "wechat:\n  templates:\n"
	for kind := range model.KindLabels {
		ids = append(ids, "TPL_"+kind)
		cfg += fmt.Sprintf("    %s:\n      id: TPL_%s\n      fields: {thing1: title, time2: time, thing3: note}\n", kind, kind)
	}
	cfgPath := filepath.Join(dir, "deputybot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	bot := newSim(b, "")
	bot.SetTemplates(ids...)
	api := httptestServer(b, bot)
	ref := newSim(b, "")

	openids := seedMixWorld(b, db, d)
	for _, o := range openids {
		bot.AddFollowers(o)
		ref.AddFollowers(o)
	}

	env := []string{"DEPUTYBOT_DATABASE_DRIVER=" + string(d), "DEPUTYBOT_DATABASE_DSN=" + dsn,
		"DEPUTYBOT_WECHAT_APP_ID=" + appID, "DEPUTYBOT_WECHAT_APP_SECRET=" + secret,
		"DEPUTYBOT_WECHAT_TOKEN=" + token, "DEPUTYBOT_WECHAT_ENCODING_AES_KEY=" + aesKey,
		"DEPUTYBOT_WECHAT_API_BASE=" + api, "DEPUTYBOT_DELIVERY_QUIET_HOURS=",
		"DEPUTYBOT_DELIVERY_RATE_PER_SECOND=1000", "DEPUTYBOT_DEMO=false", "DEPUTYBOT_LOG_LEVEL=warn"}
	if addr := os.Getenv("BENCH_PPROF_ADDR"); addr != "" {
		// Serve's profiler there (http.debug_addr):
		//   go tool pprof -seconds 20 http://127.0.0.1:6060/debug/pprof/profile
		env = append(env, "DEPUTYBOT_HTTP_DEBUG_ADDR="+addr)
	}
	serve := benchkit.Serve(b, cfgPath, env...)
	bot.SetCallbackURL(fmt.Sprintf("http://127.0.0.1:%d/wechat", serve.Port))

	if d == storage.MySQL {
		_, err = db.SQL().Exec("CREATE TABLE bench_ref_inbound (dedupe_key VARCHAR(191) NOT NULL PRIMARY KEY, created_at DATETIME(6) NOT NULL) ENGINE=InnoDB")
	} else {
		_, err = db.SQL().Exec("CREATE TABLE bench_ref_inbound (dedupe_key VARCHAR(191) NOT NULL PRIMARY KEY, created_at DATETIME(6) NOT NULL)")
	}
	if err != nil {
		b.Fatal(err)
	}
	port := benchkit.FreePort(b)
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{fmt.Sprintf("BENCH_REFERENCE_ADDR=127.0.0.1:%d", port),
		"BENCH_REFERENCE_DRIVER=" + string(d), "BENCH_REFERENCE_DSN=" + dsn}
	benchkit.Start(b, cmd, port)
	ref.SetCallbackURL(fmt.Sprintf("http://127.0.0.1:%d/wechat", port))

	waitPushes(b, db, bot, openids)

	r := &mixRig{serve: serve, sample: map[string]string{}}
	for _, o := range openids {
		r.users = append(r.users, pair{bot.User(o), ref.User(o)})
	}
	// What a deputy reads, once per command (also a check that each
	// command reaches its flow, not the help text).
	for _, c := range commands {
		rep, err := r.users[len(r.users)-1].bot.SendText(ctx, c)
		if err != nil || rep.Msg == nil {
			b.Fatalf("%s: %v (reply %+v)\n%s", c, err, rep, serve.Out.String())
		}
		r.sample[c] = replyText(rep.Msg)
		b.Logf("%s → %s", c, firstLine(r.sample[c]))
	}
	if r.sample["我的会议"] == r.sample["帮助"] || !strings.Contains(r.sample["我的会议"], "乡村振兴") ||
		!strings.Contains(r.sample["我的建议"], "农村饮水") {
		b.Fatalf("the commands did not reach the deputy's records: %q", r.sample)
	}
	return r
}

func replyText(m *wechatsim.Message) string {
	if m.Text != "" {
		return m.Text
	}
	var titles []string
	for _, a := range m.Articles {
		titles = append(titles, a.Title)
	}
	return "[图文] " + strings.Join(titles, "；")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// seedMixWorld stores mixDeputies bound deputies, a meeting every one of
// them is invited to, an answered suggestion each leads, and three
// published study materials; it returns the deputies' openids.
func seedMixWorld(b *testing.B, db *storage.DB, d storage.Dialect) []string {
	ctx := context.Background()
	loc := time.FixedZone("CST", 8*3600)
	svc := core.New(db, core.Options{Loc: loc})
	by := core.CLIActor(model.Account{}, "bench")
	var ds []model.Deputy
	var openids []string
	for i := range mixDeputies {
		o := fmt.Sprintf("o-mix-%04d", i)
		ds = append(ds, model.Deputy{Name: fmt.Sprintf("代表%04d", i), Delegation: "济南市代表团",
			Level: model.LevelProvincial, Phone: fmt.Sprintf("1390001%04d", i), OpenID: o})
		openids = append(openids, o)
	}
	if _, err := db.UpsertDeputies(ctx, ds); err != nil {
		b.Fatal(err)
	}
	starts := time.Now().In(loc).AddDate(0, 0, 7).Format("2006-01-02") + " 09:00"
	m, err := svc.Meetings.Create(ctx, by, core.MeetingInput{Kind: model.MeetingResearch, Title: "乡村振兴专题调研",
		StartsAt: starts, Place: "潍坊市寿光市", Organiser: "省人大常委会农业农村工作委员会"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Meetings.Invite(ctx, by, m.ID, model.Audience{All: true}); err != nil {
		b.Fatal(err)
	}
	for i, o := range openids {
		dep, err := db.GetDeputyByOpenID(ctx, o)
		if err != nil {
			b.Fatal(err)
		}
		sg := model.Suggestion{Number: fmt.Sprintf("第%04d号", i+1), Title: "关于加强农村饮水安全保障的建议",
			Session: "十四届人大三次会议", LeadDeputyID: dep.ID, HostUnit: "省水利厅", Summary: "建议加快农村供水工程建设。"}
		if err := svc.Suggestions.Create(ctx, &sg, nil); err != nil {
			b.Fatal(err)
		}
		if err := svc.Suggestions.RecordStep(ctx, &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied,
			ReplyCategory: "A", Actor: "省水利厅", Note: "已将相关工程列入年度计划，年内完工。"}); err != nil {
			b.Fatal(err)
		}
	}
	for _, t := range []string{"中华人民共和国预算法学习要点", "代表建议撰写指南", "人大代表履职基础知识"} {
		mat, err := svc.Materials.Create(ctx, by, core.MaterialInput{Title: t, Category: "法律法规",
			Summary: "供代表学习参考。", Body: "## " + t + "\n\n正文。"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Materials.Publish(ctx, by, mat.ID, core.PublishInput{}); err != nil {
			b.Fatal(err)
		}
	}
	return openids
}

// waitPushes waits until serve has pushed the invitations and rating
// requests (each deputy has two open asks) and its outbox is quiet, so
// the dispatch does not run during the measurement.
func waitPushes(b *testing.B, db *storage.DB, sim *wechatsim.Sim, openids []string) {
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for _, o := range openids {
		dep, err := db.GetDeputyByOpenID(ctx, o)
		if err != nil {
			b.Fatal(err)
		}
		for {
			asks, err := db.OpenAsks(ctx, dep.ID)
			if err != nil {
				b.Fatal(err)
			}
			if len(asks) >= 2 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("deputy %s has %d open asks after 2 minutes, want 2 (an invitation and a rating request)", o, len(asks))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for last := -1; ; {
		n := sim.TemplateSends()
		if n == last {
			break
		}
		last = n
		time.Sleep(time.Second)
	}
}

func (r *mixRig) bench(b *testing.B, traffic string, clients int) {
	ctx := context.Background()
	text := func(c, i int) string {
		switch traffic {
		case "mix":
			return commands[(c+i)%len(commands)]
		case "reads":
			return commands[(c+i)%readCommands]
		}
		return traffic
	}
	var ours, ref run
	per := map[string]*run{}
	for _, c := range commands {
		per[c] = &run{}
	}
	b.ResetTimer()
	for round := range rounds {
		n := b.N / rounds
		if round == rounds-1 {
			n = b.N - n*(rounds-1)
		}
		ref.add(load(clients, n, func(c, i int) error {
			rep, err := r.users[c].ref.SendText(ctx, text(c, i))
			if err == nil && rep.Msg == nil {
				err = errors.New("the reference gave no reply")
			}
			return err
		}))
		sent := make([]string, n)
		o := load(clients, n, func(c, i int) error {
			sent[i] = text(c, i)
			rep, err := r.users[c].bot.SendText(ctx, sent[i])
			if err == nil && rep.Msg == nil {
				err = fmt.Errorf("%s: no passive reply", sent[i])
			}
			return err
		})
		for i, c := range sent {
			per[c].lat = append(per[c].lat, o.lat[i])
		}
		ours.add(o)
	}
	b.StopTimer()
	if ours.failed > 0 || ref.failed > 0 {
		b.Fatalf("failed requests: deputybot %d (%v), reference %d (%v); serve's warnings:\n%s",
			ours.failed, ours.firstErr, ref.failed, ref.firstErr, r.serve.Out.String())
	}
	b.ReportMetric(ours.rate(), "req/s")
	b.ReportMetric(ours.pct(0.5), "p50-ms")
	b.ReportMetric(ours.pct(0.99), "p99-ms")
	b.ReportMetric(ref.rate(), "ref-req/s")
	b.ReportMetric(ref.pct(0.99), "ref-p99-ms")
	b.ReportMetric(ours.rate()/ref.rate(), "ratio")
	msg := fmt.Sprintf("%s, %d clients, %d requests each\n  deputybot: %s\n  reference: %s\n  ratio %.2f",
		traffic, clients, b.N, &ours, &ref, ours.rate()/ref.rate())
	if traffic == "mix" || traffic == "reads" {
		for _, c := range commands {
			if p := per[c]; len(p.lat) > 0 {
				msg += fmt.Sprintf("\n  %-4s p50 %6.2f ms  p99 %6.2f ms", c, p.pct(0.5), p.pct(0.99))
			}
		}
	}
	b.Log(msg)
}

// referenceReply is the passive reply of the reference: about 60 Chinese
// characters, as long as a typical answer of deputybot's.
var referenceReply = strings.Repeat("您好，已收到您的消息。", 5) + "工作人员将及时处理。"

// serveReference runs the reference handler with its passive reply on
// addr, on the database deputybot uses, until the process is stopped.
func serveReference(addr, driver, dsn string) error {
	db, err := storage.Open(context.Background(), driver, dsn)
	if err != nil {
		return err
	}
	ref := &reference{db: db.SQL(), reply: referenceReply,
		insert: "INSERT OR IGNORE INTO bench_ref_inbound (dedupe_key, created_at) VALUES (?, ?)"}
	if db.Dialect() == storage.MySQL {
		ref.insert = "INSERT IGNORE INTO bench_ref_inbound (dedupe_key, created_at) VALUES (?, ?)"
	}
	mux := http.NewServeMux()
	mux.Handle("/wechat", ref)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	return http.ListenAndServe(addr, mux)
}

// httptestServer serves sim's WeChat API and returns its base URL.
func httptestServer(b *testing.B, sim *wechatsim.Sim) string {
	srv := httptest.NewServer(sim.Handler())
	b.Cleanup(srv.Close)
	return srv.URL
}
