package handlers_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The meeting and record forms of the console and the API call the same
// core actions: the same bad input gets the same field keys and messages
// from both, and stores nothing.
func TestMeetingAndRecordFormsAnswerTheSameOnConsoleAndAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		staff, admin := w.login(t, model.RoleStaff), w.login(t, model.RoleAdmin)
		ctx := t.Context()
		at := w.clock.Now().Add(10 * 24 * time.Hour)
		research := model.Meeting{Kind: "research", Title: "调研", StartsAt: at, RSVPDeadline: at}
		if err := db.CreateMeeting(ctx, &research); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(research.ID)

		for _, tc := range []struct {
			name        string
			client      *http.Client
			consolePath string
			form        url.Values
			role        string
			method      string
			apiPath     string
			body        string
			keys        []string
		}{
			{"a meeting with bad fields", staff, "/admin/meetings",
				url.Values{"kind": {"party"}, "title": {""}, "starts_at": {"下周一"}, "ends_at": {"2026-03-09T09:00"},
					"rsvp_deadline": {"明天"}, "place": {strings.Repeat("地", 101)}},
				model.RoleStaff, http.MethodPost, "/api/v1/meetings",
				`{"kind":"party","title":"","starts_at":"下周一","ends_at":"2026-03-09T09:00","rsvp_deadline":"明天","place":"` + strings.Repeat("地", 101) + `"}`,
				[]string{"kind", "title", "starts_at", "rsvp_deadline", "place"}},
			{"an invitation to an unknown level", staff, "/admin/meetings/" + id + "/invite", url.Values{"level": {"mayor"}, "action": {"invite"}},
				model.RoleStaff, http.MethodPost, "/api/v1/meetings/" + id + "/invite", `{"audience":{"levels":["mayor"]}}`,
				[]string{"levels"}},
			{"points that are no whole numbers", admin, "/admin/records/rules", rulesForm(map[string]string{model.RecOpinion: "1.5", model.RecStudy: "101"}),
				model.RoleAdmin, http.MethodPut, "/api/v1/records/rules", `{"rules":{"opinion":1.5,"study":101}}`,
				[]string{"rules.opinion", "rules.study"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := fingerprint(t, db)
				page := w.postForm(t, tc.client, tc.consolePath, tc.form)
				res := w.apiJSON(t, tc.role, tc.method, tc.apiPath, tc.body)
				if page.status != http.StatusUnprocessableEntity || res.status != http.StatusUnprocessableEntity {
					t.Fatalf("console %d, API %d; want 422 from both\n%s", page.status, res.status, res.body)
				}
				var got struct {
					Fields []struct{ Field, Label, Message string }
				}
				if err := json.Unmarshal([]byte(res.body), &got); err != nil {
					t.Fatal(err)
				}
				byKey := map[string]string{}
				for _, f := range got.Fields {
					byKey[f.Field] = f.Message
				}
				shown := html.UnescapeString(tagsOut.ReplaceAllString(page.body, "\n"))
				for _, k := range tc.keys {
					msg, ok := byKey[k]
					if !ok {
						t.Errorf("the API names no problem on %s: %s", k, res.body)
						continue
					}
					if !strings.Contains(shown, msg) {
						t.Errorf("the console does not say %q (on %s)", msg, k)
					}
				}
				if after := fingerprint(t, db); after != before {
					t.Fatal("a refused form stored something")
				}
			})
		}
	})
}

var tagsOut = regexp.MustCompile(`<[^>]*>`)

// rulesForm is the rules page as submitted: every type at its default but
// the ones given.
func rulesForm(set map[string]string) url.Values {
	form := url.Values{}
	for _, rt := range model.RecordTypes {
		form.Set(rt.Type, fmt.Sprint(rt.Points))
	}
	for k, v := range set {
		form.Set(k, v)
	}
	return form
}
