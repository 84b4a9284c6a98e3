package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// repoRoot is the module root: the parent of this file's folder.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("runtime.Caller: no file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// goTool is the go command of the toolchain running the test.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// chromiumPath finds Debian's chromium, or skips the test (fails it in CI,
// where .ci/run installs chromium).
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("E2E_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" && fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required in CI; .ci/run installs it (apt-get install chromium fonts-noto-cjk)")
	}
	t.Skip("chromium not found: install it with `apt-get install -y chromium fonts-noto-cjk` (or run scripts/e2e.sh) to run the browser tests")
	return ""
}

// lockedBuffer collects a process's output for the failure log.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is a running `deputybot serve` in simulator mode.
type server struct {
	URL      string
	DBPath   string
	Password string // the first admin's one-time password
	cmd      *exec.Cmd
	log      lockedBuffer
	exited   chan struct{}
	waitErr  error
}

var oneTimePassword = regexp.MustCompile(`one-time password (\S+)`)

// buildServer builds the deputybot binary into dir.
func buildServer(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "deputybot")
	cmd := exec.Command(goTool(), "build", "-o", bin, ".")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer runs bin as `deputybot serve` in simulator mode on a free
// port with a fresh SQLite file, no quiet hours and no demo deputies, reads the one-time admin password from its
// stderr and waits for /healthz.
func startServer(t *testing.T, bin, dir string) *server {
	t.Helper()
	return startServerEnv(t, bin, dir)
}

// startServerEnv is startServer with more environment variables, which
// override its own (DEPUTYBOT_DEMO=true: the simulator's demo world).
func startServerEnv(t *testing.T, bin, dir string, extra ...string) *server {
	t.Helper()
	port := freePort(t)
	s := &server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), DBPath: filepath.Join(dir, "db", "deputybot.db"), exited: make(chan struct{})}
	cmd := exec.Command(bin, "serve")
	cmd.Dir = dir
	env := []string{}
	for _, kv := range os.Environ() {
		// An unknown DEPUTYBOT_* variable is a configuration error.
		if !strings.HasPrefix(kv, "DEPUTYBOT_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"DEPUTYBOT_DATABASE_DSN="+s.DBPath,
		"DEPUTYBOT_HTTP_ADDR="+fmt.Sprintf("127.0.0.1:%d", port),
		"DEPUTYBOT_HTTP_PUBLIC_URL="+s.URL,
		"DEPUTYBOT_DELIVERY_QUIET_HOURS=", // pushes go out at any time of day
		// No demo deputies: the journey imports
		// testdata/deputies-sample.xlsx (20 new rows) and expects the start
		// page to offer only those deputies for binding.
		"DEPUTYBOT_DEMO=false",
	)
	cmd.Env = append(cmd.Env, extra...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start deputybot: %v", err)
	}
	s.cmd = cmd
	password := make(chan string, 1)
	var readers sync.WaitGroup
	readers.Go(func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if m := oneTimePassword.FindStringSubmatch(line); m != nil {
				select {
				case password <- m[1]:
				default:
				}
			}
		}
	})
	readers.Go(func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.log.WriteString(sc.Text() + "\n")
		}
	})
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("deputybot output:\n%s", tail(s.log.String(), 80))
		}
	})

	select {
	case s.Password = <-password:
	case <-s.exited:
		t.Fatalf("deputybot exited at start (%v):\n%s", s.waitErr, s.log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("deputybot printed no one-time password within 60 s:\n%s", s.log.String())
	}
	s.waitHealthy(t)
	return s
}

func (s *server) waitHealthy(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("deputybot exited (%v):\n%s", s.waitErr, s.log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s/healthz did not answer 200 within 30 s", s.URL)
}

// stop sends SIGTERM and requires a clean exit (status 0) within 10 s.
func (s *server) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("deputybot still running 10 s after SIGTERM")
	}
	if s.waitErr != nil {
		t.Fatalf("deputybot exited with %v after SIGTERM", s.waitErr)
	}
	took := time.Since(start)
	t.Logf("deputybot stopped %v after SIGTERM", took.Round(time.Millisecond))
	if took > time.Second {
		// Show what the shutdown waited for.
		log := s.log.String()
		if i := strings.LastIndex(log, "shutting down"); i >= 0 {
			t.Logf("its shutdown:\n%s", log[strings.LastIndex(log[:i], "\n")+1:])
		}
	}
}

func tail(s string, lines int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// browser starts headless Chromium with the flags this machine needs (no
// sandbox as root, no background networking: the network is closed) and a
// fresh profile.
func browser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return bctx
}

// tab is one browser tab.
type tab struct {
	ctx  context.Context
	base string // the server's URL
}

// newTab opens a tab in the browser of parent; width and height set the
// viewport (0: the window's).
func newTab(t *testing.T, parent context.Context, base string, width, height int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent)
	t.Cleanup(cancel)
	if width > 0 {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1))); err != nil {
			t.Fatalf("viewport: %v", err)
		}
	} else if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return &tab{ctx: ctx, base: base}
}

// within runs f with a context bounded by d; the tab itself stays open.
func (b *tab) within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, d)
}

// open navigates to path (relative to the server) and returns the status.
func (b *tab) open(t *testing.T, path string) int64 {
	t.Helper()
	ctx, cancel := b.within(20 * time.Second)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit runs steps (a click on a submit button) and waits for the page
// they navigate to; it returns the final response's status.
func (b *tab) submit(t *testing.T, steps ...chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	ctx, cancel := b.within(20 * time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return resp.Status
}

// do runs actions that need no navigation.
func (b *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := b.within(20 * time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%v", err)
	}
}

// path is the current URL's path.
func (b *tab) path(t *testing.T) string {
	t.Helper()
	return eval[string](t, b, `location.pathname`)
}

// text is the visible text of the first element matching css.
func (b *tab) text(t *testing.T, css string) string {
	t.Helper()
	ctx, cancel := b.within(10 * time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, b *tab, expr string) T {
	t.Helper()
	ctx, cancel := b.within(10 * time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until the JavaScript predicate is truthy, re-checking on
// every DOM change; what says what was awaited, for the failure message.
func waitJS[T any](t *testing.T, b *tab, d time.Duration, what, expr string) T {
	t.Helper()
	ctx, cancel := b.within(d + 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(d)))
	if err != nil {
		body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("waiting for %s: %v\npage text:\n%s", what, err, tail(body, 40))
	}
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// pageHas waits until the page's text contains want.
func (b *tab) pageHas(t *testing.T, want string) {
	t.Helper()
	waitJS[bool](t, b, 15*time.Second, fmt.Sprintf("%q on %s", want, b.base),
		fmt.Sprintf(`document.body && document.body.innerText.includes(%s)`, jsString(want)))
}

// screenshot saves a PNG of the whole page as dir/name.
func (b *tab) screenshot(t *testing.T, dir, name string) {
	t.Helper()
	ctx, cancel := b.within(20 * time.Second)
	defer cancel()
	// Let web fonts and late layout settle before the capture.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Logf("fonts.ready: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// answerDialogs accepts every JavaScript dialog of the tab, typing reply
// into prompts, until ctx ends.
func (b *tab) answerDialogs(reply string) {
	dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, err := chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true, PromptText: reply})
			if err != nil && !errors.Is(err, context.Canceled) {
				return
			}
		}
	}()
}

// screenshotDir is docs/screenshots when E2E_SCREENSHOTS=1 (to regenerate
// the committed pictures), else a temporary folder, so a plain run leaves
// the tree clean.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if os.Getenv("E2E_SCREENSHOTS") == "1" {
		dir := filepath.Join(repoRoot(t), "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}
