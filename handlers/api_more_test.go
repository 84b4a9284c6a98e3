package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// apiJSON calls the API with a JSON body ("" for none).
func (w *adminWorld) apiJSON(t *testing.T, role, method, path, body string) result {
	t.Helper()
	if body == "" {
		return w.api(t, role, method, path, "", nil)
	}
	return w.api(t, role, method, path, "application/json", strings.NewReader(body))
}

func wantStatus(t *testing.T, res result, status int, want ...string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d: %s", res.status, status, res.body)
	}
	for _, s := range want {
		if !strings.Contains(res.body, s) {
			t.Fatalf("the answer lacks %q: %s", s, res.body)
		}
	}
}

func TestAPIMoreSupervisionExtensionsAndPromise(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13800000001")
	mine := w.suggestion(t, "1", "关于公路养护的建议", ourUnit, "十四届三次", d.ID)
	other := w.suggestion(t, "2", "关于学前教育的建议", otherUnit, "十四届三次", d.ID)
	w.clock.Advance(84 * 24 * time.Hour) // 2026-05-25: both fall due on 06-02

	res := w.apiJSON(t, model.RoleUnit, http.MethodGet, "/api/v1/supervision", "")
	wantStatus(t, res, http.StatusOK, "第0001号", `"deadline":"2026-06-02"`, `"unit":"省交通运输厅"`)
	if strings.Contains(res.body, "第0002号") {
		t.Fatalf("a unit sees another unit's suggestion: %s", res.body)
	}
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/supervision", ""), http.StatusOK, "第0002号")
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/supervision/rates", ""), http.StatusOK,
		`"face_rate"`, `"by_session":[{`)

	ask := `{"new_deadline":"2026-08-01","reason":"需省财政厅配合"}`
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodPost, "/api/v1/suggestions/"+itoa(other.ID)+"/extensions", ask), http.StatusNotFound)
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodPost, "/api/v1/suggestions/"+itoa(mine.ID)+"/extensions",
		`{"new_deadline":"2026-12-31","reason":"x"}`), http.StatusUnprocessableEntity, `"field":"new_deadline"`, "最长 6 个月")
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodPost, "/api/v1/suggestions/"+itoa(mine.ID)+"/extensions",
		`{"new_deadline":"1 Aug","reason":"x"}`), http.StatusUnprocessableEntity, `"field":"new_deadline"`)
	res = w.apiJSON(t, model.RoleUnit, http.MethodPost, "/api/v1/suggestions/"+itoa(mine.ID)+"/extensions", ask)
	wantStatus(t, res, http.StatusCreated, `"status":"pending"`, `"new_deadline":"2026-08-01"`)
	var e struct{ ID int64 }
	if err := json.Unmarshal([]byte(res.body), &e); err != nil || e.ID == 0 {
		t.Fatalf("extension %s: %v", res.body, err)
	}
	decide := "/api/v1/extensions/" + itoa(e.ID) + "/decide"
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodPost, decide, `{"decision":"approve"}`), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, decide, `{"decision":"yes"}`), http.StatusUnprocessableEntity, `"field":"decision"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/extensions/999/decide", `{"decision":"yes"}`), http.StatusNotFound)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, decide, `{"decision":"approve","note":"同意"}`), http.StatusOK, `"status":"approved"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, decide, `{"decision":"reject","note":"x"}`), http.StatusUnprocessableEntity, `"field":"extension"`)
	if res := w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/supervision", ""); strings.Contains(res.body, "第0001号") {
		t.Fatalf("the extended suggestion is still near its deadline: %s", res.body)
	}

	promise := "/api/v1/suggestions/" + itoa(mine.ID) + "/promise"
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, promise, `{"promise_date":"2026-12-31"}`), http.StatusUnprocessableEntity, `"field":"promise_date"`)
	w.step(t, mine.ID, "replied", "B", "已列入明年计划。")
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodPost, promise, `{"promise_date":"2026-12-31"}`), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, promise, `{"promise_date":"2026-12-31"}`), http.StatusOK, `"promise_due":"2026-12-31"`, `"deadline":"2026-08-01"`)

	acts := w.auditActions(t)
	for _, a := range []string{"supervision.extension.request", "supervision.extension.decide", "supervision.promise"} {
		if acts[a] != 1 {
			t.Errorf("%s audited %d times, want 1", a, acts[a])
		}
	}
}

func TestAPIMoreRecordsReview(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13800000001")
	recs := core.New(db, core.Options{Now: w.clock.Now}).Records
	e, err := recs.SubmitEntry(context.Background(), core.DeputyActor(d, core.ViaWeChat), model.RecordEntry{Category: model.EntryResearch,
		HappenedOn: w.clock.Now().AddDate(0, 0, -3), Place: "历城区", Description: "走访农村公路养护情况。"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/deputies/" + itoa(d.ID) + "/record"
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, path+"?year=2026", ""), http.StatusOK,
		`"pending":1`, `"phone":"138****0001"`, "走访农村公路养护情况。", `"lines":[{`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, path+"?year=1999", ""), http.StatusBadRequest)
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodGet, path, ""), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/deputies/999/record", ""), http.StatusNotFound)

	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/records/review", ""), http.StatusOK, `"total":1`)
	review := "/api/v1/records/" + itoa(e.ID) + "/review"
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodPost, review, `{"decision":"approve"}`), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, review, `{"decision":"reject"}`), http.StatusUnprocessableEntity, `"field":"note"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, review, `{"decision":"maybe"}`), http.StatusUnprocessableEntity, `"field":"decision"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, review, `{"decision":"approve"}`), http.StatusOK, `"status":"approved"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, review, `{"decision":"approve"}`), http.StatusConflict)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/records/review", ""), http.StatusOK, `"total":0`)
	if n := w.auditActions(t)["record.review"]; n != 1 {
		t.Fatalf("record.review audited %d times", n)
	}
}

func TestAPIMoreSitInProposalAndCoverage(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	for _, p := range []string{"13800000001", "13800000002", "13800000003"} {
		w.deputy(t, "代表"+p[len(p)-1:], p)
	}
	ctx := context.Background()
	now := w.clock.Now()
	insp := model.Meeting{Kind: "inspection", Title: "视察", StartsAt: now.Add(72 * time.Hour), RSVPDeadline: now.Add(48 * time.Hour)}
	sess := model.Meeting{Kind: "session", Title: "常委会会议", StartsAt: now.Add(72 * time.Hour), RSVPDeadline: now.Add(48 * time.Hour)}
	for _, m := range []*model.Meeting{&insp, &sess} {
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/meetings/"+itoa(insp.ID)+"/sitin/proposal", `{"n":2}`),
		http.StatusUnprocessableEntity, `"field":"kind"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/meetings/"+itoa(sess.ID)+"/sitin/proposal", `{"n":0}`),
		http.StatusUnprocessableEntity, `"field":"n"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/meetings/"+itoa(sess.ID)+"/sitin/proposal", `{"term":"x"}`),
		http.StatusUnprocessableEntity, `"field":"term"`)
	res := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/meetings/"+itoa(sess.ID)+"/sitin/proposal", `{"n":2,"topics":["教育"]}`)
	wantStatus(t, res, http.StatusOK, `"reasons":["`, `"topics":["教育"]`)
	var out struct{ Proposals []json.RawMessage }
	if err := json.Unmarshal([]byte(res.body), &out); err != nil || len(out.Proposals) != 2 {
		t.Fatalf("proposals %s: %v", res.body, err)
	}
	for id := int64(1); id <= 3; id++ {
		if _, err := db.GetInvitation(ctx, sess.ID, id); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a proposal invited deputy %d: %v", id, err)
		}
	}
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/sitin/coverage?year=2026", ""), http.StatusOK,
		`"in_office":3`, `"delegation":"合计"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/sitin/coverage?year=20x", ""), http.StatusBadRequest)
}

func TestAPIMoreSeriesAndOpinionAssign(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13800000001")

	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/series",
		`{"name":"周报","kind":"general_notice","title":"t","body":"b","schedule":"every day"}`),
		http.StatusUnprocessableEntity, `"field":"schedule"`)
	res := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/series",
		`{"name":"周报","kind":"general_notice","title":"t","body":"b","schedule":"0 9 * * 1"}`)
	wantStatus(t, res, http.StatusCreated, `"active":true`, `"all":true`)
	var x struct{ ID int64 }
	_ = json.Unmarshal([]byte(res.body), &x)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/series/"+itoa(x.ID)+"/deactivate", ""), http.StatusOK, `"active":false`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodGet, "/api/v1/series", ""), http.StatusOK, `"name":"周报"`, `"active":false`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/series/999/activate", ""), http.StatusNotFound)

	o := w.opinion(t, d.ID, "social", "建议增加农村公交班次。")
	path := "/api/v1/opinions/" + itoa(o.ID) + "/assign"
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, path, `{"staff_id":`+itoa(w.accounts[model.RoleUnit].ID)+`}`),
		http.StatusUnprocessableEntity, `"field":"staff_id"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, path, `{"staff_id":0}`), http.StatusUnprocessableEntity)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, path, `{"staff_id":`+itoa(w.accounts[model.RoleStaff].ID)+`}`),
		http.StatusOK, `"staff_name":"工作人员"`, `"assigned_by":"u-staff"`)

	acts := w.auditActions(t)
	for _, a := range []string{"series.create", "series.deactivate", "opinion.assign"} {
		if acts[a] != 1 {
			t.Errorf("%s audited %d times, want 1", a, acts[a])
		}
	}
}
