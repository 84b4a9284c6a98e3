package cli

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"deputybot/bot"
	"deputybot/config"
	"deputybot/core"
	"deputybot/handlers"
	"deputybot/handlers/h5"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/templates"
	"deputybot/wechatsim"
)

// shutdownTimeout bounds a graceful stop after SIGINT/SIGTERM.
const shutdownTimeout = 10 * time.Second

func init() {
	c := &command{
		name: "serve", summary: "run the web server (WeChat callback, console, API)",
		usage: "[--config FILE] [--allow-remote-sim]",
		help: `Runs deputybot: the WeChat callback at /wechat, the console, the API and
/healthz. It applies pending database migrations first.

With no configuration it uses embedded SQLite at ./data/deputybot.db and,
while no wechat.app_id is set, runs in simulator mode: a built-in fake
WeChat platform with a phone page at /sim and demo deputies, so the whole
product can be tried without a WeChat account. Simulator mode listens on
127.0.0.1 only (whoever reaches the simulator can act as any WeChat user),
whatever http.addr says, unless --allow-remote-sim (or sim.allow_remote)
is given; then the phone page opens only with the key link printed at start.

Stops cleanly (within 10 s) on Ctrl-C or SIGTERM.

Examples:
  deputybot serve
  DEPUTYBOT_DATABASE_DRIVER=mysql DEPUTYBOT_DATABASE_DSN='deputybot:secret@tcp(127.0.0.1:3306)/deputybot' deputybot serve`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flags(e)
		path := configFlag(fs)
		remote := fs.Bool("allow-remote-sim", false, "simulator mode: listen on http.addr as given, not only on 127.0.0.1 (the phone page then needs the key printed at start)")
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		cfg, ok := loadConfig(e, *path)
		if !ok {
			return exitUsage
		}
		if *remote {
			cfg.Sim.AllowRemote = true
		}
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		if err := serve(ctx, e, cfg); err != nil {
			fmt.Fprintf(e.stderr, "deputybot serve: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	register(c)
}

// app holds the running server's parts, for wiring and shutdown.
type app struct {
	cfg    config.Config
	log    *slog.Logger
	db     *storage.DB
	sim    *wechatsim.Sim // simulator mode only
	client *bot.Client
	gw     *bot.Gateway
	outbox *notify.Outbox
	disp   *notify.Dispatcher
	links  *notify.Signer
	core   *core.Services // the use cases, built once and shared by every surface
	// adminPassword is the first admin's one-time password, set only on
	// the start that created it.
	adminPassword string
	// simKey opens the simulator's phone page when it is reachable from
	// other machines (sim.allow_remote); empty on loopback.
	simKey string
	// loopbackOnly: simulator mode narrowed http.addr to 127.0.0.1.
	loopbackOnly bool
}

// The simulated account's credentials: fixed, so a restart keeps working
// with the token stored in the database.
const (
	simAppID  = "wxdeputybotsim0001"
	simSecret = "deputybot-simulator-secret"
	simToken  = "deputybotsim"
	simAESKey = "DeputybotSimulatorKey0123456789abcdefghijkl"
)

func serve(ctx context.Context, e *env, cfg config.Config) error {
	log := newLogger(cfg, e.stderr)
	// Libraries that log through slog's default (the WeChat client) follow
	// the configured level and format.
	slog.SetDefault(log)
	startCtx, cancel := context.WithTimeout(ctx, time.Minute)
	db, ok := openDB(startCtx, e, cfg, true)
	cancel()
	if !ok {
		return errors.New("the database is not usable (see above)")
	}
	defer db.Close()
	// The use cases, built once: every part below gets these, with their
	// one clock and time zone.
	a := &app{cfg: cfg, log: log, db: db, core: newServices(db, cfg)}
	var err error
	if a.adminPassword, _, err = a.core.Staff.EnsureAdmin(ctx); err != nil {
		return fmt.Errorf("create the first admin account: %w", err)
	}
	sched, err := newJobScheduler(db, a.core, cfg, log)
	if err != nil {
		return err
	}
	if cfg.DemoData() {
		seeded, err := seedDemo(ctx, db, log)
		if err != nil {
			return err
		}
		seeder := core.CLIActor(model.Account{}, "demo")
		if seeded {
			// The first start: a meeting, a suggestion to rate, a survey, a
			// solicitation and a finished notice beside the deputies.
			if err := a.core.SeedDemoWorld(ctx, seeder); err != nil {
				return fmt.Errorf("seed the demo world: %w", err)
			}
			log.Info("seeded a demo meeting, suggestion, survey, solicitation and notice")
		}
		if n, err := a.core.Materials.SeedDemo(ctx, seeder, a.core.Files, a.core.Courses); err != nil {
			return fmt.Errorf("seed demo study materials: %w", err)
		} else if n > 0 {
			log.Info("seeded demo study materials", "count", n)
		}
	}

	addr := cfg.HTTP.Addr
	if cfg.Simulated() && !cfg.Sim.AllowRemote {
		addr = loopbackAddr(addr)
		a.loopbackOnly = addr != cfg.HTTP.Addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (http.addr): %w", addr, err)
	}
	base := publicURL(cfg, ln.Addr())
	h, err := a.handler(ctx, base)
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.Scheduler.Enabled {
		if err := sched.Start(ctx); err != nil {
			ln.Close()
			return err
		}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	dispCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDispatch()
	dispDone := make(chan struct{})
	go func() {
		defer close(dispDone)
		a.disp.Run(dispCtx, time.Second)
	}()
	if a.sim != nil {
		// Ends the phone page's long polls, which would hold Shutdown.
		srv.RegisterOnShutdown(a.sim.Close)
	}
	if cfg.HTTP.DebugAddr != "" {
		dbg, err := serveProfiler(cfg.HTTP.DebugAddr, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer dbg.Close()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if a.sim != nil {
		// The simulated account gets its menu as a real one would from `menu sync`.
		go func() {
			if _, err := a.client.CreateMenu(ctx, bot.MenuJSON(cfg.WeChat.Menu, base)); err != nil {
				log.Warn("simulator: menu not created", "err", err)
			}
		}()
	}
	a.announce(e, base)
	log.Info("deputybot started", "addr", ln.Addr().String(), "database", cfg.Database.Driver, "simulator", cfg.Simulated(),
		"simulator_remote", cfg.Simulated() && cfg.Sim.AllowRemote)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := sched.Stop(shutCtx); err != nil {
		log.Warn("scheduled jobs still running at shutdown", "err", err)
	}
	stopDispatch()
	select {
	case <-dispDone:
	case <-shutCtx.Done():
		log.Warn("dispatcher still sending at shutdown; its claimed deliveries return to the queue when their lease ends")
	}
	if err := a.gw.Wait(shutCtx); err != nil {
		log.Warn("late WeChat answers still running at shutdown", "err", err)
	}
	if a.sim != nil {
		a.sim.Close()
	}
	log.Info("stopped")
	return nil
}

// publicURL is http.public_url, or a localhost URL for the bound address.
func publicURL(cfg config.Config, addr net.Addr) string {
	if cfg.HTTP.PublicURL != "" {
		return cfg.HTTP.PublicURL
	}
	port := addr.(*net.TCPAddr).Port
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

func (a *app) handler(ctx context.Context, base string) (http.Handler, error) {
	texts, err := templates.Load(a.cfg.TextsDir)
	if err != nil {
		return nil, err
	}
	wc := a.cfg.WeChat
	if a.cfg.Simulated() {
		wc.AppID, wc.AppSecret, wc.Token, wc.EncodingAESKey = simAppID, simSecret, simToken, simAESKey
		wc.APIBase = base + "/sim"
		a.sim = wechatsim.New(wechatsim.Config{
			AppID: simAppID, AppSecret: simSecret, Token: simToken, EncodingAESKey: simAESKey,
			Mode: wechatsim.ModeSafe, CallbackURL: base + "/wechat",
		})
		// The simulated account has a template for every notice kind, as
		// the mapping outboxConfig gives it.
		var ids []string
		for kind, label := range model.KindLabels {
			ids = append(ids, "SIM_"+kind)
			a.sim.SetTemplateInfo("SIM_"+kind, wechatsim.TemplateInfo{Title: label,
				Keywords: map[string]string{"thing1": "事项", "time2": "时间", "thing3": "备注"}})
		}
		a.sim.SetTemplates(ids...)
	}
	a.client, err = bot.NewClient(bot.ClientConfig{AppID: wc.AppID, AppSecret: wc.AppSecret, APIBase: wc.APIBase}, a.db)
	if err != nil {
		return nil, err
	}
	router := bot.NewRouter(a.core, a.db, texts, a.log, a.cfg.Conversation.IdleTimeout)
	router.PagesURL = base // publicURL has no trailing slash
	router.Media = a.client
	a.gw = &bot.Gateway{
		Wire:    bot.Wire{Token: wc.Token, EncodingAESKey: wc.EncodingAESKey, AppID: wc.AppID, Clock: a.core},
		Inbox:   a.db,
		Nonces:  a.db,
		Handler: router,
		Sender:  a.client,
		Log:     a.log,
		Clock:   a.core,
	}
	if a.links, err = notify.NewSigner(ctx, a.db); err != nil {
		return nil, err
	}
	a.links.Now = a.core.Now
	a.outbox = newOutbox(a.db, a.core, a.cfg, base, a.log)
	if a.disp, err = notify.NewDispatcher(a.outbox, bot.NotifySender{Client: a.client}, a.links); err != nil {
		return nil, err
	}
	deps := handlers.Deps{Metrics: handlers.NewMetrics(a.db), Log: a.log, DB: a.db, WeChat: wechat.Handler(a.gw, a.log), Home: handlers.Home(a.cfg.Simulated(), nil, nil)}
	oauth := h5.OAuth{AppID: wc.AppID, AppSecret: wc.AppSecret, APIBase: wc.APIBase}
	if a.sim != nil {
		deps.Sim = a.sim.Handler()
		if a.cfg.Sim.AllowRemote {
			a.simKey = newSimKey()
			deps.Sim = simGate(a.simKey, deps.Sim)
		}
		deps.Home = handlers.Home(true, a.demoLogins, a.oneTimePassword)
		oauth.AuthorizeURL = base + "/sim/connect/oauth2/authorize"
	}
	deps.H5 = h5.Handler(h5.Deps{Services: a.core, Signer: a.links, Log: a.log, PublicURL: base, OAuth: oauth})
	a.core.Settings.UseTemplateCatalog(a.client.Templates)
	a.core.Campaigns.UseTemplates(a.outbox.Template)
	console := handlers.AdminDeps{Services: a.core, SessionStore: a.db.Sessions(), Log: a.log, PublicURL: base,
		Outbox: a.outbox, Config: &a.cfg, MenuSync: a.client.CreateMenu}
	deps.Admin, deps.API = handlers.Admin(console), handlers.API(console)
	return handlers.New(deps), nil
}

func (a *app) announce(e *env, base string) {
	fmt.Fprintf(e.stderr, "\ndeputybot is running at %s\n", base)
	if a.sim != nil {
		fmt.Fprintf(e.stderr, "  simulator mode (no wechat.app_id): a fake WeChat platform runs inside deputybot\n")
		if a.simKey == "" {
			narrowed := ""
			if a.loopbackOnly {
				narrowed = fmt.Sprintf(" (not %s)", a.cfg.HTTP.Addr)
			}
			fmt.Fprintf(e.stderr, "  listening on 127.0.0.1 only%s: in the simulator anyone can act as any WeChat user.\n", narrowed)
			fmt.Fprintf(e.stderr, "               To open it to other machines, start with --allow-remote-sim (or sim.allow_remote: true).\n")
			fmt.Fprintf(e.stderr, "  phone page:  %s/sim/   (chat as a deputy: send 绑定, then a demo deputy's name and the last 4 phone digits)\n", base)
		} else {
			fmt.Fprintf(e.stderr, "  simulator reachable from other machines (--allow-remote-sim): the phone page opens only with this key link\n")
			fmt.Fprintf(e.stderr, "  phone page:  %s/sim/?key=%s\n", base, a.simKey)
		}
		if demo := a.demoLogins(context.Background()); len(demo) > 0 {
			fmt.Fprintf(e.stderr, "               e.g. %s, %s (the start page lists more)\n", demo[0].Name, demo[0].Last4)
		}
	}
	fmt.Fprintf(e.stderr, "  console:     %s/admin/\n", base)
	if a.adminPassword != "" {
		fmt.Fprintf(e.stderr, "               first start: log in as admin with the one-time password %s (you will be asked to change it)\n", a.adminPassword)
	}
	fmt.Fprintf(e.stderr, "  start page:  %s/\n  health:      %s/healthz\n", base, base)
	fmt.Fprintln(e.stderr, "Press Ctrl-C to stop.")
}

// outboxConfig turns the configuration into the outbox's, in svc's time
// zone. In simulator mode every notice kind gets a template, as a real
// account would have.
func outboxConfig(cfg config.Config, svc *core.Services, base string) notify.Config {
	tpls := map[string]notify.Template{}
	for kind, t := range cfg.WeChat.Templates {
		tpls[kind] = notify.Template{ID: t.ID, Fields: t.Fields}
	}
	if cfg.Simulated() && len(tpls) == 0 {
		for kind := range model.KindLabels {
			tpls[kind] = notify.Template{ID: "SIM_" + kind, Fields: map[string]string{"thing1": "title", "time2": "time", "thing3": "note"}}
		}
	}
	return notify.Config{
		PublicURL: base, Templates: tpls, RatePerSecond: cfg.Delivery.RatePerSecond, QuietHours: cfg.Delivery.QuietHours,
		DailyQuota: cfg.Delivery.DailyQuota, Loc: svc.Location(), Lease: cfg.Delivery.Lease,
		Workers: cfg.Delivery.Concurrency,
	}
}

// demoLogins lists a few unbound deputies with phones, for the simulator's
// start page: what a newcomer types to bind.
func (a *app) demoLogins(ctx context.Context) []handlers.DemoLogin {
	no := false
	ds, _, err := a.db.ListDeputies(ctx, model.DeputyFilter{Bound: &no, Status: model.StatusActive, Limit: 5})
	if err != nil {
		return nil
	}
	var out []handlers.DemoLogin
	for _, d := range ds {
		if len(d.Phone) == 11 {
			out = append(out, handlers.DemoLogin{Name: d.Name, Delegation: d.Delegation, Last4: d.Phone[7:]})
		}
	}
	return out
}

// seedDemo fills an empty registry with demo deputies, on first start in
// simulator mode; seeded reports that it did.
func seedDemo(ctx context.Context, db *storage.DB, log *slog.Logger) (seeded bool, err error) {
	total, _, err := db.CountDeputies(ctx)
	if err != nil || total > 0 {
		return false, err
	}
	res, err := db.UpsertDeputies(ctx, core.DemoDeputies())
	if err != nil {
		return false, fmt.Errorf("seed demo deputies: %w", err)
	}
	log.Info("seeded demo deputies", "count", res.Created)
	return true, nil
}

// loopbackAddr is addr (http.addr) on the loopback interface: its port on
// 127.0.0.1, unless it names a loopback host already.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr // net.Listen says what is wrong with it
	}
	if host == "localhost" {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// oneTimePassword is the first admin's one-time password for the start
// page: only on the start that created it, only while nobody has logged in
// with it, and never when the simulator is reachable from other machines
// (the start page needs no login; the password is in the start output).
func (a *app) oneTimePassword(ctx context.Context) string {
	if a.adminPassword == "" || a.simKey != "" {
		return ""
	}
	admin, err := a.core.Staff.GetByUsername(ctx, "admin")
	if err != nil || admin.LastLoginAt != nil || !admin.MustChangePassword {
		return ""
	}
	return a.adminPassword
}

const simKeyCookie = "deputybot_sim"

func newSimKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// simGate guards the simulator when it is reachable from other machines:
// the phone page, its API (every user's transcript) and the web
// authorisation page open only for a browser that came with the key
// printed at start (kept in a cookie). The fake WeChat API deputybot
// itself calls (/cgi-bin/…, /sns/oauth2/access_token) needs the app
// secret or an access token anyway and stays open to it.
func simGate(key string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/cgi-bin/") || strings.HasPrefix(r.URL.Path, "/sns/") {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(simKeyCookie); err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(key)) == 1 {
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query(); subtle.ConstantTimeCompare([]byte(q.Get("key")), []byte(key)) == 1 {
			http.SetCookie(w, &http.Cookie{Name: simKeyCookie, Value: key, Path: "/sim/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
				Secure: r.TLS != nil})
			q.Del("key")
			u := *r.URL
			u.Path, u.RawQuery = "/sim"+r.URL.Path, q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, simGatePage)
	})
}

const simGatePage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>需要访问密钥</title></head><body style="font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem">
<h1 style="font-size:1.3rem">模拟手机需要访问密钥</h1>
<p>本服务以模拟模式运行，并允许其他电脑访问。模拟手机可以冒充任何微信用户、查看任何用户的聊天记录，因此只能通过启动时打印的带密钥链接（<code>/sim/?key=…</code>）打开。</p>
<p>请向启动本服务的人员索取该链接，或在服务器上查看启动输出。</p></body></html>`

// serveProfiler serves net/http/pprof on addr (a loopback address,
// config.Validate makes sure) until the returned server is closed.
func serveProfiler(addr string, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (http.debug_addr): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("profiler listening", "addr", ln.Addr().String())
	return srv, nil
}
