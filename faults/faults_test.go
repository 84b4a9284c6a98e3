//go:build faults

// Package faults_test checks the outbox's promise, "a crash neither loses
// nor doubles a message", with real processes: deputybot serve on
// MariaDB, killed with SIGKILL mid-campaign, sending to deputybot sim.
// Run it with scripts/faults.sh (go test -tags=faults ./faults/).
//
// FAULTS_DEPUTIES sets the number of bound, following deputies (default
// 2000; the figure is 10000); a tenth as many unbound ones are
// added. FAULTS_SEED replays the random kill points of a failed run.
package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/bench/benchkit"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestMain removes the deputybot binary the tests built (benchkit.Binary,
// once, on first use; BENCH_DEPUTYBOT names one built beforehand).
func TestMain(m *testing.M) {
	code := m.Run()
	benchkit.Cleanup()
	os.Exit(code)
}

// The simulated account, shared by sim and serve.
const (
	appID  = "wxfaults0000001"
	secret = "faults-secret"
	token  = "faultstoken"
	aesKey = "FaultsSimulatorKey0123456789abcdefghijklmno"
)

// templateConfig gives a real (non-simulator) serve its template.
const templateConfig = `wechat:
  templates:
    general_notice:
      id: TPL_GENERAL_NOTICE
      fields: {thing1: title, time2: time}
`

// proc is one running deputybot process.
type proc struct {
	*benchkit.Process
	name string
	log  *os.File // FAULTS_LOGS only
}

// kill ends the process the way a crash or an OOM killer does: SIGKILL,
// no shutdown, leases and connections left behind.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if !p.Exited() {
		if err := p.Cmd.Process.Kill(); err != nil {
			t.Fatalf("kill %s: %v", p.name, err)
		}
	}
	<-p.Done
}

// rig is a MariaDB database, a seeded registry, one sim process and the
// serve processes around them.
type rig struct {
	t         *testing.T
	dir       string
	db        *storage.DB
	env       []string // serve's and campaign's environment, without http.addr
	cfgPath   string
	simBase   string
	procs     []*proc
	bound     int // deputies bound and following, openids o-1 … o-N
	unbound   int
	openids   []string
	servePort map[string]int
}

func newRig(t *testing.T, serveNames ...string) *rig {
	t.Helper()
	return newRigDSN(t, storagetest.NewMySQLDatabase(t), benchkit.EnvInt("FAULTS_DEPUTIES", 2000), 200, serveNames...)
}

// newRigDSN seeds bound deputies (and a tenth as many unbound) in the
// database at dsn, starts the simulator, and prepares the environment of
// serve processes sending at rate messages per second.
func newRigDSN(t *testing.T, dsn string, bound, rate int, serveNames ...string) *rig {
	t.Helper()
	return newRigSpec(t, rigSpec{dsn: dsn, bound: bound, rate: rate, serves: serveNames})
}

// rigSpec describes a rig: the database, how many bound deputies, serve's
// send rate, extra flags for deputybot sim (its faults) and the names of
// the serve instances (the first one gets WeChat's callbacks).
type rigSpec struct {
	dsn         string
	bound, rate int
	simArgs     []string
	env         []string // serve's settings over the rig's (DEPUTYBOT_…=…)
	serves      []string
}

func newRigSpec(t *testing.T, spec rigSpec) *rig {
	t.Helper()
	dsn, bound, rate, serveNames := spec.dsn, spec.bound, spec.rate, spec.serves
	r := &rig{t: t, dir: t.TempDir(), bound: bound, unbound: max(bound/10, 1), servePort: map[string]int{}}
	r.cfgPath = filepath.Join(r.dir, "deputybot.yaml")
	if err := os.WriteFile(r.cfgPath, []byte(templateConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.stopAll)
	for _, n := range serveNames {
		r.servePort[n] = benchkit.FreePort(t)
	}
	// WeChat calls back the first instance, as a load balancer would pick one.
	r.startSim(fmt.Sprintf("http://127.0.0.1:%d/wechat", r.servePort[serveNames[0]]), spec.simArgs...)
	r.env = []string{
		"DEPUTYBOT_DATABASE_DRIVER=mysql", "DEPUTYBOT_DATABASE_DSN=" + dsn,
		"DEPUTYBOT_WECHAT_APP_ID=" + appID, "DEPUTYBOT_WECHAT_APP_SECRET=" + secret,
		"DEPUTYBOT_WECHAT_TOKEN=" + token, "DEPUTYBOT_WECHAT_ENCODING_AES_KEY=" + aesKey,
		"DEPUTYBOT_WECHAT_API_BASE=" + r.simBase,
		"DEPUTYBOT_DELIVERY_LEASE=3s", fmt.Sprintf("DEPUTYBOT_DELIVERY_RATE_PER_SECOND=%d", rate),
		"DEPUTYBOT_DELIVERY_QUIET_HOURS=", "DEPUTYBOT_DEMO=false", "DEPUTYBOT_LOG_LEVEL=info",
	}
	r.env = append(r.env, spec.env...) // exec keeps the last of a repeated name
	ctx := context.Background()
	db, err := storage.Open(ctx, "mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r.db = db
	r.seed(ctx)
	return r
}

// start runs deputybot with args and env (plus PATH and HOME only, so
// the caller's DEPUTYBOT_* cannot leak in).
func (r *rig) start(name string, env []string, args ...string) *proc {
	r.t.Helper()
	p := &proc{name: name}
	cmd := exec.Command(benchkit.Binary(r.t), args...)
	cmd.Env = env
	if dir := os.Getenv("FAULTS_LOGS"); dir != "" {
		// Keep every process's whole output, for a failure's post-mortem.
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%s-%d.log", r.t.Name(), name, len(r.procs))))
		if err != nil {
			r.t.Fatal(err)
		}
		p.log = f
		cmd.Stdout = f
	}
	p.Process = benchkit.Launch(r.t, cmd)
	r.procs = append(r.procs, p)
	return p
}

// stopAll kills what is left and, when the test failed, shows each
// process's last output.
func (r *rig) stopAll() {
	for _, p := range r.procs {
		p.Stop()
		if p.log != nil {
			p.log.Close()
		}
		if r.t.Failed() {
			out := p.Out.String()
			if len(out) > 4000 {
				out = "…" + out[len(out)-4000:]
			}
			r.t.Logf("--- output of %s (%s):\n%s", p.name, p.Cmd.ProcessState, out)
		}
	}
}

var apiBaseRE = regexp.MustCompile(`DEPUTYBOT_WECHAT_API_BASE=(\S+)`)

func (r *rig) startSim(callback string, extra ...string) {
	r.t.Helper()
	p := r.start("sim", nil, append([]string{"sim", "--addr", "127.0.0.1:0", "--callback", callback, "--mode", "safe",
		"--app-id", appID, "--app-secret", secret, "--token", token, "--aes-key", aesKey}, extra...)...)
	deadline := time.Now().Add(20 * time.Second)
	for r.simBase == "" {
		if m := apiBaseRE.FindStringSubmatch(p.Out.String()); m != nil {
			r.simBase = m[1]
		} else if p.Exited() || time.Now().After(deadline) {
			r.t.Fatalf("deputybot sim did not start:\n%s", p.Out.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// serve starts instance name on its fixed port (the sim's callback stays
// valid across restarts) and waits until it is healthy.
func (r *rig) serve(name string) *proc {
	r.t.Helper()
	port := r.servePort[name]
	p := r.start(name, append(slices.Clone(r.env), fmt.Sprintf("DEPUTYBOT_HTTP_ADDR=127.0.0.1:%d", port)),
		"serve", "--config", r.cfgPath)
	p.Port = port
	p.WaitHealthy(r.t)
	return p
}

// cli runs a short deputybot command to completion.
func (r *rig) cli(args ...string) string {
	r.t.Helper()
	cmd := exec.Command(benchkit.Binary(r.t), append(args, "--config", r.cfgPath)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, r.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("deputybot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// seed writes the registry straight into the database: bound, following
// deputies with openids o-1 … o-N (followers in the sim too), and among
// them unbound ones, who must be skipped.
func (r *rig) seed(ctx context.Context) {
	t := r.t
	start := time.Now()
	if _, err := r.db.UpsertDeputies(ctx, core.SampleDeputies(r.bound+r.unbound, 7)); err != nil {
		t.Fatal(err)
	}
	ds, _, err := r.db.ListDeputies(ctx, model.DeputyFilter{})
	if err != nil || len(ds) != r.bound+r.unbound {
		t.Fatalf("seeded %d deputies, want %d: %v", len(ds), r.bound+r.unbound, err)
	}
	// Every step-th deputy stays unbound, so each expansion batch mixes both.
	step := len(ds) / r.unbound
	var bound []model.Deputy
	for i, d := range ds {
		if (i+1)%step != 0 || i >= r.unbound*step {
			bound = append(bound, d)
		}
	}
	if len(bound) != r.bound {
		t.Fatalf("chose %d deputies to bind, want %d", len(bound), r.bound)
	}
	r.openids = make([]string, r.bound)
	jobs := make(chan int)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				openid := fmt.Sprintf("o-%d", i+1)
				err := r.db.BindDeputy(ctx, bound[i].ID, openid)
				if err == nil {
					err = r.db.RecordFollow(ctx, openid, true)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range r.bound {
		r.openids[i] = fmt.Sprintf("o-%d", i+1)
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	resp, err := http.Post(fmt.Sprintf("%s/admin/follow-many?prefix=o-&from=1&to=%d", r.simBase, r.bound), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("follow-many: HTTP %d", resp.StatusCode)
	}
	t.Logf("seeded %d bound and %d unbound deputies in %s", r.bound, r.unbound, time.Since(start).Round(time.Millisecond))
}

var campaignRE = regexp.MustCompile(`campaign (\d+) created`)

// send creates a campaign to everyone with the CLI and returns its id.
func (r *rig) send(extra ...string) int64 {
	r.t.Helper()
	out := r.cli(append([]string{"campaign", "send", "--all", "--title", "关于召开代表培训班的通知",
		"--body", "12月1日9时在省人大会堂举行，请准时参加。"}, extra...)...)
	m := campaignRE.FindStringSubmatch(out)
	if m == nil {
		r.t.Fatalf("campaign send printed %q", out)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	want := fmt.Sprintf("audience: %d deputies, %d reachable", r.bound+r.unbound, r.bound)
	if !strings.Contains(out, want) {
		r.t.Fatalf("campaign send printed %q, want %q", out, want)
	}
	return id
}

// progress is a campaign's state as the database has it.
type progress struct {
	status   string
	expanded bool
	counts   map[string]int
}

func (p progress) sent() int {
	return p.counts[model.DeliverySent] + p.counts[model.DeliveryDelivered] + p.counts[model.DeliveryRead]
}

func (p progress) String() string {
	return fmt.Sprintf("status %s, expanded %v, deliveries %v", p.status, p.expanded, p.counts)
}

func (r *rig) progress(id int64) progress {
	r.t.Helper()
	ctx := context.Background()
	c, err := r.db.GetCampaign(ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	counts, err := r.db.CampaignCounts(ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return progress{status: c.Status, expanded: c.ExpandedAt.Valid, counts: counts}
}

// waitFor polls the campaign until ok or the timeout.
func (r *rig) waitFor(id int64, timeout time.Duration, what string, ok func(progress) bool) progress {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := r.progress(id)
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("campaign %d: no %s after %s: %s", id, what, timeout, p)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

func (r *rig) waitDone(id int64) progress {
	r.t.Helper()
	return r.waitFor(id, 3*time.Minute, "end", func(p progress) bool { return p.status == model.CampaignDone })
}

// simCounts is the sim's /admin/counts answer.
type simCounts struct {
	TemplateSends      int            `json:"template_sends"`
	TemplateRequests   int            `json:"template_requests"`
	TemplateRefused    int            `json:"template_refused"`
	TemplateUnanswered int            `json:"template_unanswered"`
	PerOpenID          map[string]int `json:"per_openid"`
}

// accepted returns how many template messages WeChat has accepted so far:
// unlike the database, which records a batch at its end, it moves with
// every send, so a kill can land mid-batch.
func (r *rig) accepted() int {
	r.t.Helper()
	return r.getCounts("/admin/counts?brief=1").TemplateSends
}

// waitAccepted waits until WeChat has accepted n messages.
func (r *rig) waitAccepted(n int, timeout time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for r.accepted() < n {
		if time.Now().After(deadline) {
			r.t.Fatalf("WeChat has %d messages after %s, want %d", r.accepted(), timeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *rig) simCounts() simCounts {
	r.t.Helper()
	return r.getCounts("/admin/counts")
}

func (r *rig) getCounts(path string) simCounts {
	r.t.Helper()
	resp, err := http.Get(r.simBase + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var c simCounts
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		r.t.Fatal(err)
	}
	return c
}

// checkExactlyOnce asserts that every bound, following deputy got the
// notice exactly once on WeChat and that the database agrees.
func (r *rig) checkExactlyOnce(id int64) {
	t := r.t
	t.Helper()
	c := r.simCounts()
	var missing, twice []string
	for _, o := range r.openids {
		switch n := c.PerOpenID[o]; {
		case n == 0:
			missing = append(missing, o)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s×%d", o, n))
		}
		delete(c.PerOpenID, o)
	}
	if len(missing) > 0 {
		t.Errorf("%d deputies got no message, e.g. %v", len(missing), missing[:min(len(missing), 10)])
	}
	if len(twice) > 0 {
		t.Errorf("%d deputies got the message more than once, e.g. %v", len(twice), twice[:min(len(twice), 10)])
	}
	if len(c.PerOpenID) > 0 {
		t.Errorf("messages went to openids nobody is bound to: %v", c.PerOpenID)
	}
	if c.TemplateSends != r.bound {
		t.Errorf("WeChat accepted %d template messages, want %d", c.TemplateSends, r.bound)
	}
	p := r.progress(id)
	if p.sent() != r.bound || p.counts[model.DeliverySkipped] != r.unbound || len(p.counts) > 4 ||
		p.counts[model.DeliveryFailed] > 0 {
		t.Errorf("the database says %s; want %d sent/delivered/read and %d skipped, nothing else", p, r.bound, r.unbound)
	}
	t.Logf("WeChat: %d template requests for %d messages (%d resends absorbed by client_msg_id)",
		c.TemplateRequests, c.TemplateSends, c.TemplateRequests-c.TemplateSends)
	if out := r.cli("campaign", "status", strconv.FormatInt(id, 10)); !strings.Contains(out, "已完成 (done)") {
		t.Errorf("campaign status printed %q", out)
	}
	// The kill landed inside transactions: the kept counts moved with
	// the rows or not at all.
	storagetest.CampaignCountsRight(t, r.db)
}

func seed(t *testing.T) *rand.Rand {
	s := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("FAULTS_SEED"), 10, 64); err == nil {
		s = v
	}
	t.Logf("FAULTS_SEED=%d", s)
	return rand.New(rand.NewPCG(s, 0))
}

func TestACampaignSurvivesFiveKillsWithEachDeputyMessagedOnce(t *testing.T) {
	r := newRig(t, "serve")
	rng := seed(t)
	start := time.Now()
	srv := r.serve("serve")
	id := r.send()
	points := make([]float64, 5)
	for i := range points {
		points[i] = 0.05 + 0.85*rng.Float64()
	}
	slices.Sort(points)
	for i, f := range points {
		r.waitAccepted(int(f*float64(r.bound)), 2*time.Minute)
		srv.kill(t)
		p := r.progress(id)
		t.Logf("kill %d: WeChat has %d/%d; the database %d sent, %d claimed", i+1, r.accepted(), r.bound, p.sent(),
			p.counts[model.DeliverySending])
		srv = r.serve("serve")
	}
	p := r.waitDone(id)
	t.Logf("campaign done in %s after 5 kills: %s", time.Since(start).Round(time.Millisecond), p)
	r.checkExactlyOnce(id)
}

func TestTwoInstancesSendEachMessageOnceAndOneTakesOverTheOthersClaims(t *testing.T) {
	r := newRig(t, "serve-a", "serve-b")
	start := time.Now()
	r.serve("serve-a")
	b := r.serve("serve-b")
	id := r.send()
	r.waitAccepted(r.bound*6/10, 2*time.Minute)
	b.kill(t)
	p := r.progress(id)
	t.Logf("killed serve-b: WeChat has %d/%d; the database %d sent, %d claimed; serve-a goes on alone", r.accepted(), r.bound,
		p.sent(), p.counts[model.DeliverySending])
	p = r.waitDone(id)
	t.Logf("campaign done in %s: %s", time.Since(start).Round(time.Millisecond), p)
	r.checkExactlyOnce(id)
}

// TestACrashWhileExpandingTheAudienceLosesNoOne kills serve after it wrote
// the first batch of a campaign's deliveries and before it finished
// writing the audience. To stop it there, the test holds a row lock on
// the delivery row of the second batch's first deputy, so serve's insert
// of that batch waits. (MariaDB may still complete that orphaned insert
// once the lock goes; the third batch, with bound deputies in it, is
// certainly never written by the killed process.)
func TestACrashWhileExpandingTheAudienceLosesNoOne(t *testing.T) {
	r := newRig(t, "serve")
	const expandBatch = 1000 // notify's batch
	if r.bound+r.unbound <= expandBatch {
		t.Skipf("needs more than %d deputies (FAULTS_DEPUTIES)", expandBatch)
	}
	ctx := context.Background()
	srv := r.serve("serve")
	at := time.Now().Add(90 * time.Second).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04:05")
	id := r.send("--at", at)
	camp, err := r.db.GetCampaign(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var second int64
	if err := r.db.SQL().QueryRowContext(ctx, `SELECT id FROM deputies ORDER BY id LIMIT 1 OFFSET ?`, expandBatch).Scan(&second); err != nil {
		t.Fatal(err)
	}
	tx, err := r.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (source, campaign_id, notice_id, deputy_id, status, next_at,
		created_at) VALUES (?, ?, ?, ?, 'held', ?, ?)`, fmt.Sprintf("c%d", id), id, camp.NoticeID, second, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.SQL().ExecContext(ctx, `UPDATE campaigns SET send_at = ? WHERE id = ?`, now, id); err != nil {
		t.Fatal(err)
	}
	p := r.waitFor(id, time.Minute, "first batch", func(p progress) bool { return p.status != model.CampaignScheduled && len(p.counts) > 0 })
	srv.kill(t)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	p = r.progress(id)
	t.Logf("killed serve while expanding: %s", p)
	r.serve("serve")
	p = r.waitFor(id, time.Minute, "end", func(p progress) bool { return p.status == model.CampaignDone })
	t.Logf("after restart: %s", p)
	r.checkExactlyOnce(id)
}

// TestARestartAfterWeChatsDedupeWindowDoesNotDoubleMessages kills serve
// mid-batch and brings it back after more than WeChat's 10-minute
// client_msg_id window (both clocks move: the sim's forward, the
// database's timestamps back). A delivery claimed before the crash may
// have reached WeChat; resending it now would be a second message, so it
// must not go again: at most once, and a possible loss is recorded as a
// failure with its reason, never silent.
func TestARestartAfterWeChatsDedupeWindowDoesNotDoubleMessages(t *testing.T) {
	r := newRig(t, "serve")
	ctx := context.Background()
	srv := r.serve("serve")
	id := r.send()
	r.waitAccepted(r.bound/3, 2*time.Minute)
	srv.kill(t)
	p := r.progress(id)
	t.Logf("killed serve: WeChat has %d/%d; the database %d sent, %d claimed", r.accepted(), r.bound, p.sent(),
		p.counts[model.DeliverySending])
	// Eleven minutes pass.
	if _, err := r.db.SQL().ExecContext(ctx, `UPDATE deliveries SET first_try_at = first_try_at - INTERVAL 11 MINUTE,
		next_at = next_at - INTERVAL 11 MINUTE WHERE first_try_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(r.simBase+"/admin/advance?by=11m", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r.serve("serve")
	p = r.waitDone(id)
	t.Logf("after restart: %s", p)

	c := r.simCounts()
	ds, err := r.db.ListDeliveries(ctx, model.DeliveryFilter{CampaignID: id})
	if err != nil {
		t.Fatal(err)
	}
	var twice, silent []string
	lost := 0
	for _, d := range ds {
		if d.Status == model.DeliverySkipped {
			continue
		}
		switch n := c.PerOpenID[d.OpenID]; {
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s×%d", d.OpenID, n))
		case n == 0 && d.Status != model.DeliveryFailed:
			silent = append(silent, fmt.Sprintf("%s (%s)", d.OpenID, d.Status))
		case n == 0:
			lost++
		}
	}
	if len(twice) > 0 {
		t.Errorf("%d deputies got the message twice, e.g. %v", len(twice), twice[:min(len(twice), 10)])
	}
	if len(silent) > 0 {
		t.Errorf("%d deputies got nothing and the database does not say so, e.g. %v", len(silent), silent[:min(len(silent), 10)])
	}
	t.Logf("WeChat: %d messages for %d deputies; %d recorded as failed with an unknown outcome", c.TemplateSends, r.bound, lost)
}
