// Package benchkit runs deputybot the way production does, for the
// benchmarks under bench/: the binary built once, `deputybot serve` in a
// process of its own, started with an environment and stopped with
// SIGTERM, and its CPU time and memory read from /proc.
package benchkit

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	bin       string
	buildErr  error
)

// Binary builds deputybot once per test binary, on first use, so a plain
// `go test ./...` that runs no benchmark builds nothing. BENCH_DEPUTYBOT
// names a binary built beforehand instead. Call Cleanup from TestMain.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("BENCH_DEPUTYBOT"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "deputybot-bench-"); buildErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		bin = filepath.Join(binDir, "deputybot")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = filepath.Dir(filepath.Dir(filepath.Dir(file))) // the module's root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return bin
}

// Cleanup removes the binary Binary built.
func Cleanup() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// EnvInt reads a positive integer from the environment, def otherwise.
func EnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// Buffer keeps a process's output for a failure's report.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// FreePort returns a TCP port on 127.0.0.1 nobody listens on now.
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Process is one child process serving HTTP on Port.
type Process struct {
	Cmd  *exec.Cmd
	Out  *Buffer
	Port int
	Done chan struct{}
}

// Launch runs cmd (its environment gains PATH and HOME) and returns at
// once. Its output is kept in Out, and goes to cmd.Stdout too when that
// is set (a log file); the process is stopped when the test ends.
func Launch(tb testing.TB, cmd *exec.Cmd) *Process {
	tb.Helper()
	p := &Process{Cmd: cmd, Out: &Buffer{}, Done: make(chan struct{})}
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, cmd.Env...)
	var out io.Writer = p.Out
	if cmd.Stdout != nil {
		out = io.MultiWriter(p.Out, cmd.Stdout)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", cmd.Path, err)
	}
	go func() { _ = cmd.Wait(); close(p.Done) }()
	tb.Cleanup(p.Stop)
	return p
}

// Start launches cmd (see Launch) and waits until it is healthy on port.
func Start(tb testing.TB, cmd *exec.Cmd, port int) *Process {
	tb.Helper()
	p := Launch(tb, cmd)
	p.Port = port
	p.WaitHealthy(tb)
	return p
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.Done:
		return true
	default:
		return false
	}
}

// WaitHealthy waits until http://127.0.0.1:Port/healthz answers 200,
// failing the test if the process exits first or a minute passes.
func (p *Process) WaitHealthy(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", p.Port)); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if p.Exited() {
			tb.Fatalf("%s exited:\n%s", p.Cmd.Path, p.Out.String())
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s not healthy within a minute:\n%s", p.Cmd.Path, p.Out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Serve starts `deputybot serve` with env (DEPUTYBOT_… settings; the
// HTTP address is set here) and config, a YAML file or "".
func Serve(tb testing.TB, config string, env ...string) *Process {
	tb.Helper()
	port := FreePort(tb)
	args := []string{"serve"}
	if config != "" {
		args = append(args, "--config", config)
	}
	cmd := exec.Command(Binary(tb), args...)
	cmd.Env = append(env, fmt.Sprintf("DEPUTYBOT_HTTP_ADDR=127.0.0.1:%d", port))
	return Start(tb, cmd, port)
}

// Stop sends SIGTERM and waits up to 15 s before killing.
func (p *Process) Stop() {
	if p.Exited() {
		return
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.Done:
	case <-time.After(15 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-p.Done
	}
}

// MemKB reads a field of /proc/<pid>/status in kB: VmHWM is the peak
// resident set, VmRSS the current one.
func (p *Process) MemKB(tb testing.TB, field string) int {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Cmd.Process.Pid))
	if err != nil {
		tb.Fatalf("read the process's status (Linux only): %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				tb.Fatalf("%s: %q", field, line)
			}
			return kb
		}
	}
	tb.Fatalf("no %s in /proc/%d/status", field, p.Cmd.Process.Pid)
	return 0
}

// CPUSeconds is the process's user+system CPU time so far, from
// /proc/<pid>/stat (fields 14 and 15, in USER_HZ = 100 ticks a second).
func (p *Process) CPUSeconds(tb testing.TB) float64 {
	tb.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Cmd.Process.Pid))
	if err != nil {
		tb.Fatalf("read the process's stat (Linux only): %v", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}
