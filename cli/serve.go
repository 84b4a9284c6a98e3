package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"deputybot/config"
	"deputybot/handlers"
	"deputybot/storage"
)

// shutdownTimeout bounds a graceful stop after SIGINT/SIGTERM.
const shutdownTimeout = 10 * time.Second

func init() {
	c := &command{
		name: "serve", summary: "run the web server (WeChat callback, console, API)",
		usage: "[--config FILE]",
		help: `Runs deputybot: the WeChat callback at /wechat, the console, the API and
/healthz. It applies pending database migrations first.

With no configuration it uses embedded SQLite at ./data/deputybot.db and,
while no wechat.app_id is set, runs in simulator mode: a built-in fake
WeChat platform with a phone page at /sim and demo deputies, so the whole
product can be tried without a WeChat account.

Stops cleanly (within 10 s) on Ctrl-C or SIGTERM.

Examples:
  deputybot serve
  DEPUTYBOT_DATABASE_DRIVER=mysql DEPUTYBOT_DATABASE_DSN='deputybot:secret@tcp(127.0.0.1:3306)/deputybot' deputybot serve`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		fs := c.flags(e)
		path := configFlag(fs)
		if code, ok := c.parse(e, fs, args); !ok {
			return code
		}
		cfg, ok := loadConfig(e, *path)
		if !ok {
			return exitUsage
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
	cfg config.Config
	log *slog.Logger
	db  *storage.DB
}

func serve(ctx context.Context, e *env, cfg config.Config) error {
	log := newLogger(cfg, e.stderr)
	startCtx, cancel := context.WithTimeout(ctx, time.Minute)
	db, ok := openDB(startCtx, e, cfg, true)
	cancel()
	if !ok {
		return errors.New("the database is not usable (see above)")
	}
	defer db.Close()
	a := &app{cfg: cfg, log: log, db: db}

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (http.addr): %w", cfg.HTTP.Addr, err)
	}
	base := publicURL(cfg, ln.Addr())
	h, err := a.handler(ctx, base)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.announce(e, base)
	log.Info("deputybot started", "addr", ln.Addr().String(), "database", cfg.Database.Driver, "simulator", cfg.Simulated())

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
	return handlers.New(handlers.Deps{Log: a.log, DB: a.db}), nil
}

func (a *app) announce(e *env, base string) {
	fmt.Fprintf(e.stderr, "\ndeputybot is running at %s\n  health:   %s/healthz\n", base, base)
	if a.cfg.Simulated() {
		fmt.Fprintf(e.stderr, "  simulator mode: no WeChat account configured\n")
	}
	fmt.Fprintln(e.stderr, "Press Ctrl-C to stop.")
}
