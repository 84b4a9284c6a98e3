package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

type apiSuggestionJSON struct {
	ID            int64  `json:"id"`
	Number        string `json:"number"`
	HostUnit      string `json:"host_unit"`
	Status        string `json:"status"`
	ReplyCategory string `json:"reply_category"`
	LeadName      string `json:"lead_name"`
	Deputies      []struct {
		DeputyID int64  `json:"deputy_id"`
		Role     string `json:"role"`
	} `json:"deputies"`
	Steps []struct {
		Kind  string `json:"kind"`
		Actor string `json:"actor"`
	} `json:"steps"`
}

func TestTheSuggestionAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		const jsonCT = "application/json"
		lead, second := w.deputy(t, "王芳", "13800000001"), w.deputy(t, "李强", "13800000002")
		theirs := w.suggestion(t, "2", "关于减轻学生课业负担的建议", otherUnit, "十四届三次", lead.ID)

		body := `{"number":"1","title":"关于改善农村公路的建议","session":"十四届三次","lead_deputy_id":` + itoa(lead.ID) +
			`,"seconder_ids":[` + itoa(second.ID) + `],"host_unit":"` + ourUnit + `","deadline":"2026-06-30"}`
		res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/suggestions", jsonCT, strings.NewReader(body))
		ours := decode[apiSuggestionJSON](t, res)
		if res.status != http.StatusCreated || ours.Number != "第0001号" || len(ours.Deputies) != 2 || ours.Status != "assigned" {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		oursPath := "/api/v1/suggestions/" + itoa(ours.ID)
		theirsPath := "/api/v1/suggestions/" + itoa(theirs.ID)

		t.Run("an invalid suggestion gives 422 naming the properties", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/suggestions", jsonCT,
				strings.NewReader(`{"number":"1","title":"重复","lead_deputy_id":999999,"host_unit":"x"}`))
			e := decode[apiError](t, res)
			fields := map[string]bool{}
			for _, f := range e.Fields {
				fields[f.Field] = true
			}
			if res.status != http.StatusUnprocessableEntity || !fields["lead_deputy_id"] {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("a unit token lists only its unit's suggestions", func(t *testing.T) {
			res := w.api(t, model.RoleUnit, http.MethodGet, "/api/v1/suggestions?unit="+otherUnit, "", nil)
			page := decode[struct {
				Total       int                 `json:"total"`
				Suggestions []apiSuggestionJSON `json:"suggestions"`
			}](t, res)
			if res.status != http.StatusOK || page.Total != 1 || page.Suggestions[0].HostUnit != ourUnit || page.Suggestions[0].LeadName != "王芳" {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res := w.api(t, model.RoleUnit, http.MethodGet, theirsPath, "", nil); res.status != http.StatusNotFound {
				t.Fatalf("another unit's suggestion: %d %s", res.status, res.body)
			}
		})
		reply := `{"kind":"replied","reply_category":"B","note":"已列入明年计划，逐步解决。"}`
		t.Run("a unit token cannot record a step on another unit's suggestion", func(t *testing.T) {
			res := w.api(t, model.RoleUnit, http.MethodPost, theirsPath+"/steps", jsonCT, strings.NewReader(reply))
			if res.status != http.StatusNotFound && res.status != http.StatusForbidden {
				t.Fatalf("%d %s", res.status, res.body)
			}
			sg, _ := w.suggestionsSvc().Get(t.Context(), theirs.ID)
			if sg.Status != model.SuggestionAssigned {
				t.Fatalf("another unit's suggestion changed: %+v", sg)
			}
		})
		t.Run("a unit token records 答复 on its own suggestion", func(t *testing.T) {
			res := w.api(t, model.RoleUnit, http.MethodPost, oursPath+"/steps", jsonCT, strings.NewReader(reply))
			out := decode[struct {
				Step       struct{ Kind, Actor string } `json:"step"`
				Suggestion apiSuggestionJSON            `json:"suggestion"`
			}](t, res)
			if res.status != http.StatusCreated || out.Step.Kind != "replied" || out.Step.Actor != ourUnit ||
				out.Suggestion.Status != "replied" || out.Suggestion.ReplyCategory != "B" {
				t.Fatalf("%d %s", res.status, res.body)
			}
			ds, err := db.ListDeliveries(t.Context(), model.DeliveryFilter{DeputyID: second.ID})
			if err != nil || len(ds) != 2 { // the progress notice and the rating request
				t.Fatalf("deliveries to the seconder: %d, %v", len(ds), err)
			}
		})
		t.Run("a second reply is refused with the reason", func(t *testing.T) {
			res := w.api(t, model.RoleUnit, http.MethodPost, oursPath+"/steps", jsonCT, strings.NewReader(reply))
			if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || e.Fields[0].Field != "kind" ||
				!strings.Contains(e.Fields[0].Message, "不能重复答复") {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("read-only tokens may not record steps", func(t *testing.T) {
			if res := w.api(t, model.RoleReadonly, http.MethodPost, oursPath+"/steps", jsonCT, strings.NewReader(reply)); res.status != http.StatusForbidden {
				t.Fatalf("%d", res.status)
			}
		})
		t.Run("the suggestion shows its history", func(t *testing.T) {
			res := w.api(t, model.RoleReadonly, http.MethodGet, oursPath, "", nil)
			sg := decode[apiSuggestionJSON](t, res)
			if res.status != http.StatusOK || len(sg.Steps) != 2 || sg.Steps[0].Kind != "assigned" || sg.Steps[1].Kind != "replied" {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
		t.Run("rates: overall, per unit, and a unit's own", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/suggestions/rates?session=十四届三次", "", nil)
			rates := decode[struct {
				Overall struct {
					Total     int     `json:"total"`
					ReplyRate float64 `json:"reply_rate"`
				} `json:"overall"`
				ByUnit []struct {
					HostUnit string `json:"host_unit"`
				} `json:"by_unit"`
			}](t, res)
			if res.status != http.StatusOK || rates.Overall.Total != 2 || rates.Overall.ReplyRate != 0.5 || len(rates.ByUnit) != 2 {
				t.Fatalf("%d %s", res.status, res.body)
			}
			res = w.api(t, model.RoleUnit, http.MethodGet, "/api/v1/suggestions/rates", "", nil)
			if !strings.Contains(res.body, ourUnit) || strings.Contains(res.body, otherUnit) {
				t.Fatalf("a unit's rates: %s", res.body)
			}
		})

		t.Run("an import with bad rows gives 422 with every row and writes nothing", func(t *testing.T) {
			csv := "建议编号,标题,领衔代表,附议代表,主办单位\n5,甲,王芳,,省教育厅\n6,乙,赵六,,省教育厅\n7,丙,王芳,钱七,省教育厅\n8,丁,王芳,,\n"
			ct, body := multipartFile(t, "建议.csv", csv, nil)
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/suggestions/import", ct, body)
			e := decode[apiError](t, res)
			if res.status != http.StatusUnprocessableEntity || len(e.Rows) != 3 || e.Rows[0].Row != 3 || e.Rows[1].Row != 4 || e.Rows[2].Row != 5 {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if n, _ := db.CountRows(t.Context(), "suggestions"); n != 2 {
				t.Fatalf("%d suggestions, want the 2 from before", n)
			}
			ct, body = multipartFile(t, "建议.csv", "建议编号,标题,领衔代表,主办单位\n5,甲,王芳,省教育厅\n", nil)
			res = w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/suggestions/import", ct, body)
			if res.status != http.StatusOK || !strings.Contains(res.body, `"created":1`) {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
	})
}
