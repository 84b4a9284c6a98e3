package handlers_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

type apiDeputy struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Delegation string   `json:"delegation"`
	Level      string   `json:"level"`
	Phone      string   `json:"phone"`
	Status     string   `json:"status"`
	Tags       []string `json:"tags"`
	Reason     string   `json:"termination_reason"`
}

type apiError struct {
	Error  string `json:"error"`
	Fields []struct {
		Field, Label, Message string
	} `json:"fields"`
	Rows []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"rows"`
	RequestID string `json:"request_id"`
}

func decode[T any](t *testing.T, res result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.body), &v); err != nil {
		t.Fatalf("response %d is not JSON: %v\n%s", res.status, err, res.body)
	}
	return v
}

func TestTheDeputyAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		const jsonCT = "application/json"
		body := `{"name":"王芳","delegation":"济南市代表团","level":"省人大代表","phone":"138 0000 0001","tags":["教育"]}`
		res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies", jsonCT, strings.NewReader(body))
		created := decode[apiDeputy](t, res)
		if res.status != http.StatusCreated || created.ID == 0 || created.Phone != "13800000001" || created.Level != "provincial" {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		path := "/api/v1/deputies/" + strconv.FormatInt(created.ID, 10)

		t.Run("an invalid deputy gives 422 with the fields at fault", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies", jsonCT, strings.NewReader(`{"name":"","phone":"abc"}`))
			e := decode[apiError](t, res)
			if res.status != http.StatusUnprocessableEntity || len(e.Fields) != 2 || e.Fields[0].Field != "name" || e.Fields[1].Field != "phone" {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("a taken phone gives 422 on the phone", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies", jsonCT, strings.NewReader(`{"name":"李强","phone":"13800000001"}`))
			if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || e.Fields[0].Field != "phone" {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("bad JSON and unknown properties give 400", func(t *testing.T) {
			for _, b := range []string{`{`, `{"nmae":"x"}`, `{"name":1}`, `{}{}`} {
				if res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies", jsonCT, strings.NewReader(b)); res.status != http.StatusBadRequest {
					t.Errorf("%s: %d %s", b, res.status, res.body)
				}
			}
		})
		t.Run("update changes only the properties given", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPut, path, jsonCT, strings.NewReader(`{"delegation":"青岛市代表团"}`))
			d := decode[apiDeputy](t, res)
			if res.status != http.StatusOK || d.Delegation != "青岛市代表团" || d.Name != "王芳" || len(d.Tags) != 1 {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("a missing deputy gives 404", func(t *testing.T) {
			for _, p := range []string{"/api/v1/deputies/9999", "/api/v1/deputies/abc", "/api/v1/nothing"} {
				if res := w.api(t, model.RoleStaff, http.MethodGet, p, "", nil); res.status != http.StatusNotFound {
					t.Errorf("%s: %d", p, res.status)
				}
			}
		})
		t.Run("list and get", func(t *testing.T) {
			res := w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/deputies?delegation="+"%E9%9D%92%E5%B2%9B%E5%B8%82%E4%BB%A3%E8%A1%A8%E5%9B%A2&per_page=10", "", nil)
			var page struct {
				Total    int         `json:"total"`
				Deputies []apiDeputy `json:"deputies"`
			}
			page = decode[struct {
				Total    int         `json:"total"`
				Deputies []apiDeputy `json:"deputies"`
			}](t, res)
			if res.status != http.StatusOK || page.Total != 1 || page.Deputies[0].Phone != "138****0001" {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res := w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/deputies?per_page=0", "", nil); res.status != http.StatusBadRequest {
				t.Fatalf("per_page=0: %d", res.status)
			}
		})
		t.Run("terminate", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPost, path+"/terminate", jsonCT, strings.NewReader(`{"date":"2026-03-01"}`))
			if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || e.Fields[0].Field != "reason" {
				t.Fatalf("without a reason: %d %s", res.status, res.body)
			}
			res = w.api(t, model.RoleStaff, http.MethodPost, path+"/terminate", jsonCT, strings.NewReader(`{"date":"2026-03-01","reason":"辞职"}`))
			if d := decode[apiDeputy](t, res); res.status != http.StatusOK || d.Status != model.StatusEnded || d.Reason != "辞职" {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("import reports every row error and writes nothing, unless told to skip", func(t *testing.T) {
			csv := "姓名,代表团,手机号\n赵敏,烟台市代表团,13800000021\n钱进,烟台市代表团,12\n"
			ct, b := multipartFile(t, "名册.csv", csv, nil)
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/import", ct, b)
			if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || len(e.Rows) != 1 || e.Rows[0].Row != 3 || e.Rows[0].Field != "手机号" {
				t.Fatalf("%d %s", res.status, res.body)
			}
			ct, b = multipartFile(t, "名册.csv", csv, map[string]string{"skip_invalid": "true"})
			res = w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/import", ct, b)
			rep := decode[struct{ Created, Skipped int }](t, res)
			if res.status != http.StatusOK || rep.Created != 1 || rep.Skipped != 1 {
				t.Fatalf("%d %s", res.status, res.body)
			}
			ct, b = multipartFile(t, "notes.xlsx", "not a spreadsheet", nil)
			if res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/import", ct, b); res.status != http.StatusUnprocessableEntity || strings.Contains(res.body, "zip") {
				t.Fatalf("a corrupt file: %d %s", res.status, res.body)
			}
		})
		t.Run("export", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/deputies/export?format=xlsx", "", nil)
			if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
				t.Fatalf("xlsx: %d", res.status)
			}
			res = w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/deputies/export?format=csv&delegation=%E7%83%9F%E5%8F%B0%E5%B8%82%E4%BB%A3%E8%A1%A8%E5%9B%A2", "", nil)
			if res.status != http.StatusOK || !strings.Contains(res.body, "赵敏") || strings.Contains(res.body, "王芳") {
				t.Fatalf("csv of one delegation: %d %s", res.status, res.body)
			}
			if res := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/deputies/export?format=pdf", "", nil); res.status != http.StatusBadRequest {
				t.Fatalf("pdf: %d", res.status)
			}
		})
		t.Run("me", func(t *testing.T) {
			res := w.api(t, model.RoleUnit, http.MethodGet, "/api/v1/me", "", nil)
			me := decode[struct{ Username, Role, Unit string }](t, res)
			if res.status != http.StatusOK || me.Username != "u-unit" || me.Role != "unit" || me.Unit != "省交通运输厅" {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		got := w.auditActions(t)
		for _, a := range []string{"deputy.create", "deputy.update", "deputy.terminate", "deputy.import", "deputy.export"} {
			if got[a] == 0 {
				t.Errorf("no audit entry %s: %v", a, got)
			}
		}
	})
}

func TestAnInternalErrorLeaksNothing(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	if _, err := db.SQL().Exec(`DROP TABLE deputy_tags`); err != nil {
		t.Fatal(err)
	}
	res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies", "application/json", strings.NewReader(`{"name":"王芳","tags":["教育"]}`))
	e := decode[apiError](t, res)
	if res.status != http.StatusInternalServerError || e.RequestID == "" || strings.Contains(res.body, "deputy_tags") || strings.Contains(res.body, "SQL") {
		t.Fatalf("%d %s", res.status, res.body)
	}
	if !strings.Contains(w.log.String(), e.RequestID) {
		t.Fatal("the request id is not in the log")
	}
}
