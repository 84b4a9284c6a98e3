package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The test accounts' unit (see newAdminWorld) and another one.
const (
	ourUnit   = "省交通运输厅"
	otherUnit = "省教育厅"
)

// suggestionFixture creates a suggestion led by lead, assigned to unit.
func (w *adminWorld) suggestion(t *testing.T, number, title, unit, session string, lead int64, seconders ...int64) model.Suggestion {
	t.Helper()
	sg := model.Suggestion{Number: number, Title: title, HostUnit: unit, Session: session, LeadDeputyID: lead}
	if err := w.suggestionsSvc().Create(context.Background(), &sg, seconders); err != nil {
		t.Fatal(err)
	}
	return sg
}

func (w *adminWorld) suggestionsSvc() *core.Suggestions {
	svc := core.NewSuggestions(w.db)
	svc.Now = w.clock.Now
	return svc
}

// step records a step on a suggestion, failing the test on error.
func (w *adminWorld) step(t *testing.T, id int64, kind, category, note string) {
	t.Helper()
	st := model.SuggestionStep{SuggestionID: id, Kind: kind, ReplyCategory: category, Note: note, Actor: "测试"}
	if err := w.suggestionsSvc().RecordStep(context.Background(), &st); err != nil {
		t.Fatal(err)
	}
}

func mustHave(t *testing.T, res result, status int, want ...string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d\n%s", res.status, status, res.body)
	}
	for _, s := range want {
		if !strings.Contains(res.body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
}

func mustLack(t *testing.T, res result, unwanted ...string) {
	t.Helper()
	for _, s := range unwanted {
		if strings.Contains(res.body, s) {
			t.Errorf("the page shows %q", s)
		}
	}
}

func TestAUnitSeesAndHandlesOnlyItsOwnSuggestions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) { testAUnitSeesAndHandlesOnlyItsOwnSuggestions(t, db) })
}

// testAUnitSeesAndHandlesOnlyItsOwnSuggestions: a handling unit's account
// sees and records steps on its own unit's suggestions only, in the
// console and through the API; another unit's are 404 (no IDOR by id).
func testAUnitSeesAndHandlesOnlyItsOwnSuggestions(t *testing.T, db *storage.DB) {
	w := newAdminWorld(t, db, "")
	lead, second := w.deputy(t, "王芳", "13800000001"), w.deputy(t, "李强", "13800000002")
	ours := w.suggestion(t, "1", "关于改善农村公路的建议", ourUnit, "十四届三次", lead.ID, second.ID)
	theirs := w.suggestion(t, "2", "关于减轻学生课业负担的建议", otherUnit, "十四届三次", lead.ID)
	unit := w.login(t, model.RoleUnit)

	res := w.get(t, unit, "/admin/suggestions")
	mustHave(t, res, http.StatusOK, "第0001号", "关于改善农村公路的建议")
	mustLack(t, res, "第0002号", "关于减轻学生课业负担的建议")
	// Asking for another unit changes nothing.
	mustLack(t, w.get(t, unit, "/admin/suggestions?unit="+url.QueryEscape(otherUnit)), "第0002号")

	mustHave(t, w.get(t, unit, "/admin/suggestions/"+itoa(ours.ID)), http.StatusOK, "领衔：王芳", "附议：李强", "记录办理步骤")
	if res := w.get(t, unit, "/admin/suggestions/"+itoa(theirs.ID)); res.status != http.StatusNotFound {
		t.Fatalf("another unit's suggestion: %d", res.status)
	}
	reply := url.Values{"kind": {"replied"}, "reply_category": {"A"}, "note": {"已列入年度计划。"}, "actor": {ourUnit}}
	if res := w.postForm(t, unit, "/admin/suggestions/"+itoa(theirs.ID)+"/steps", reply); res.status != http.StatusNotFound {
		t.Fatalf("a step on another unit's suggestion: %d", res.status)
	}
	if res := w.api(t, model.RoleUnit, http.MethodGet, "/api/v1/suggestions/"+itoa(theirs.ID), "", nil); res.status != http.StatusNotFound {
		t.Fatalf("another unit's suggestion through the API: %d", res.status)
	}
	step := `{"kind":"replied","reply_category":"A","note":"已列入年度计划。"}`
	if res := w.api(t, model.RoleUnit, http.MethodPost, "/api/v1/suggestions/"+itoa(theirs.ID)+"/steps", "application/json",
		strings.NewReader(step)); res.status != http.StatusNotFound {
		t.Fatalf("a step on another unit's suggestion through the API: %d %s", res.status, res.body)
	}

	t.Run("a reply without a category is shown again with the message beside the field", func(t *testing.T) {
		res := w.postForm(t, unit, "/admin/suggestions/"+itoa(ours.ID)+"/steps",
			url.Values{"kind": {"replied"}, "note": {"已列入年度计划。"}, "actor": {ourUnit}})
		mustHave(t, res, http.StatusUnprocessableEntity, `<div class="err">应为 A、B、C 或 D</div>`, "已列入年度计划。")
	})
	t.Run("a reply is recorded and reaches the deputies", func(t *testing.T) {
		res := w.postForm(t, unit, "/admin/suggestions/"+itoa(ours.ID)+"/steps", reply)
		if res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		sg, _ := w.suggestionsSvc().Get(t.Context(), ours.ID)
		if sg.Status != model.SuggestionReplied || sg.ReplyCategory != "A" {
			t.Fatalf("after the reply: %+v", sg)
		}
		ds, err := db.ListDeliveries(t.Context(), model.DeliveryFilter{DeputyID: second.ID})
		if err != nil || len(ds) == 0 {
			t.Fatalf("no delivery to the seconder: %v", err)
		}
		mustHave(t, w.get(t, unit, "/admin/suggestions/"+itoa(ours.ID)), http.StatusOK, "已答复", "<p>已列入年度计划。</p>")
	})
	t.Run("read-only accounts see every suggestion and record nothing", func(t *testing.T) {
		ro := w.login(t, model.RoleReadonly)
		mustHave(t, w.get(t, ro, "/admin/suggestions"), http.StatusOK, "第0001号", "第0002号")
		res := w.get(t, ro, "/admin/suggestions/"+itoa(theirs.ID))
		mustHave(t, res, http.StatusOK, "关于减轻学生课业负担的建议")
		mustLack(t, res, "记录办理步骤")
		if res := w.postForm(t, ro, "/admin/suggestions/"+itoa(theirs.ID)+"/steps", reply); res.status != http.StatusForbidden {
			t.Fatalf("read-only step: %d", res.status)
		}
	})
	if got := w.auditActions(t); got["suggestion.step"] != 1 {
		t.Fatalf("audit %v", got)
	}
}

func TestTheSuggestionListFilters(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	a, b := w.deputy(t, "王芳", "13800000001"), w.deputy(t, "李强", "13800000002")
	w.suggestion(t, "11", "甲建议", ourUnit, "十四届三次", a.ID)
	w.suggestion(t, "12", "乙建议", otherUnit, "十四届二次", b.ID, a.ID)
	sent := w.suggestion(t, "123", "丙建议", otherUnit, "十四届三次", b.ID)
	w.step(t, sent.ID, "replied", "C", "暂难解决")
	w.step(t, sent.ID, "rehandling", "", "代表不满意：答复敷衍")
	c := w.login(t, model.RoleStaff)
	tests := []struct {
		query      string
		want, lack []string
	}{
		{"deputy=" + url.QueryEscape("王"), []string{"甲建议", "乙建议"}, []string{"丙建议"}},
		{"number=123", []string{"丙建议"}, []string{"甲建议", "乙建议"}},
		{"unit=" + url.QueryEscape(otherUnit) + "&session=" + url.QueryEscape("十四届三次"), []string{"丙建议"}, []string{"甲建议", "乙建议"}},
		{"status=rehandling", []string{"丙建议", "代表不满意：答复敷衍", "重新办理理由"}, []string{"甲建议"}},
		{"number=" + url.QueryEscape("%_'\""), nil, []string{"甲建议", "乙建议", "丙建议"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := w.get(t, c, "/admin/suggestions?"+tt.query)
			mustHave(t, res, http.StatusOK, tt.want...)
			mustLack(t, res, tt.lack...)
		})
	}
}

func TestCreatingASuggestionShowsErrorsBesideTheFields(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	w.deputy(t, "王芳", "13800000001")
	c := w.login(t, model.RoleStaff)
	res := w.postForm(t, c, "/admin/suggestions", url.Values{"number": {"7"}, "title": {""}, "lead": {"赵六"}, "host_unit": {ourUnit}})
	mustHave(t, res, http.StatusUnprocessableEntity, `<div class="err">不能为空</div>`, "“赵六”不是名册中的代表")
	res = w.postForm(t, c, "/admin/suggestions", url.Values{"number": {"7"}, "title": {"关于公交的建议"}, "lead": {"王芳"},
		"host_unit": {ourUnit}, "deadline": {"2026-06-30"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	mustHave(t, w.get(t, c, res.header.Get("Location")), http.StatusOK, "第0007号", "2026-06-30", "领衔：")
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestTheRatesPageShowsThePercentages(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	lead, second := w.deputy(t, "王芳", "13800000001"), w.deputy(t, "李强", "13800000002")
	const session = "十四届三次"
	s1 := w.suggestion(t, "1", "甲", ourUnit, session, lead.ID, second.ID)
	w.suggestion(t, "2", "乙", ourUnit, session, lead.ID)
	w.suggestion(t, "3", "丙", ourUnit, session, lead.ID)
	s4 := w.suggestion(t, "4", "丁", otherUnit, session, lead.ID)
	w.suggestion(t, "5", "戊", otherUnit, "十四届二次", lead.ID) // another session
	w.step(t, s1.ID, "replied", "A", "已解决")
	w.step(t, s4.ID, "replied", "C", "暂难解决")
	w.step(t, s4.ID, "concluded", "", "")
	rate := func(id, deputy int64, result, reason string) {
		t.Helper()
		if _, err := w.suggestionsSvc().Rate(t.Context(), id, deputy, core.Rating{Contact: "face", Attitude: "satisfied",
			Result: result, Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	rate(s1.ID, lead.ID, "satisfied", "")
	rate(s1.ID, second.ID, "basic", "")
	rate(s4.ID, lead.ID, "dissatisfied", "没有实质进展")

	// Session 十四届三次: 4 suggestions, 2 answered (50.0%), none concluded
	// (丁 was sent back), 2 of 3 ratings satisfied (66.7%). 省交通运输厅:
	// 1 of 3 answered (33.3%), 100.0% satisfied; 省教育厅: 100.0%, 0.0%.
	c := w.login(t, model.RoleStaff)
	res := w.get(t, c, "/admin/suggestions/rates?session="+url.QueryEscape(session))
	mustHave(t, res, http.StatusOK, "<b>50.0%</b>", "<b>0.0%</b>", "<b>66.7%</b>", "2 / 3 份测评",
		"<td>33.3%</td>", "<td>100.0%</td>", "<td>0.0%</td>",
		`<script type="application/json" id="rates-chart">`, `"percent":true`, `"name":"满意率","data":[`,
		`src="/admin/static/echarts.min.js?v=`, `src="/admin/static/charts.js?v=`)

	t.Run("a unit sees its own rates only", func(t *testing.T) {
		res := w.get(t, w.login(t, model.RoleUnit), "/admin/suggestions/rates?session="+url.QueryEscape(session))
		mustHave(t, res, http.StatusOK, "<b>33.3%</b>", "<b>100.0%</b>")
		mustLack(t, res, otherUnit)
	})
	t.Run("the dashboard shows the latest session's rates and a status chart", func(t *testing.T) {
		res := w.get(t, c, "/admin/")
		mustHave(t, res, http.StatusOK, "建议办理（十四届二次）")
		// 十四届二次 has the latest suggestion (戊): 1 suggestion, none answered.
		mustHave(t, res, http.StatusOK, `id="status-chart"`, `"kind":"pie"`, "已交办 1")
	})
	t.Run("the chart scripts are served", func(t *testing.T) {
		for _, f := range []string{"echarts.min.js", "charts.js"} {
			res := w.get(t, w.client(), "/admin/static/"+f)
			if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "javascript") {
				t.Fatalf("%s: %d %s", f, res.status, res.header.Get("Content-Type"))
			}
		}
	})
}

func TestASuggestionImportWithThreeBadRowsListsThemAllAndWritesNothing(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	w.deputy(t, "王芳", "13800000001")
	w.deputy(t, "李强", "13800000002")
	c := w.login(t, model.RoleStaff)
	csv := "建议编号,标题,届次,领衔代表,附议代表,主办单位,办理期限\n" +
		"1,关于农村公路的建议,十四届三次,王芳,李强,省交通运输厅,2026-06-30\n" +
		"2,关于课后服务的建议,十四届三次,赵六,,省教育厅,\n" +
		"3,,十四届三次,李强,王芳,省医保局,\n" +
		"4,关于养老的建议,十四届三次,王芳,钱七、李强,省民政厅,明年\n"
	post := func(content string) result {
		ct, body := multipartFile(t, "建议.csv", content, nil)
		req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/admin/suggestions/import", body)
		req.Header.Set("Content-Type", ct)
		return w.do(t, c, req)
	}
	res := post(csv)
	mustHave(t, res, http.StatusUnprocessableEntity, "3 行有错误，未导入任何建议",
		"<td>第 3 行</td><td>领衔代表</td><td>赵六</td><td>不是名册中的代表</td>",
		"<td>第 4 行</td><td>标题</td>", "<td>第 5 行</td><td>附议代表</td><td>钱七</td>", "<td>第 5 行</td><td>办理期限</td>")
	if n, _ := db.CountRows(t.Context(), "suggestions"); n != 0 {
		t.Fatalf("%d suggestions written", n)
	}
	res = post("建议编号,标题,领衔代表,附议代表,主办单位\n1,关于农村公路的建议,王芳,李强,省交通运输厅\n")
	mustHave(t, res, http.StatusOK, "共 1 行，新增建议 1 件")
	mustHave(t, w.get(t, c, "/admin/suggestions"), http.StatusOK, "第0001号", "关于农村公路的建议")
	if got := w.auditActions(t); got["suggestion.import"] != 1 {
		t.Fatalf("audit %v", got)
	}
	t.Run("the list exports to Excel, a unit's own only", func(t *testing.T) {
		res := w.get(t, w.login(t, model.RoleUnit), "/admin/suggestions/export")
		if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") || !strings.Contains(res.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export: %d %v", res.status, res.header)
		}
	})
}
