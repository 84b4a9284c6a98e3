package handlers_test

import (
	"net/http"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestTheBearerSchemeIsCaseInsensitive: RFC 6750 (through RFC 7235) makes
// the authentication scheme case-insensitive, so "bearer dbt_…" works on
// every API route, those of the api package and those still served by the
// older handlers alike; a missing token or another scheme stays 401.
func TestTheBearerSchemeIsCaseInsensitive(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	token := w.tokens[model.RoleStaff]
	for _, path := range []string{"/api/v1/me", "/api/v1/deputies", "/api/v1/meetings"} {
		for _, header := range []string{"Bearer " + token, "bearer " + token, "BEARER  " + token, " bEaReR " + token + " "} {
			req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
			req.Header.Set("Authorization", header)
			if res := w.do(t, http.DefaultClient, req); res.status != http.StatusOK {
				t.Errorf("GET %s with %q: %d %s", path, header, res.status, res.body)
			}
		}
		for _, header := range []string{"", "bearer", "Basic " + token, "Bearer" + token, "token " + token} {
			req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
			req.Header.Set("Authorization", header)
			if res := w.do(t, http.DefaultClient, req); res.status != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: %d, want 401", path, header, res.status)
			}
		}
	}
}
