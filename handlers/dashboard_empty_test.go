package handlers_test

import (
	"net/http"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestTheDashboardExplainsThatThereAreNoSuggestionsYet: with no
// suggestion, the home page says so and how to add some, instead of a
// donut of five equal zero slices; the API lists no statuses.
func TestTheDashboardExplainsThatThereAreNoSuggestionsYet(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	res := w.get(t, w.login(t, model.RoleStaff), "/admin/")
	mustHave(t, res, http.StatusOK, `id="no-suggestions"`, "还没有建议", `href="/admin/suggestions/import"`)
	mustLack(t, res, `id="status-chart"`)
	api := w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/dashboard", "", nil)
	mustHave(t, api, http.StatusOK, `"suggestions":[]`)
}
