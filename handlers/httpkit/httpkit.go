// Package httpkit is what every HTTP surface of deputybot shares: request
// ids, the signed-in account in the request context, the client's address,
// cross-origin protection, security headers, JSON responses and the one
// mapping of core's errors to HTTP statuses.
package httpkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

type requestIDKey struct{}

// WithRequestID gives every request an id, echoed in X-Request-Id and in
// the log, so a 500 shown to staff can be found. A request that already
// has one (an outer surface gave it) keeps it.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r.Context()) != "" {
			next.ServeHTTP(w, r)
			return
		}
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestID returns the request's id, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type accountKey struct{}

// WithAccount records the signed-in account in ctx.
func WithAccount(ctx context.Context, a model.Account) context.Context {
	return context.WithValue(ctx, accountKey{}, a)
}

// AccountOf returns the signed-in account, and false outside a session.
func AccountOf(ctx context.Context) (model.Account, bool) {
	a, ok := ctx.Value(accountKey{}).(model.Account)
	return a, ok
}

// ClientAddr is the client's IP for the login limit. Behind a reverse
// proxy on the same machine (docs/deploy.md) it is the last address the
// proxy appended to X-Forwarded-For; the header is ignored otherwise, so
// a client cannot choose its own address.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			last := strings.TrimSpace(xff[strings.LastIndexByte(xff, ',')+1:])
			if net.ParseIP(last) != nil {
				return last
			}
		}
	}
	return host
}

// CrossOrigin refuses cross-site non-GET requests from browsers, trusting
// the service's own public origin (behind a proxy that rewrites Host,
// browsers without Sec-Fetch-Site are still recognised by their Origin).
func CrossOrigin(publicURL string, log *slog.Logger, next http.Handler, deny http.HandlerFunc) http.Handler {
	cop := http.NewCrossOriginProtection()
	if u, err := url.Parse(publicURL); err == nil && u.Scheme != "" && u.Host != "" {
		_ = cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Warn("cross-origin request refused", "path", r.URL.Path, "request_id", RequestID(r.Context()))
		deny(w, r)
	}))
	return cop.Handler(next)
}

// ConsoleHeaders keeps console pages out of caches and frames; they load
// only their own assets.
func ConsoleHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

// APIHeaders keeps API answers out of caches.
func APIHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// BearerToken returns the token of an Authorization header in the Bearer
// scheme. The scheme is case-insensitive (RFC 6750 via RFC 7235), so
// "bearer dbt_…" is as good as "Bearer dbt_…".
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	return token, strings.EqualFold(scheme, "Bearer") && token != ""
}

// WriteJSON writes v as the JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Status maps an error from core to the HTTP status every surface
// answers it with: 422 for field errors, 404, 403 and 409 for the refusal
// kinds, 500 for anything else.
func Status(err error) int {
	if _, ok := core.Fields(err); ok {
		return http.StatusUnprocessableEntity
	}
	switch {
	case errors.Is(err, model.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, model.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, model.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// RouteInfo describes a route of a surface, for tests and docs.
type RouteInfo struct {
	Method, Pattern string
	Roles           []string // the roles allowed; empty when Public
	Public          bool
}
