package handlers_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"deputybot/handlers"
)

// An answered WeChat callback writes no request line at info (a status
// storm brings thousands a minute; the metrics count them), but a refused
// one does, as every console request does.
func TestAnsweredCallbacksAreNotLoggedAtInfo(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	status := http.StatusOK
	wechat := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
	admin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := handlers.New(handlers.Deps{Log: log, WeChat: wechat, Admin: admin})
	serve := func(method, path string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, strings.NewReader("x")))
	}

	serve(http.MethodPost, "/wechat")
	if strings.Contains(buf.String(), "http request") {
		t.Fatalf("an answered callback was logged at info: %s", buf.String())
	}
	status = http.StatusForbidden
	serve(http.MethodPost, "/wechat")
	if !strings.Contains(buf.String(), "path=/wechat status=403") {
		t.Fatalf("a refused callback was not logged: %q", buf.String())
	}
	serve(http.MethodGet, "/admin/")
	if !strings.Contains(buf.String(), "path=/admin/ status=200") {
		t.Fatalf("a console request was not logged: %q", buf.String())
	}
}
