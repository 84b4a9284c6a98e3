package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestGapsDashboardCountsOpenRSVPs(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ctx := context.Background()
	now := w.clock.Now()
	var ids []int64
	for _, n := range []string{"甲", "乙", "丙"} {
		ids = append(ids, w.deputy(t, "代表"+n, "").ID)
	}
	open := model.Meeting{Kind: "inspection", Title: "视察", Place: "济南", StartsAt: now.Add(72 * time.Hour), RSVPDeadline: now.Add(48 * time.Hour)}
	past := model.Meeting{Kind: "inspection", Title: "已截止", Place: "济南", StartsAt: now.Add(72 * time.Hour), RSVPDeadline: now.Add(-time.Hour)}
	for _, m := range []*model.Meeting{&open, &past} {
		if err := db.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, m.ID, ids); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AnswerInvitation(ctx, open.ID, ids[0], model.RSVPAttend, "", "test"); err != nil {
		t.Fatal(err)
	}
	w.opinion(t, ids[1], "social", "建议增加农村公交班次。")

	res := w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/dashboard", "")
	wantStatus(t, res, http.StatusOK, `"open_rsvps":2`, `"deputies":{"total":3,"bound":0,"unbound":3}`, `"recent_opinions":[{"id":1`)
	unit := w.apiJSON(t, model.RoleUnit, http.MethodGet, "/api/v1/dashboard", "")
	wantStatus(t, unit, http.StatusOK, `"open_rsvps":null`, `"deputies":null`, `"unit":"省交通运输厅"`)

	page := w.get(t, w.login(t, model.RoleStaff), "/admin/")
	if page.status != http.StatusOK || !strings.Contains(page.body, "待回复的会议邀请</span><b>2</b>") {
		t.Fatalf("the console dashboard does not show 2 open RSVPs: %d", page.status)
	}
}

func TestGapsAccountsAreForAdminsAndAudited(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	body := `{"username":"jtt","name":"交通厅","role":"unit","unit":"省交通运输厅"}`
	for _, role := range []string{model.RoleStaff, model.RoleUnit, model.RoleReadonly} {
		wantStatus(t, w.apiJSON(t, role, http.MethodPost, "/api/v1/accounts", body), http.StatusForbidden)
		wantStatus(t, w.apiJSON(t, role, http.MethodGet, "/api/v1/audit", ""), http.StatusForbidden)
	}
	res := w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts", body)
	wantStatus(t, res, http.StatusCreated, `"must_change_password":true`)
	var created struct {
		Account  struct{ ID int64 }
		Password string
	}
	if err := json.Unmarshal([]byte(res.body), &created); err != nil || created.Password == "" {
		t.Fatalf("no password in %s (%v)", res.body, err)
	}
	if _, err := w.staff.Authenticate(t.Context(), "jtt", created.Password, "127.0.0.1"); err != nil {
		t.Fatalf("the returned password does not log in: %v", err)
	}
	if strings.Contains(w.log.String(), created.Password) {
		t.Fatal("the generated password reached the log")
	}
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts", body), http.StatusUnprocessableEntity,
		`"field":"username"`)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts", `{"username":"X Y","role":"boss"}`),
		http.StatusUnprocessableEntity, `"field":"username"`, `"field":"role"`)
	id := itoa(created.Account.ID)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts/"+id+"/password", ""), http.StatusOK, `"password":"`)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts/"+id+"/disable", ""), http.StatusOK, `"disabled":true`)
	self := itoa(w.accounts[model.RoleAdmin].ID)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts/"+self+"/disable", ""), http.StatusUnprocessableEntity)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPost, "/api/v1/accounts/999/disable", ""), http.StatusNotFound)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodGet, "/api/v1/accounts", ""), http.StatusOK, `"username":"jtt"`)
	if strings.Contains(w.apiJSON(t, model.RoleAdmin, http.MethodGet, "/api/v1/accounts", "").body, "hash") {
		t.Fatal("the account list shows a password hash")
	}
	acts := w.auditActions(t)
	if acts["staff.create"] != 1 || acts["staff.password_reset"] != 1 || acts["staff.disable"] != 1 {
		t.Fatalf("audit %v", acts)
	}
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodGet, "/api/v1/audit?action=staff.", ""), http.StatusOK,
		`"total":3`, `"action":"staff.disable"`)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodGet, "/api/v1/audit?action=staff.create&per_page=1", ""),
		http.StatusOK, `"total":1`, `"per_page":1`)
}

func TestGapsTokensAreTheCallersOwn(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodPost, "/api/v1/tokens", `{"name":"x"}`), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/tokens", ""), http.StatusOK, `"name":"测试"`)
	res := w.apiJSON(t, model.RoleUnit, http.MethodPost, "/api/v1/tokens", `{"name":"办理系统"}`)
	wantStatus(t, res, http.StatusCreated, `"token":"dbt_`)
	var tok struct {
		ID    int64
		Token string
	}
	if err := json.Unmarshal([]byte(res.body), &tok); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	wantStatus(t, w.do(t, http.DefaultClient, req), http.StatusOK, `"role":"unit"`)
	if strings.Contains(w.apiJSON(t, model.RoleUnit, http.MethodGet, "/api/v1/tokens", "").body, tok.Token) {
		t.Fatal("the list shows the token")
	}
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodPost, "/api/v1/tokens", `{"name":""}`), http.StatusUnprocessableEntity, `"field":"name"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodDelete, "/api/v1/tokens/"+itoa(tok.ID), ""), http.StatusNotFound)
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodDelete, "/api/v1/tokens/"+itoa(tok.ID), ""), http.StatusNoContent)
	req, _ = http.NewRequest(http.MethodGet, w.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	wantStatus(t, w.do(t, http.DefaultClient, req), http.StatusUnauthorized)
	if acts := w.auditActions(t); acts["token.create"] != 1 || acts["token.revoke"] != 1 {
		t.Fatalf("audit %v", acts)
	}
}

func TestGapsDeliverySettings(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	path := "/api/v1/settings/delivery"
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPut, path, `{"quiet_hours":"","rate_per_second":5}`), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPut, path, `{"quiet_hours":"22点","rate_per_second":0}`),
		http.StatusUnprocessableEntity, `"field":"quiet_hours"`, `"field":"rate_per_second"`)
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodPut, path, `{"quiet_hours":"22:00-07:30","rate_per_second":12.5}`),
		http.StatusOK, `"saved":true`, `"quiet_hours":"22:00-07:30"`, `"rate_per_second":12.5`)
	saved, err := core.NewSettings(db).Delivery(t.Context())
	if err != nil || saved.RatePerSecond != 12.5 {
		t.Fatalf("saved %+v %v", saved, err)
	}
	wantStatus(t, w.apiJSON(t, model.RoleAdmin, http.MethodDelete, path, ""), http.StatusOK, `"saved":false`)
	if _, err := core.NewSettings(db).Delivery(t.Context()); err == nil {
		t.Fatal("the setting is still saved after DELETE")
	}
	if acts := w.auditActions(t); acts["settings.delivery"] != 2 {
		t.Fatalf("audit %v", acts)
	}
}

func TestGapsOpinionCloseAndSolicitations(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13800000001")
	o := w.opinion(t, d.ID, "social", "建议增加农村公交班次。")
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodPost, "/api/v1/opinions/"+itoa(o.ID)+"/close", ""), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/opinions/"+itoa(o.ID)+"/close", ""), http.StatusOK,
		`"status":"closed"`)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/opinions/999/close", ""), http.StatusNotFound)

	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodPost, "/api/v1/solicitations", `{"title":"x"}`), http.StatusForbidden)
	wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/solicitations", `{"title":"","closes_at":"2026-03-01T00:00:00Z"}`),
		http.StatusUnprocessableEntity, `"field":"title"`, `"field":"closes_at"`)
	res := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/solicitations",
		`{"title":"《数据条例（草案）》征求意见","articles":20,"closes_at":"2026-03-31T10:00:00Z"}`)
	wantStatus(t, res, http.StatusCreated, `"state":"进行中"`)
	var sol struct{ ID int64 }
	if err := json.Unmarshal([]byte(res.body), &sol); err != nil {
		t.Fatal(err)
	}
	svc := core.NewOpinions(db)
	svc.SetClock(w.clock.Now)
	for _, in := range []model.Opinion{{Article: "第10条", Body: "十"}, {Article: "第2条", Body: "二"}, {Body: "总体"}} {
		in.SolicitationID = sol.ID
		if _, err := svc.Submit(t.Context(), d.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/solicitations", ""), http.StatusOK, `"opinions":3`)
	wantStatus(t, w.apiJSON(t, model.RoleUnit, http.MethodGet, "/api/v1/solicitations", ""), http.StatusForbidden)
	res = w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/solicitations/"+itoa(sol.ID), "")
	wantStatus(t, res, http.StatusOK, `"total":3`)
	var got struct {
		Groups []struct{ Article string }
	}
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, g := range got.Groups {
		order = append(order, g.Article)
	}
	if strings.Join(order, ",") != "总体意见（未注明条款）,第二条,第十条" {
		t.Fatalf("groups %v", order)
	}
	wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/solicitations/999", ""), http.StatusNotFound)
	if acts := w.auditActions(t); acts["opinion.close"] != 1 || acts["solicitation.create"] != 1 {
		t.Fatalf("audit %v", acts)
	}
}
