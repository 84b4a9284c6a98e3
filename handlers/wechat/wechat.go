// Package wechat serves the WeChat callback, GET|POST /wechat: it checks
// the size and hands the request to the gateway (bot.Gateway), which
// verifies, decrypts, deduplicates and answers.
package wechat

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"deputybot/bot"
	"deputybot/obs"
)

// MaxCallbackBody is the largest callback body accepted; WeChat's own
// messages are a few kilobytes.
const MaxCallbackBody = 64 << 10

// Callback is the WeChat inbound pipeline (bot.Gateway).
type Callback interface {
	Verify(q url.Values) (string, error)
	Serve(ctx context.Context, q url.Values, body []byte) ([]byte, error)
}

// Handler returns the GET|POST /wechat handler.
func Handler(cb Callback, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			// A panic anywhere still answers WeChat, so it does not retry.
			if v := recover(); v != nil {
				log.Error("panic in wechat callback", "panic", v)
				writeSuccess(w)
			}
		}()
		switch r.Method {
		case http.MethodGet:
			echo, err := cb.Verify(r.URL.Query())
			if err != nil {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, echo)
		case http.MethodPost:
			ctx, measure := obs.StartCallback(r.Context())
			defer measure.Finish()
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCallbackBody))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				measure.Outcome(obs.RefusedSize)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			if err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			out, err := cb.Serve(ctx, r.URL.Query(), body)
			measure.Outcome(callbackOutcome(out, err))
			if err != nil {
				log.Warn("wechat callback refused", "reason", err.Error(), "remote", r.RemoteAddr)
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			if out == nil {
				// Let WeChat re-deliver: the message could not be recorded.
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			_, _ = w.Write(out)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "success")
}

// callbackOutcome reads a callback's outcome off the gateway's answer;
// the gateway notes the finer ones (duplicate, late, malformed) itself.
func callbackOutcome(out []byte, err error) string {
	switch {
	case errors.Is(err, bot.ErrStaleRequest):
		return obs.RefusedStale
	case errors.Is(err, bot.ErrPlaintext):
		return obs.RefusedPlaintext
	case errors.Is(err, bot.ErrReplayed):
		return obs.RefusedReplay
	case err != nil:
		return obs.RefusedSignature
	case out == nil:
		return obs.Error
	case bytes.Equal(out, bot.Success):
		return obs.Empty
	}
	return obs.Replied
}
