package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestLiaisonAPI checks the 双联系 API on both databases against figures
// counted by hand: warnings outside 5–7, contacts, the digest, leaders and
// the yearly requirement with its flag; roles and audit entries.
func TestLiaisonAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		var ids []int64
		for i := 1; i <= 7; i++ {
			ids = append(ids, w.deputy(t, fmt.Sprintf("接口代表%d", i), fmt.Sprintf("1380000020%d", i)).ID)
		}
		// 接口代表1 sent an opinion today: one new opinion in the digest.
		w.opinion(t, ids[0], "social", "建议增加农村公交班次。")

		res := w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/members", `{"name":""}`)
		wantStatus(t, res, http.StatusUnprocessableEntity, `"field":"name"`)
		res = w.apiJSON(t, model.RoleReadonly, http.MethodPost, "/api/v1/liaison/members", `{"name":"李娜"}`)
		wantStatus(t, res, http.StatusForbidden)
		res = w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/members",
			`{"name":"李娜","title":"省人大常委会委员","phone":"13905310001"}`)
		wantStatus(t, res, http.StatusCreated, `"id":1`, `"binding":"未绑定微信"`, `"warning":"联系代表 0 名`)

		res = w.apiJSON(t, model.RoleStaff, http.MethodPut, "/api/v1/liaison/members/1/links", fmt.Sprintf(`{"deputy_ids":[%d,%d,%d,%d]}`,
			ids[0], ids[1], ids[2], ids[3]))
		wantStatus(t, res, http.StatusOK, `"warning":"联系代表 4 名，不在规定的 5–7 名之间"`)
		res = w.apiJSON(t, model.RoleStaff, http.MethodPut, "/api/v1/liaison/members/1/links", `{"deputy_ids":[9999]}`)
		wantStatus(t, res, http.StatusUnprocessableEntity, `"field":"deputy_id"`)
		res = w.apiJSON(t, model.RoleStaff, http.MethodPut, "/api/v1/liaison/members/1/links", fmt.Sprintf(`{"deputy_ids":[%d,%d,%d,%d,%d]}`,
			ids[0], ids[1], ids[2], ids[3], ids[4]))
		wantStatus(t, res, http.StatusOK, `"warning":""`)

		res = w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/members/1/contacts",
			fmt.Sprintf(`{"deputy_id":%d,"kind":"视频","on_date":"2026-03-01","note":"了解议案准备"}`, ids[1]))
		wantStatus(t, res, http.StatusCreated, `"deputy_name":"接口代表2"`, `"on_date":"2026-03-01"`)
		for _, bad := range []string{
			fmt.Sprintf(`{"deputy_id":%d,"kind":"短信","on_date":"2026-03-01"}`, ids[1]),
			fmt.Sprintf(`{"deputy_id":%d,"kind":"电话","on_date":"2026-03-03"}`, ids[1]), // tomorrow
			fmt.Sprintf(`{"deputy_id":%d,"kind":"电话","on_date":"2026-03-01"}`, ids[6]), // not linked
			fmt.Sprintf(`{"deputy_id":%d,"kind":"电话","on_date":"3月1日"}`, ids[1]),
		} {
			wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/members/1/contacts", bad), http.StatusUnprocessableEntity)
		}
		wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/liaison/members/1/contacts", ""), http.StatusOK,
			`"kind":"视频"`)

		var got struct {
			Phone   string `json:"phone"`
			Warning string `json:"warning"`
			Digest  struct {
				NewOpinions int      `json:"new_opinions"`
				NotYet      []string `json:"not_contacted_this_year"`
				Links       []struct {
					Name     string `json:"name"`
					Contacts int    `json:"contacts_this_year"`
				} `json:"links"`
			} `json:"digest"`
		}
		res = w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/liaison/members/1", "")
		if err := json.Unmarshal([]byte(res.body), &got); err != nil || res.status != http.StatusOK {
			t.Fatalf("%d %s %v", res.status, res.body, err)
		}
		if got.Phone != "*******0001" || got.Warning != "" || got.Digest.NewOpinions != 1 || len(got.Digest.Links) != 5 ||
			got.Digest.Links[1].Contacts != 1 || strings.Join(got.Digest.NotYet, " ") != "接口代表1 接口代表3 接口代表4 接口代表5" {
			t.Fatalf("member %+v", got)
		}

		// The member is 接口代表7 on WeChat; such a member gets no member code.
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/members/1/bind-code", ""), http.StatusOK, `"code":"`)
		res = w.apiJSON(t, model.RoleStaff, http.MethodPut, "/api/v1/liaison/members/1/deputy", fmt.Sprintf(`{"deputy_id":%d}`, ids[6]))
		wantStatus(t, res, http.StatusOK, `"deputy_name":"接口代表7"`, `"binding":"是代表（接口代表7），代表身份尚未绑定微信"`)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/members/1/bind-code", ""),
			http.StatusUnprocessableEntity, "请用代表身份绑定")

		// Leaders: 接口代表6 with an activity this year, 接口代表7 none.
		res = w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders", fmt.Sprintf(`{"deputy_id":%d,"title":"副省长"}`, ids[5]))
		wantStatus(t, res, http.StatusCreated, `"unit":"济南市代表团"`, `"flag":"今年尚未参加"`)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders", fmt.Sprintf(`{"deputy_id":%d}`, ids[5])),
			http.StatusUnprocessableEntity, "已经是")
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders", fmt.Sprintf(`{"deputy_id":%d,"unit":"火星代表团"}`, ids[6])),
			http.StatusUnprocessableEntity, `"field":"unit"`)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders", fmt.Sprintf(`{"deputy_id":%d}`, ids[6])),
			http.StatusCreated)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders/1/activities",
			`{"kind":"调研","on_date":"2026-02-10","note":"调研乡村振兴"}`), http.StatusCreated, `"created_by":"`)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders/1/activities",
			`{"kind":"调研","on_date":"2025-12-10"}`), http.StatusCreated)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders/1/activities",
			`{"kind":"宴请","on_date":"2026-02-10"}`), http.StatusUnprocessableEntity, `"field":"kind"`)
		wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/liaison/leaders/9/activities",
			`{"kind":"调研","on_date":"2026-02-10"}`), http.StatusNotFound)
		wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/liaison/leaders/1/activities", ""), http.StatusOK,
			`"note":"调研乡村振兴"`)

		var req struct {
			Year    int `json:"year"`
			Met     int `json:"met"`
			NotYet  int `json:"not_yet"`
			Leaders []struct {
				Name       string `json:"deputy_name"`
				Activities int    `json:"activities"`
				Last       string `json:"last_activity_on"`
				Flag       string `json:"flag"`
			} `json:"leaders"`
		}
		for _, c := range []struct {
			query                 string
			year, met, notYet, n6 int
			last6, flag7          string
		}{{"", 2026, 1, 1, 1, "2026-02-10", "今年尚未参加"}, {"?year=2025", 2025, 1, 1, 1, "2025-12-10", "今年尚未参加"}} {
			res = w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/liaison/requirement"+c.query, "")
			if err := json.Unmarshal([]byte(res.body), &req); err != nil || res.status != http.StatusOK {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if req.Year != c.year || req.Met != c.met || req.NotYet != c.notYet || len(req.Leaders) != 2 ||
				req.Leaders[0].Name != "接口代表6" || req.Leaders[0].Activities != c.n6 || req.Leaders[0].Last != c.last6 ||
				req.Leaders[0].Flag != "" || req.Leaders[1].Flag != c.flag7 {
				t.Fatalf("requirement%s: %+v", c.query, req)
			}
		}
		wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/liaison/requirement?year=abc", ""), http.StatusBadRequest)
		wantStatus(t, w.apiJSON(t, model.RoleReadonly, http.MethodGet, "/api/v1/liaison/leaders", ""), http.StatusOK, `"year":2026`)

		if a := w.auditActions(t); a["liaison.member.create"] != 1 || a["liaison.link"] != 2 || a["liaison.contact"] != 1 ||
			a["liaison.member.deputy"] != 1 || a["liaison.member.bind_code"] != 1 || a["liaison.leader.create"] != 2 ||
			a["liaison.leader.activity"] != 2 {
			t.Fatalf("audit %v", a)
		}
		if s := strings.Join(w.auditSummaries(t, "liaison.member.bind_code"), " "); strings.Contains(s, "code") {
			t.Fatalf("bind code audit %q", s)
		}
	})
}

// TestLiaisonLeadersAndBindingInTheConsole: the leader view with its flag,
// an activity logged, the member's binding state, code and deputy link,
// and the Excel export of members with their counts.
func TestLiaisonLeadersAndBindingInTheConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleStaff)
		var names []string
		for i := 1; i <= 6; i++ {
			names = append(names, w.deputy(t, fmt.Sprintf("页面代表%d", i), fmt.Sprintf("1380000030%d", i)).Name)
		}
		mustHave(t, w.get(t, c, "/admin/liaison/leaders"), http.StatusOK, "还没有登记省领导", "年内至少参加 1 次所在选举单位活动")
		if res := w.postForm(t, c, "/admin/liaison/leaders", url.Values{"deputy": {"无此人"}}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "没有名为") {
			t.Fatalf("unknown: %d", res.status)
		}
		res := w.postForm(t, c, "/admin/liaison/leaders", url.Values{"deputy": {names[5]}, "title": {"副省长"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		mustHave(t, w.get(t, c, "/admin/liaison/leaders"), http.StatusOK, names[5], "济南市代表团", "今年尚未参加", "尚未参加 <strong>1</strong> 人")
		leader := res.header.Get("Location")
		mustHave(t, w.get(t, c, leader), http.StatusOK, "今年尚未参加", "还没有活动记录")
		if res := w.postForm(t, c, leader+"/activities", url.Values{"kind": {"接待代表"}, "on_date": {"2026-03-05"}}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "不能晚于今天") {
			t.Fatalf("future: %d", res.status)
		}
		if res := w.postForm(t, c, leader+"/activities", url.Values{"kind": {"接待代表"}, "on_date": {"2026-03-01"}, "note": {"接待代表来访"}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		res = w.get(t, c, leader)
		mustHave(t, res, http.StatusOK, "接待代表来访", "1 次")
		mustLack(t, res, "今年尚未参加")
		mustHave(t, w.get(t, c, "/admin/liaison/leaders?year=2025"), http.StatusOK, "今年尚未参加", "2025 年")

		if res := w.postForm(t, c, "/admin/liaison", url.Values{"name": {"李娜"}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d", res.status)
		}
		ms, _ := db.ListCommitteeMembers(t.Context())
		page := "/admin/liaison/" + itoa(ms[0].ID)
		if res := w.postForm(t, c, page+"/links", url.Values{"deputies": {strings.Join(names[:5], "\n")}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d", res.status)
		}
		mustHave(t, w.get(t, c, page), http.StatusOK, "未绑定微信", "生成绑定码")
		res = w.postForm(t, c, page+"/bind-code", nil)
		mustHave(t, res, http.StatusOK, `class="secret"`, "只显示这一次")
		mustHave(t, w.get(t, c, page), http.StatusOK, "重新生成绑定码", "尚在有效期内")
		if res := w.postForm(t, c, page+"/deputy", url.Values{"deputy": {names[5]}}); res.status != http.StatusSeeOther {
			t.Fatalf("%d %s", res.status, res.body)
		}
		res = w.get(t, c, page)
		mustHave(t, res, http.StatusOK, "是代表（"+names[5]+"），代表身份尚未绑定微信")
		mustLack(t, res, "生成绑定码")

		x := w.get(t, c, "/admin/liaison/export")
		if x.status != http.StatusOK {
			t.Fatalf("export %d", x.status)
		}
		f, err := excelize.OpenReader(strings.NewReader(x.body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil || len(rows) != 2 || rows[1][1] != "李娜" || rows[1][4] != "5" || rows[1][7] != "0" ||
			rows[1][8] != strings.Join(names[:5], "、") {
			t.Fatalf("rows %q %v", rows, err)
		}
		if res := w.get(t, w.login(t, model.RoleReadonly), "/admin/liaison/export"); res.status != http.StatusForbidden {
			t.Fatalf("readonly export %d", res.status)
		}
		if a := w.auditActions(t); a["liaison.export"] != 1 || a["liaison.leader.create"] != 1 || a["liaison.leader.activity"] != 1 ||
			a["liaison.member.bind_code"] != 1 || a["liaison.member.deputy"] != 1 {
			t.Fatalf("audit %v", a)
		}
	})
}
