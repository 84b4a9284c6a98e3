// Package handlers assembles deputybot's HTTP surfaces into one server:
// the console (handlers/console, /admin), the JSON API (handlers/api,
// /api/v1), the H5 pages (handlers/h5), the WeChat callback
// (handlers/wechat), the simulator (/sim), the start page, /healthz and
// /metrics, behind request logging, metrics and panic recovery. It serves
// no action of its own.
package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is what the HTTP layer needs. Nil optional parts are not mounted.
type Deps struct {
	Log    *slog.Logger
	DB     Pinger
	WeChat http.Handler // the /wechat callback
	Sim    http.Handler // the fake WeChat platform, in simulator mode only
	Home   http.Handler // the start page
	H5     http.Handler // pages opened from WeChat, under /h5/
	Admin  http.Handler // the staff console, under /admin/ (see Admin)
	API    http.Handler // the JSON API, under /api/v1/ (see API)
	// Metrics counts requests and serves /metrics (Prometheus); nil for none.
	Metrics *Metrics
}

// New returns the server's root handler.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", health(d.DB))
	if d.WeChat != nil {
		mux.Handle("/wechat", d.WeChat)
	}
	if d.Sim != nil {
		mux.Handle("/sim/", http.StripPrefix("/sim", d.Sim))
		mux.Handle("GET /sim", http.RedirectHandler("/sim/", http.StatusFound))
	}
	if d.H5 != nil {
		mux.Handle("/h5/", d.H5)
	}
	if d.Admin != nil {
		mux.Handle("/admin/", d.Admin)
		mux.Handle("GET /admin", http.RedirectHandler("/admin/", http.StatusFound))
	}
	if d.API != nil {
		mux.Handle("/api/v1/", d.API)
	}
	if d.Home != nil {
		mux.Handle("GET /{$}", d.Home)
	}
	if d.Metrics != nil {
		mux.Handle("GET /metrics", d.Metrics.Handler())
	}
	return recoverPanics(d.Log, logRequests(d.Log, d.Metrics, mux))
}

func health(db Pinger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status, body := http.StatusOK, map[string]string{"status": "ok", "database": "ok"}
		if err := db.Ping(ctx); err != nil {
			status, body = http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"}
		}
		writeJSON(w, status, body)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs method, path, status and duration: never the query
// string (it carries openids and signatures) nor bodies.
func logRequests(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		level := slog.LevelInfo
		switch {
		case r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/sim/"):
			level = slog.LevelDebug
		case r.URL.Path == "/wechat" && rec.status < 400:
			// WeChat's callbacks come by the thousand in a campaign's status
			// storm; the metrics count them and the gateway logs what goes
			// wrong, so an answered one is not worth a line at info.
			level = slog.LevelDebug
		}
		elapsed := time.Since(start)
		m.observe(r.URL.Path, rec.status, elapsed)
		log.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration", elapsed.Round(time.Microsecond))
	})
}

func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", "path", r.URL.Path, "panic", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
