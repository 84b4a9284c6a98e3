package handlers_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// consoleFieldErr finds a field the console's form marks wrong: the
// field's name and its message.
var consoleFieldErr = regexp.MustCompile(`(?s)<div class="field[^"]*has-err[^"]*">.*?name="([^"]+)".*?<div class="err">(.*?)</div>`)

// consoleFieldErrors reads the field errors of a console page as
// key → message.
func consoleFieldErrors(body string) map[string]string {
	out := map[string]string{}
	for _, m := range consoleFieldErr.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// apiFieldErrors reads the fields of an API 422 answer as key → message.
func apiFieldErrors(t *testing.T, body string) map[string]string {
	t.Helper()
	var e struct {
		Fields []struct{ Field, Message string }
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = f.Message
	}
	return out
}

// TestBadInputGetsTheSameAnswerFromConsoleAndAPI sends the same bad input
// to each create or update action the console and the API share: both
// refuse it with 422, name the same fields with the same messages, and
// store nothing.
func TestBadInputGetsTheSameAnswerFromConsoleAndAPI(t *testing.T) {
	tests := []struct {
		name        string
		consolePath string
		form        url.Values
		method      string
		apiPath     string
		body        string
	}{
		{"a deputy with no name and a short phone", "/admin/deputies",
			url.Values{"name": {""}, "delegation": {"济南市代表团"}, "level": {"provincial"}, "phone": {"1380000"}},
			http.MethodPost, "/api/v1/deputies", `{"name":"","delegation":"济南市代表团","level":"provincial","phone":"1380000"}`},
		{"a deputy renamed to nothing with a bad birth date", "/admin/deputies/1",
			url.Values{"name": {""}, "delegation": {"济南市代表团"}, "level": {"provincial"}, "birth_date": {"1970-13-01"}},
			http.MethodPut, "/api/v1/deputies/1", `{"name":"","delegation":"济南市代表团","level":"provincial","birth_date":"1970-13-01"}`},
		{"a meeting without a title that ends before it starts", "/admin/meetings",
			url.Values{"kind": {"research"}, "title": {""}, "starts_at": {"2026-03-10T09:00"}, "ends_at": {"2026-03-09T17:00"}},
			http.MethodPost, "/api/v1/meetings", `{"kind":"research","title":"","starts_at":"2026-03-10T09:00:00+08:00","ends_at":"2026-03-09T17:00:00+08:00"}`},
		{"an empty reply to an opinion", "/admin/opinions/1/reply", url.Values{"reply": {"  "}},
			http.MethodPost, "/api/v1/opinions/1/reply", `{"reply":"  "}`},
		{"a campaign without a title or body", "/admin/campaigns",
			url.Values{"kind": {"general_notice"}, "title": {""}, "body": {""}, "delegation": {"济南市代表团"}, "when": {"now"}, "action": {"send"}},
			http.MethodPost, "/api/v1/campaigns", `{"kind":"general_notice","title":"","body":"","audience":{"delegations":["济南市代表团"]}}`},
		{"an account with a bad username", "/admin/accounts",
			url.Values{"username": {"张 伟"}, "name": {"张伟"}, "role": {"readonly"}},
			http.MethodPost, "/api/v1/accounts", `{"username":"张 伟","name":"张伟","role":"readonly"}`},
		{"a station without a name or address", "/admin/stations",
			url.Values{"name": {""}, "address": {""}, "delegation": {"济南市代表团"}},
			http.MethodPost, "/api/v1/stations", `{"name":"","address":"","delegation":"济南市代表团"}`},
		{"a station renamed to nothing", "/admin/stations/1", url.Values{"name": {""}, "address": {"济南市历下区泺源大街 2 号"}},
			http.MethodPut, "/api/v1/stations/1", `{"name":"","address":"济南市历下区泺源大街 2 号"}`},
		{"a material without a title", "/admin/materials",
			url.Values{"file": {""}, "title": {""}, "body": {"# 宪法"}, "category": {"政治理论"}},
			http.MethodPost, "/api/v1/materials", `{"title":"","body":"# 宪法","category":"政治理论"}`},
		{"a survey without a title or questions", "/admin/surveys",
			url.Values{"title": {""}, "closes_at": {"2026-03-20T18:00"}},
			http.MethodPost, "/api/v1/surveys", `{"title":"","closes_at":"2026-03-20T18:00:00+08:00","questions":[]}`},
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newHostileWorld(t, db)
		for _, tt := range tests {
			t.Run(tt.name+" is refused alike", func(t *testing.T) {
				before, entries := fingerprint(t, db), auditCount(t, db)
				page, err := w.post(w.admin, tt.consolePath, cloneForm(tt.form))
				if err != nil {
					t.Fatal(err)
				}
				api, err := w.apiCall(model.RoleAdmin, tt.method, tt.apiPath, "application/json", []byte(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if page.status != http.StatusUnprocessableEntity || api.status != http.StatusUnprocessableEntity {
					t.Fatalf("console %d, API %d %s", page.status, api.status, api.body)
				}
				// The console marks each field at fault with its message, or
				// (a form's list of questions) names it above the form.
				got, want := consoleFieldErrors(page.body), apiFieldErrors(t, api.body)
				if len(want) == 0 {
					t.Fatalf("the API names no field: %s", api.body)
				}
				for key, msg := range got {
					if want[key] != msg {
						t.Errorf("console marks %s %q, API says %q", key, msg, want[key])
					}
				}
				for key, msg := range want {
					if _, marked := got[key]; !marked && !strings.Contains(html.UnescapeString(page.body), msg) {
						t.Errorf("API names %s %q, the console page does not say it (console fields %v)", key, msg, got)
					}
				}
				if fingerprint(t, db) != before || auditCount(t, db) != entries {
					t.Error("a refused request stored something")
				}
			})
		}
	})
}
