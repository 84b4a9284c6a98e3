package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestEveryConsoleChangeIsAuditedOnce posts the valid submission of every
// console form (consoleForms, which TestEveryConsoleFormIsInTheTour keeps
// complete), each in a world of its own: a request that changed the
// database wrote exactly one audit entry, one that changed nothing wrote
// none. (A refused request changing nothing, audit log included, is the
// bad-input tour's check; the API's write routes are counted the same way
// by TestAPIDocExamples.)
func TestEveryConsoleChangeIsAuditedOnce(t *testing.T) {
	for _, route := range consolePostRoutes() {
		t.Run(route, func(t *testing.T) {
			db := storagetest.Open(t, storage.SQLite)
			w := newHostileWorld(t, db)
			c := w.admin
			switch route {
			case "POST /admin/login":
				c = w.client()
			case "POST /admin/password":
				c = w.signIn(t, model.RoleReadonly)
			}
			path := concrete(strings.TrimPrefix(route, "POST "))
			if route == "POST /admin/suggestions/{id}/review" {
				// Only a suggestion a deputy submitted is reviewed.
				path = fmt.Sprintf("/admin/suggestions/%d/review", submittedSuggestion(t, db))
			}
			before, entries := fingerprint(t, db), auditCount(t, db)
			res, err := w.post(c, path, cloneForm(consoleForms[route]))
			if err != nil {
				t.Fatal(err)
			}
			if res.status >= 500 && !(res.status == http.StatusServiceUnavailable && strings.Contains(res.body, noWeChatAPI)) {
				t.Fatalf("%d\n%s", res.status, res.body)
			}
			n := auditCount(t, db) - entries
			switch changed := fingerprint(t, db) != before; {
			case changed && n != 1:
				t.Errorf("changed the database and wrote %d audit entries, want 1 (answered %d)", n, res.status)
			case !changed && n != 0:
				t.Errorf("changed nothing and wrote %d audit entries", n)
			}
		})
	}
}

// submittedSuggestion stores a suggestion deputy 1 submitted for review
// and returns its id.
func submittedSuggestion(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	sg := model.Suggestion{Title: "关于增加农村公交班次的建议", Summary: "建议增加农村公交班次。", Category: "交通运输", LeadDeputyID: 1}
	if err := db.CreateSuggestionDraft(t.Context(), &sg, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReviewSuggestion(t.Context(), storage.ReviewChange{ID: sg.ID, From: []string{model.SuggestionDraft},
		To: model.SuggestionSubmitted, Submitted: true, Step: model.SuggestionStep{Kind: model.StepSubmitted}}); err != nil {
		t.Fatal(err)
	}
	return sg.ID
}
