package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"deputybot/wechatsim"
)

// maxFollowMany bounds one /admin/follow-many call.
const maxFollowMany = 200000

func init() {
	c := &command{
		name: "sim", summary: "run the fake WeChat platform as its own process",
		usage: "[--addr HOST:PORT] [--callback URL] [--mode plain|compatible|safe] [--latency D] [--fault-rate R --fault-code N] [--timeout-rate R]",
		help: `Runs wechatsim, the fake WeChat platform deputybot's tests use, as a separate
process: the WeChat API under /cgi-bin/…, the phone page at / (chat as a
deputy), its JSON API under /api/…, and for tests /admin/…:

  GET  /admin/counts                         template messages in all and per openid, and
                                             how many template sends were refused (an
                                             errcode) or left unanswered (a timeout)
                                             (?brief=1: only the totals, cheap to poll)
  POST /admin/follow?openid=ID               make ID a follower without telling the bot
  POST /admin/follow-many?prefix=o-&from=1&to=10000
                                             the same for o-1 … o-10000
  POST /admin/advance?by=11m                 move the platform's clock forward (its
                                             10-minute client_msg_id window, token expiry)

(a follow that the bot hears about, as a subscribe event, is POST /api/follow).
It prints the settings a separate 'deputybot serve' needs to use it; a real
account's template IDs (wechat.templates) still come from a config file, and
the simulator accepts any template ID. --latency delays every API answer;
--fault-rate answers that fraction of API calls with --fault-code instead;
--timeout-rate carries out that fraction and never answers them, so the
caller times out not knowing the outcome (both may be set; a call drawn
for both gets the errcode).

Stops on Ctrl-C or SIGTERM.

Example:
  deputybot sim --addr 127.0.0.1:8090 --callback http://127.0.0.1:8080/wechat --mode safe
  # in another shell, with the printed settings:
  DEPUTYBOT_WECHAT_APP_ID=wxdeputybotsim0001 … DEPUTYBOT_WECHAT_API_BASE=http://127.0.0.1:8090 deputybot serve`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flags(e)
		addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (port 0 picks a free one)")
		callback := fs.String("callback", "http://127.0.0.1:8080/wechat", "deputybot's WeChat callback URL")
		appID := fs.String("app-id", simAppID, "the simulated account's AppID")
		secret := fs.String("app-secret", simSecret, "its AppSecret")
		token := fs.String("token", simToken, "the callback token")
		aesKey := fs.String("aes-key", simAESKey, "the 43-character EncodingAESKey")
		mode := fs.String("mode", "safe", "callback security mode: plain, compatible or safe")
		latency := fs.Duration("latency", 0, "added before every API answer, e.g. 200ms")
		faultRate := fs.Float64("fault-rate", 0, "fraction (0–1] of API calls answered with --fault-code")
		faultCode := fs.Int("fault-code", -1, "WeChat errcode of the injected faults (-1 system busy, 45009 frequency limit …)")
		timeoutRate := fs.Float64("timeout-rate", 0, "fraction (0–1] of API calls carried out and then never answered (the caller times out)")
		faultPath := fs.String("fault-path", "", "limit faults and latency to one API path, e.g. /cgi-bin/message/template/send")
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(e.stderr, "deputybot sim: unexpected argument %q\n", fs.Arg(0))
			return exitUsage
		}
		cfg, err := simConfig(*appID, *secret, *token, *aesKey, *mode, *callback)
		if err == nil {
			err = checkFault(*latency, *faultRate)
		}
		if err == nil && (*timeoutRate < 0 || *timeoutRate > 1) {
			err = fmt.Errorf("--timeout-rate must be between 0 and 1, got %v", *timeoutRate)
		}
		if err == nil && *faultRate == 0 && flagSet(fs, "fault-code") {
			err = errors.New("--fault-code needs --fault-rate (the fraction of calls that fail)")
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "deputybot sim: %v\n", err)
			return exitUsage
		}
		var offset atomic.Int64 // /admin/advance moves the platform's clock
		cfg.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		sim := wechatsim.New(cfg)
		defer sim.Close()
		if *latency > 0 {
			sim.AddFault(wechatsim.Fault{Path: *faultPath, Latency: *latency})
		}
		if *faultRate > 0 {
			sim.AddFault(wechatsim.Fault{Path: *faultPath, ErrCode: *faultCode, Rate: *faultRate})
		}
		if *timeoutRate > 0 {
			sim.AddFault(wechatsim.Fault{Path: *faultPath, TimeoutAfterRead: true, Rate: *timeoutRate})
		}
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		if err := runSim(ctx, e, sim, &offset, *addr); err != nil {
			fmt.Fprintf(e.stderr, "deputybot sim: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	register(c)
}

func simConfig(appID, secret, token, aesKey, mode, callback string) (wechatsim.Config, error) {
	cfg := wechatsim.Config{AppID: appID, AppSecret: secret, Token: token, EncodingAESKey: aesKey, CallbackURL: callback}
	switch mode {
	case "plain":
		cfg.Mode = wechatsim.ModePlain
	case "compatible":
		cfg.Mode = wechatsim.ModeCompatible
	case "safe":
		cfg.Mode = wechatsim.ModeSafe
	default:
		return cfg, fmt.Errorf("--mode must be plain, compatible or safe, not %q", mode)
	}
	if appID == "" || secret == "" || token == "" {
		return cfg, errors.New("--app-id, --app-secret and --token must not be empty")
	}
	if len(aesKey) != 43 {
		return cfg, fmt.Errorf("--aes-key must be 43 characters, got %d", len(aesKey))
	}
	return cfg, nil
}

func checkFault(latency time.Duration, rate float64) error {
	if latency < 0 {
		return fmt.Errorf("--latency must not be negative, got %s", latency)
	}
	// The simulator reads a rate of 0 or ≥1 as "every call": only 1 means that here.
	if rate < 0 || rate > 1 {
		return fmt.Errorf("--fault-rate must be between 0 and 1, got %v", rate)
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runSim serves sim on addr until ctx ends.
func runSim(ctx context.Context, e *env, sim *wechatsim.Sim, offset *atomic.Int64, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           simAdmin(sim, offset),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.NewTextHandler(e.stderr, nil), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	cfg := sim.Config()
	fmt.Fprintf(e.stderr, "wechatsim is running at %s (%s mode), calling %s\n", base, cfg.Mode, sim.CallbackURL())
	fmt.Fprintf(e.stderr, "  phone page: %s/   counts: %s/admin/counts\nSettings for deputybot serve:\n", base, base)
	fmt.Fprintf(e.stdout, "DEPUTYBOT_WECHAT_APP_ID=%s\nDEPUTYBOT_WECHAT_APP_SECRET=%s\nDEPUTYBOT_WECHAT_TOKEN=%s\n"+
		"DEPUTYBOT_WECHAT_ENCODING_AES_KEY=%s\nDEPUTYBOT_WECHAT_API_BASE=%s\n",
		cfg.AppID, cfg.AppSecret, cfg.Token, cfg.EncodingAESKey, base)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}

// simCounts is the /admin/counts answer.
type simCounts struct {
	// TemplateSends counts accepted template messages; a resend with the
	// same client_msg_id inside WeChat's 10-minute window is not one.
	TemplateSends int `json:"template_sends"`
	// TemplateRequests counts calls to the template API, resends and
	// injected faults included.
	TemplateRequests int64 `json:"template_requests"`
	// TemplateRefused counts template calls answered with an errcode;
	// TemplateUnanswered those the caller gave up on before an answer
	// (a timeout: the message may have gone).
	TemplateRefused    int64          `json:"template_refused"`
	TemplateUnanswered int64          `json:"template_unanswered"`
	Users              int            `json:"users,omitempty"`
	Following          int            `json:"following,omitempty"`
	PerOpenID          map[string]int `json:"per_openid,omitempty"` // openids with at least one template message
}

// simAdmin wraps the simulator's handler with the /admin/ endpoints tests
// drive a separate sim process with.
func simAdmin(sim *wechatsim.Sim, offset *atomic.Int64) http.Handler {
	var templateRequests, refused, unanswered atomic.Int64
	inner := sim.Handler()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/counts", func(w http.ResponseWriter, r *http.Request) {
		c := simCounts{TemplateSends: sim.TemplateSends(), TemplateRequests: templateRequests.Load(),
			TemplateRefused: refused.Load(), TemplateUnanswered: unanswered.Load()}
		if r.URL.Query().Get("brief") != "" {
			// Cheap enough to poll while sending.
			writeAdminJSON(w, http.StatusOK, c)
			return
		}
		c.PerOpenID = map[string]int{}
		for _, u := range sim.Users() {
			c.Users++
			if u.Following {
				c.Following++
			}
			for _, m := range sim.Messages(u.OpenID) {
				if m.Kind == wechatsim.KindTemplate {
					c.PerOpenID[u.OpenID]++
				}
			}
		}
		writeAdminJSON(w, http.StatusOK, c)
	})
	mux.HandleFunc("POST /admin/follow", func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSpace(r.URL.Query().Get("openid"))
		if id == "" {
			writeAdminJSON(w, http.StatusBadRequest, map[string]string{"error": "openid is required"})
			return
		}
		sim.AddFollowers(id)
		writeAdminJSON(w, http.StatusOK, map[string]int{"followed": 1})
	})
	mux.HandleFunc("POST /admin/follow-many", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, err1 := strconv.Atoi(q.Get("from"))
		to, err2 := strconv.Atoi(q.Get("to"))
		if err1 != nil || err2 != nil || from > to || to-from >= maxFollowMany {
			writeAdminJSON(w, http.StatusBadRequest, map[string]string{
				"error": fmt.Sprintf("from and to must be numbers, from ≤ to, at most %d at once", maxFollowMany)})
			return
		}
		ids := make([]string, 0, to-from+1)
		for i := from; i <= to; i++ {
			ids = append(ids, q.Get("prefix")+strconv.Itoa(i))
		}
		sim.AddFollowers(ids...)
		writeAdminJSON(w, http.StatusOK, map[string]int{"followed": len(ids)})
	})
	mux.HandleFunc("POST /admin/advance", func(w http.ResponseWriter, r *http.Request) {
		by, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err != nil || by < 0 {
			writeAdminJSON(w, http.StatusBadRequest, map[string]string{"error": "by must be a duration such as 11m"})
			return
		}
		offset.Add(int64(by))
		writeAdminJSON(w, http.StatusOK, map[string]string{"now": sim.Config().Now().Format(time.RFC3339)})
	})
	mux.Handle("/", inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cgi-bin/message/template/send" {
			mux.ServeHTTP(w, r)
			return
		}
		templateRequests.Add(1)
		rw := &answerWriter{ResponseWriter: w}
		mux.ServeHTTP(rw, r)
		switch {
		case !rw.wrote:
			unanswered.Add(1)
		case bytes.Contains(rw.head, []byte(`"errcode":`)) && !bytes.Contains(rw.head, []byte(`"errcode":0`)):
			refused.Add(1)
		}
	})
}

// answerWriter notes whether an answer was written and keeps its start.
type answerWriter struct {
	http.ResponseWriter
	wrote bool
	head  []byte
}

func (w *answerWriter) Write(p []byte) (int, error) {
	w.wrote = true
	if len(w.head) < 64 {
		w.head = append(w.head, p[:min(len(p), 64-len(w.head))]...)
	}
	return w.ResponseWriter.Write(p)
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
