//go:build faults

package faults_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"deputybot/bench/benchkit"
	"deputybot/storage"
	"deputybot/wechatsim"
)

// outage is how long MariaDB is down in TestAMariaDBOutage….
const outage = 20 * time.Second

// privateMariaDB is a mariadbd of the test's own, on its own port and
// data directory, so that stopping it disturbs no other test.
type privateMariaDB struct {
	t       *testing.T
	bin     string
	dir     string
	port    int
	args    []string
	cmd     *exec.Cmd
	done    chan struct{}
	out     *benchkit.Buffer
	stopped bool
}

// needOrSkip fails under CI=true (the suite must run there) and skips
// elsewhere.
func needOrSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot run a private MariaDB, which this test needs (CI=true): "+format, args...)
	}
	t.Skipf("cannot run a private MariaDB: "+format, args...)
}

func lookFirst(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// startPrivateMariaDB initialises a data directory and starts mariadbd on
// a free port, bound to 127.0.0.1, without grant tables (nothing but this
// test can reach it).
func startPrivateMariaDB(t *testing.T) *privateMariaDB {
	t.Helper()
	install := lookFirst("mariadb-install-db", "mysql_install_db")
	server := lookFirst("mariadbd", "/usr/sbin/mariadbd", "mysqld", "/usr/sbin/mysqld")
	if install == "" || server == "" {
		needOrSkip(t, "mariadb-install-db and mariadbd are not installed (Debian: apt-get install mariadb-server)")
	}
	dir, err := os.MkdirTemp("", "deputybot-mariadb-") // short: the socket path is limited to 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	start := time.Now()
	cmd := exec.Command(install, "--no-defaults", "--datadir="+data, "--user="+u.Username,
		"--auth-root-authentication-method=normal", "--skip-test-db")
	if out, err := cmd.CombinedOutput(); err != nil {
		needOrSkip(t, "%s: %v\n%s", install, err, out)
	}
	m := &privateMariaDB{t: t, bin: server, dir: dir, port: benchkit.FreePort(t)}
	m.args = []string{"--no-defaults", "--datadir=" + data, "--user=" + u.Username,
		fmt.Sprintf("--port=%d", m.port), "--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "sock"),
		"--pid-file=" + filepath.Join(dir, "mariadbd.pid"), "--skip-grant-tables", "--skip-log-bin",
		"--innodb-buffer-pool-size=128M", "--max-connections=300"}
	t.Cleanup(m.stop)
	if err := m.start(); err != nil {
		needOrSkip(t, "%v", err)
	}
	t.Logf("private MariaDB on 127.0.0.1:%d ready in %s", m.port, time.Since(start).Round(time.Millisecond))
	return m
}

// start runs mariadbd and waits until it answers.
func (m *privateMariaDB) start() error {
	m.out = &benchkit.Buffer{}
	m.done = make(chan struct{})
	m.cmd = exec.Command(m.bin, m.args...)
	m.cmd.Stdout, m.cmd.Stderr = m.out, m.out
	if err := m.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", m.bin, err)
	}
	m.stopped = false
	done := m.done
	go func() { _ = m.cmd.Wait(); close(done) }()
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/?timeout=1s", m.port))
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err = db.Ping(); err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("mariadbd exited: %s\n%s", m.cmd.ProcessState, m.out.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd did not answer within a minute: %v\n%s", err, m.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts mariadbd down as `systemctl stop` does (SIGTERM) and waits
// for it to exit.
func (m *privateMariaDB) stop() {
	if m.stopped || m.cmd == nil {
		return
	}
	m.stopped = true
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
	}
}

func (m *privateMariaDB) dsn(database string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s", m.port, database)
}

// newRigOn is newRig on a given MySQL server: dsn names a server and a
// database to create there.
func newRigOn(t *testing.T, serverDSN, database string, bound int, serveNames ...string) *rig {
	t.Helper()
	admin, err := sql.Open("mysql", serverDSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	cfg, err := storage.MySQLConfig(serverDSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = database
	return newRigDSN(t, cfg.FormatDSN(), bound, 100, serveNames...)
}

// chatResult is one text message a deputy sent and what WeChat got back.
type chatResult struct {
	user   *wechatsim.User
	msgID  int64
	at     time.Time
	status int  // HTTP status; 0 for no answer (timeout, refused)
	reply  bool // a passive reply came back
	err    error
}

// chatter sends "帮助" from a few bound deputies in a loop, as WeChat
// delivers them (signed, encrypted, one delivery each: the test decides
// about retries), and keeps every outcome.
type chatter struct {
	mu      sync.Mutex
	results []chatResult
	stop    chan struct{}
	wg      sync.WaitGroup
}

func startChatter(r *rig, callback string, openids []string) *chatter {
	sim := wechatsim.New(wechatsim.Config{AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey,
		Mode: wechatsim.ModeSafe, CallbackURL: callback, Deliveries: 1, ReplyTimeout: 5 * time.Second})
	r.t.Cleanup(sim.Close)
	sim.AddFollowers(openids...)
	c := &chatter{stop: make(chan struct{})}
	var next atomic.Int64
	next.Store(7_000_000_000_000_000_000 + time.Now().UnixNano()%1_000_000_000*1000)
	for _, o := range openids {
		u := sim.User(o)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for {
				select {
				case <-c.stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				at, msgID := time.Now(), next.Add(1)
				rep, err := u.SendTextWithID(context.Background(), "帮助", msgID)
				c.mu.Lock()
				c.results = append(c.results, chatResult{user: u, msgID: msgID, at: at, status: rep.Status,
					reply: rep.Msg != nil, err: err})
				c.mu.Unlock()
			}
		}()
	}
	return c
}

func (c *chatter) halt() []chatResult {
	close(c.stop)
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.results
}

// probe is one /healthz answer.
type probe struct {
	at, end time.Time
	status  int
}

func pollHealth(url string, stop <-chan struct{}) <-chan []probe {
	out := make(chan []probe, 1)
	client := &http.Client{Timeout: 5 * time.Second}
	go func() {
		var ps []probe
		defer func() { out <- ps }()
		for {
			p := probe{at: time.Now()}
			if resp, err := client.Get(url); err == nil {
				p.status = resp.StatusCode
				resp.Body.Close()
			}
			p.end = time.Now()
			ps = append(ps, p)
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return out
}

// TestAMariaDBOutageOf20sLosesNothing stops MariaDB for 20 s in the middle
// of a campaign and of a stream of deputies' messages. serve must stay up,
// answer /healthz 503 meanwhile and 200 after, refuse callbacks it cannot
// record with a non-200 status (WeChat then delivers them again) and
// handle them when they come again, and finish the campaign with every
// reachable deputy messaged exactly once.
//
// Callbacks during the outage fail rather than answer "success": the
// dedupe record and the conversation state are in the database, so a
// message taken without it could be neither answered nor kept safely;
// WeChat's re-delivery is the queue. (WeChat gives up after three
// deliveries in about 15 s, so a longer outage loses the messages of its
// first seconds: the test redelivers them itself after the outage.)
func TestAMariaDBOutageOf20sLosesNothing(t *testing.T) {
	m := startPrivateMariaDB(t)
	r := newRigOn(t, m.dsn(""), "deputybot", min(benchkit.EnvInt("FAULTS_DEPUTIES", 2000), 2000), "serve")
	srv := r.serve("serve")
	base := fmt.Sprintf("http://127.0.0.1:%d", r.servePort["serve"])
	id := r.send()
	chat := startChatter(r, base+"/wechat", r.openids[:8])
	stopHealth := make(chan struct{})
	health := pollHealth(base+"/healthz", stopHealth)

	// FAULTS_OUTAGE=freeze stops the server with SIGSTOP instead: a hung
	// database (connections open, nothing answered) rather than a stopped one.
	freeze := os.Getenv("FAULTS_OUTAGE") == "freeze"
	r.waitAccepted(r.bound/4, time.Minute)
	down := time.Now()
	if freeze {
		_ = m.cmd.Process.Signal(syscall.SIGSTOP)
		t.Cleanup(func() { _ = m.cmd.Process.Signal(syscall.SIGCONT) })
	} else {
		m.stop()
	}
	t.Logf("MariaDB stopped (freeze %v): WeChat has %d/%d template messages", freeze, r.accepted(), r.bound)
	time.Sleep(outage - time.Since(down))
	if srv.Exited() {
		t.Fatalf("serve exited during the outage: %s", srv.Cmd.ProcessState)
	}
	restart := time.Now()
	if freeze {
		_ = m.cmd.Process.Signal(syscall.SIGCONT)
	} else if err := m.start(); err != nil {
		t.Fatalf("restart MariaDB: %v", err)
	}
	up := time.Now()
	t.Logf("MariaDB back after %s (restart took %s)", up.Sub(down).Round(time.Millisecond), up.Sub(restart).Round(time.Millisecond))
	healthy := waitHealthy(t, base+"/healthz", 30*time.Second)
	t.Logf("/healthz 200 again %s after MariaDB answered", healthy.Sub(up).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // messages after the outage
	results := chat.halt()
	close(stopHealth)
	probes := <-health

	t.Run("healthz answers 503 during the outage and 200 after", func(t *testing.T) {
		checkHealthProbes(t, probes, down, restart, healthy)
	})
	var retry []chatResult
	t.Run("callbacks during the outage are refused, never answered success without a reply", func(t *testing.T) {
		retry = checkCallbacks(t, results, down, up, healthy)
	})
	t.Run("refused messages are handled when WeChat delivers them again", func(t *testing.T) {
		lost := 0
		for _, res := range retry {
			rep, err := res.user.SendTextWithID(context.Background(), "帮助", res.msgID)
			if err != nil || rep.Msg == nil {
				lost++
				if lost <= 5 {
					t.Errorf("message %d (%s, first sent %s after the stop, answered %d %v): re-delivered after the outage, got HTTP %d, reply %v, %v",
						res.msgID, res.user.OpenID(), res.at.Sub(down).Round(time.Millisecond), res.status, res.err, rep.Status, rep.Msg != nil, err)
				}
			}
		}
		if lost > 0 {
			t.Errorf("%d messages lost: their dedupe claim is in the database as 'processing' although no one handles them "+
				"(the claim committed while its statement failed, or the handler failed after it), so each re-delivery is answered "+
				"\"success\" as a duplicate", lost)
		}
		t.Logf("re-delivered %d refused messages after the outage: %d handled, %d not", len(retry), len(retry)-lost, lost)
	})

	p := r.waitDone(id)
	t.Logf("campaign done %s after the outage: %s", time.Since(up).Round(time.Millisecond), p)
	r.checkExactlyOnce(id)
	if srv.Exited() {
		t.Errorf("serve exited: %s", srv.Cmd.ProcessState)
	}
}

func waitHealthy(t *testing.T, url string, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not 200 within %s of MariaDB's return", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkHealthProbes: 503 while MariaDB is down (after a second's grace for
// the stop, until the test starts restarting it: MariaDB may answer
// serve before it answers the test's own readiness check), 200 from when
// it is healthy again; never no answer.
func checkHealthProbes(t *testing.T, probes []probe, down, restart, healthy time.Time) {
	t.Helper()
	var during, after, bad int
	for _, p := range probes {
		switch {
		case p.at.After(down.Add(time.Second)) && p.end.Before(restart):
			during++
			if p.status != http.StatusServiceUnavailable {
				bad++
				t.Errorf("/healthz %s into the outage answered %d, want 503", p.at.Sub(down).Round(time.Millisecond), p.status)
			}
		case p.at.After(healthy):
			after++
			if p.status != http.StatusOK {
				bad++
				t.Errorf("/healthz %s after recovery answered %d, want 200", p.at.Sub(healthy).Round(time.Millisecond), p.status)
			}
		}
	}
	if during == 0 || after == 0 {
		t.Errorf("/healthz probed %d times during the outage and %d after; want some of each", during, after)
	}
	t.Logf("/healthz: %d probes during the outage, %d after, %d wrong", during, after, bad)
}

// checkCallbacks sorts the messages: before the stop and after recovery
// each must have been answered with a reply; during the outage each must
// have been refused (non-200), never "success" without an answer, which
// would lose it. It returns the refused ones, for re-delivery.
func checkCallbacks(t *testing.T, results []chatResult, down, up, healthy time.Time) []chatResult {
	t.Helper()
	var before, during, after, refused, swallowed int
	var retry []chatResult
	for _, res := range results {
		if res.status != http.StatusOK {
			retry = append(retry, res)
		}
		switch {
		case res.at.Before(down.Add(-2 * time.Second)):
			before++
			if res.status != http.StatusOK || !res.reply {
				t.Errorf("message %d before the outage: HTTP %d, reply %v, %v", res.msgID, res.status, res.reply, res.err)
			}
		case res.at.Before(up):
			// From just before the stop (answers still in flight) to the restart.
			during++
			switch {
			case res.status == http.StatusOK && !res.reply:
				swallowed++
				if swallowed <= 5 {
					t.Errorf("message %d sent %s into the outage was answered \"success\" with no reply: WeChat will not deliver it again, so it is lost",
						res.msgID, res.at.Sub(down).Round(time.Millisecond))
				}
			case res.status != http.StatusOK:
				refused++
				var se *wechatsim.StatusError
				if !errors.As(res.err, &se) || se.Status != http.StatusServiceUnavailable {
					t.Logf("message %d during the outage: %v (not a 503)", res.msgID, res.err)
				}
			}
		case res.at.After(healthy):
			after++
			if res.status != http.StatusOK || !res.reply {
				t.Errorf("message %d after recovery: HTTP %d, reply %v, %v", res.msgID, res.status, res.reply, res.err)
			}
		}
	}
	if during == 0 || refused == 0 {
		t.Errorf("%d messages sent during the outage, %d refused; want some", during, refused)
	}
	t.Logf("callbacks: %d before the outage, %d during (%d refused, %d answered \"success\" without a reply), %d after",
		before, during, refused, swallowed, after)
	return retry
}
