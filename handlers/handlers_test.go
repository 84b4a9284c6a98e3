package handlers_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"deputybot/handlers"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestHealthz(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := storagetest.Open(t, storage.SQLite)
	closed := storagetest.Open(t, storage.SQLite)
	closed.Close()
	tests := []struct {
		name   string
		db     handlers.Pinger
		status int
		state  string
	}{
		{"a reachable database answers 200", db, http.StatusOK, "ok"},
		{"a closed database answers 503", closed, http.StatusServiceUnavailable, "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(handlers.New(handlers.Deps{Log: log, DB: tt.db}))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body["database"] != tt.state {
				t.Fatalf("got %d %v, want %d database=%s", resp.StatusCode, body, tt.status, tt.state)
			}
		})
	}
}

func TestMetricsCountRequestsAndReadTheOutbox(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := storagetest.Open(t, storage.SQLite)
	srv := httptest.NewServer(handlers.New(handlers.Deps{Log: log, DB: db, Metrics: handlers.NewMetrics(db)}))
	defer srv.Close()
	for i := 0; i < 3; i++ {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`deputybot_http_requests_total{area="healthz",code="200"} 3`, `deputybot_database_up 1`,
		`deputybot_deputies{state="total"} 0`, "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
