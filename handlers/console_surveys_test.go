package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestASurveyIsCreatedAndItsResultsCharted(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	wang, li := w.deputy(t, "王芳", "13800000001"), w.deputy(t, "李强", "13800000002")
	c := w.login(t, model.RoleStaff)
	closes := w.clock.Now().Add(72 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")

	t.Run("problems are shown beside the question at fault", func(t *testing.T) {
		res := w.postForm(t, c, "/admin/surveys", url.Values{"title": {""}, "closes_at": {closes},
			"q1_kind": {"single"}, "q1_text": {"您最关心哪个领域？"}, "q1_options": {"教育"},
			"q3_kind": {"text"}, "q3_text": {"其他建议"}})
		mustHave(t, res, http.StatusUnprocessableEntity, `id="title"`, `<div class="err">不能为空</div>`,
			"单选题需要 2–10 个选项（现有 1 个）", `name="q2_text" value="其他建议"`)
		if n, _ := db.CountRows(t.Context(), "surveys"); n != 0 {
			t.Fatalf("%d surveys stored", n)
		}
	})
	var path string
	t.Run("a valid survey is created and announced", func(t *testing.T) {
		res := w.postForm(t, c, "/admin/surveys", url.Values{"title": {"代表履职需求调查"}, "intro": {"请如实填写。"}, "closes_at": {closes},
			"q1_kind": {"single"}, "q1_text": {"您最关心哪个领域？"}, "q1_options": {"教育\n医疗\n交通"},
			"q2_kind": {"scale"}, "q2_text": {"对履职服务的满意程度"},
			"q3_kind": {"text"}, "q3_text": {"其他建议"}, "q3_optional": {"1"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		path = res.header.Get("Location")
	})
	sv, err := core.NewSurveys(db).List(t.Context())
	if err != nil || len(sv) != 1 {
		t.Fatalf("surveys %v %v", sv, err)
	}
	full, _ := core.NewSurveys(db).Get(t.Context(), sv[0].ID)
	svc := core.NewSurveys(db)
	svc.SetClock(func() time.Time { return w.clock.Now().Add(time.Minute) })
	q := full.Questions
	for _, a := range []struct {
		deputy  int64
		answers map[int64]string
	}{
		{wang.ID, map[int64]string{q[0].ID: "2", q[1].ID: "5", q[2].ID: "建议<b>加强</b>培训"}},
		{li.ID, map[int64]string{q[0].ID: "2", q[1].ID: "4"}},
	} {
		if _, err := svc.Submit(t.Context(), full.ID, a.deputy, a.answers); err != nil {
			t.Fatal(err)
		}
	}
	res := w.get(t, c, path)
	mustHave(t, res, http.StatusOK, "代表履职需求调查", "2 份",
		`<script type="application/json" id="q1-chart">`, `"kind":"hbar"`, `"categories":["教育","医疗","交通"]`, `"data":[0,2,0]`,
		`<script type="application/json" id="q2-chart">`, "平均 4.50 分", "<td>100.0%</td>",
		"<li>建议&lt;b&gt;加强&lt;/b&gt;培训</li>")
	mustLack(t, res, "q3-chart")
	if res := w.get(t, c, path+"/export"); res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
		t.Fatalf("export: %d", res.status)
	}
	mustHave(t, w.get(t, w.login(t, model.RoleReadonly), "/admin/surveys"), http.StatusOK, "代表履职需求调查", "进行中")
}

func TestTheSurveyAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		closes := w.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
		body := `{"title":"学习需求","closes_at":"` + closes + `","questions":[{"kind":"multi","text":"希望学习的内容","options":["宪法","预算审查","监督法"]},{"kind":"text","text":"其他","optional":true}]}`
		res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/surveys", "application/json", strings.NewReader(body))
		created := decode[struct {
			ID        int64 `json:"id"`
			Questions []struct {
				ID int64 `json:"id"`
			} `json:"questions"`
		}](t, res)
		if res.status != http.StatusCreated || len(created.Questions) != 2 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		bad := `{"title":"x","closes_at":"` + closes + `","questions":[{"kind":"single","text":"只有一个选项","options":["是"]}]}`
		res = w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/surveys", "application/json", strings.NewReader(bad))
		if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || e.Fields[0].Field != "questions[0]" {
			t.Fatalf("invalid: %d %s", res.status, res.body)
		}
		d := w.deputy(t, "王芳", "13800000001")
		svc := core.NewSurveys(db)
		svc.SetClock(func() time.Time { return w.clock.Now().Add(time.Minute) })
		if _, err := svc.Submit(t.Context(), created.ID, d.ID, map[int64]string{created.Questions[0].ID: "1,3"}); err != nil {
			t.Fatal(err)
		}
		res = w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/surveys/"+itoa(created.ID)+"/results", "", nil)
		results := decode[struct {
			Responses int `json:"responses"`
			Questions []struct {
				Counts []int `json:"counts"`
			} `json:"questions"`
		}](t, res)
		if res.status != http.StatusOK || results.Responses != 1 || len(results.Questions) != 2 ||
			len(results.Questions[0].Counts) != 3 || results.Questions[0].Counts[2] != 1 {
			t.Fatalf("results: %d %s", res.status, res.body)
		}
		res = w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/surveys", "", nil)
		if res.status != http.StatusOK || !strings.Contains(res.body, "学习需求") {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
	})
}

func TestASolicitationGroupsItsOpinionsByArticle(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.login(t, model.RoleStaff)
	closes := w.clock.Now().Add(240 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
	res := w.postForm(t, c, "/admin/solicitations", url.Values{"title": {"《数据条例（草案）》征求意见"}, "link": {"ftp://x"},
		"articles": {"20"}, "closes_at": {closes}})
	mustHave(t, res, http.StatusUnprocessableEntity, "应为 http:// 或 https:// 开头的网址")
	res = w.postForm(t, c, "/admin/solicitations", url.Values{"title": {"《数据条例（草案）》征求意见"}, "link": {"https://example.org/draft"},
		"articles": {"20"}, "closes_at": {closes}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("%d %s", res.status, res.body)
	}
	path := res.header.Get("Location")
	sols, _ := core.NewOpinions(db).Solicitations(t.Context())
	d := w.deputy(t, "王芳", "13800000001")
	ops := core.NewOpinions(db)
	ops.SetClock(func() time.Time { return w.clock.Now().Add(time.Minute) })
	for _, o := range []model.Opinion{{Article: "10", Body: "第十条太宽泛"}, {Article: "2", Body: "第二条定义不清"}, {Body: "总体赞成"}, {Article: "10", Body: "第十条还应补充"}} {
		o.SolicitationID = sols[0].ID
		if _, err := ops.Submit(t.Context(), d.ID, o); err != nil {
			t.Fatal(err)
		}
	}
	res = w.get(t, c, path)
	mustHave(t, res, http.StatusOK, "收到意见</dt><dd>4 条")
	i0, i2, i10 := strings.Index(res.body, "总体意见"), strings.Index(res.body, "第二条 <span"), strings.Index(res.body, "第十条 <span")
	if i0 < 0 || i2 < i0 || i10 < i2 || strings.Count(res.body, "第十条 <span class=\"muted\">2 条") != 1 {
		t.Fatalf("grouping: %d %d %d\n%s", i0, i2, i10, res.body)
	}
}
