package handlers_test

import (
	"bytes"
	"mime/multipart"
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

const xssName = `<script>alert(1)</script>`

func TestADeputysNameIsShownEscaped(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, xssName, "13800000001")
	c := w.login(t, model.RoleStaff)
	for _, path := range []string{"/admin/deputies", "/admin/deputies/" + strconv.FormatInt(d.ID, 10),
		"/admin/deputies/" + strconv.FormatInt(d.ID, 10) + "/edit", "/admin/deputies/" + strconv.FormatInt(d.ID, 10) + "/terminate"} {
		res := w.get(t, c, path)
		if res.status != http.StatusOK || strings.Contains(res.body, xssName) || !strings.Contains(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: %d, name shown raw or not at all", path, res.status)
		}
		if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestSQLMetacharactersInFiltersAreHarmless(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		w.deputy(t, "王芳", "13800000001")
		w.deputy(t, "李强", "13800000002")
		c := w.login(t, model.RoleStaff)
		nasty := []string{`' OR '1'='1`, `%`, `_`, `!`, `\`, `"; DROP TABLE deputies; --`, `1) OR (1=1`, "\x00"}
		for _, param := range []string{"q", "delegation", "group", "tag", "level", "status", "grassroots", "bound", "page"} {
			for _, v := range nasty {
				q := url.Values{param: {v}}.Encode()
				// Text filters match nothing; unknown values of the others, and
				// control characters, are ignored.
				textual := (param == "q" || param == "delegation" || param == "group" || param == "tag") && v != "\x00"
				res := w.get(t, c, "/admin/deputies?"+q)
				if res.status != http.StatusOK || textual == strings.Contains(res.body, "王芳") {
					t.Errorf("console %s=%q: %d, match %v", param, v, res.status, strings.Contains(res.body, "王芳"))
				}
				res = w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/deputies?"+q, "", nil)
				if res.status != http.StatusOK || textual != strings.Contains(res.body, `"total":0`) {
					t.Errorf("api %s=%q: %d %s", param, v, res.status, res.body)
				}
			}
		}
		if total, _, _ := db.CountDeputies(t.Context()); total != 2 {
			t.Fatalf("deputies after the filters: %d", total)
		}
		res := w.get(t, c, "/admin/audit?action="+url.QueryEscape(`%'; --`))
		if res.status != http.StatusForbidden {
			t.Fatalf("staff reading the audit log: %d", res.status)
		}
		admin := w.login(t, model.RoleAdmin)
		if res := w.get(t, admin, "/admin/audit?action="+url.QueryEscape(`%'.`)); res.status != http.StatusOK || !strings.Contains(res.body, "没有记录") {
			t.Fatalf("audit filter with metacharacters: %d", res.status)
		}
	})
}

func TestPhonesAreMaskedForReadOnlyAccounts(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	d := w.deputy(t, "王芳", "13812345678")
	ro := w.login(t, model.RoleReadonly)
	for _, path := range []string{"/admin/deputies", "/admin/deputies/" + strconv.FormatInt(d.ID, 10)} {
		res := w.get(t, ro, path)
		if res.status != http.StatusOK || strings.Contains(res.body, "13812345678") || !strings.Contains(res.body, "138****5678") {
			t.Errorf("%s as read-only: %d, phone not masked", path, res.status)
		}
	}
	res := w.get(t, ro, "/admin/deputies?q=1381234")
	if !strings.Contains(res.body, "不能按手机号搜索") {
		t.Error("a read-only phone search is not refused")
	}
	for _, path := range []string{"/api/v1/deputies", "/api/v1/deputies/" + strconv.FormatInt(d.ID, 10)} {
		res := w.api(t, model.RoleReadonly, http.MethodGet, path, "", nil)
		if res.status != http.StatusOK || strings.Contains(res.body, "13812345678") || !strings.Contains(res.body, "138****5678") {
			t.Errorf("%s as read-only: %d %s", path, res.status, res.body)
		}
	}
	if res := w.get(t, w.login(t, model.RoleStaff), "/admin/deputies"); !strings.Contains(res.body, "13812345678") {
		t.Error("staff do not see the phone")
	}
}

func TestDeputyFormsShowErrorsBesideTheirFields(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.login(t, model.RoleStaff)
	res := w.postForm(t, c, "/admin/deputies", url.Values{"name": {"王芳"}, "phone": {"12345"}, "birth_date": {"1970-13-01"}, "level": {"provincial"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `<div class="err">不是有效的手机号码</div>`) ||
		!strings.Contains(res.body, `<div class="err">格式应为 1970-01-31</div>`) || !strings.Contains(res.body, `value="12345"`) {
		t.Fatalf("invalid form: %d %s", res.status, res.body)
	}
	res = w.postForm(t, c, "/admin/deputies", url.Values{"name": {"王芳"}, "phone": {"13800000009"}, "level": {"provincial"},
		"delegation": {"济南市代表团"}, "tags": {"教育、医疗"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("valid form: %d %s", res.status, res.body)
	}
	loc := res.header.Get("Location")
	res = w.postForm(t, c, loc, url.Values{"name": {"王芳"}, "phone": {"13800000009"}, "level": {"national"}, "delegation": {"青岛市代表团"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.status, res.body)
	}
	res = w.postForm(t, c, loc+"/terminate", url.Values{"date": {"2026-03-01"}, "reason": {"调离"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请勾选确认") {
		t.Fatalf("terminate without confirming: %d", res.status)
	}
	res = w.postForm(t, c, loc+"/terminate", url.Values{"date": {"2026-03-01"}, "reason": {"调离"}, "confirm": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("terminate: %d %s", res.status, res.body)
	}
	if res := w.get(t, c, loc); !strings.Contains(res.body, "已于 2026-03-01 终止（调离）") {
		t.Fatalf("detail after terminate: %s", res.body)
	}
	got := w.auditActions(t)
	if got["deputy.create"] != 1 || got["deputy.update"] != 1 || got["deputy.terminate"] != 1 {
		t.Fatalf("audit entries %v", got)
	}
	es, _, _ := db.ListAudit(t.Context(), model.AuditFilter{Action: "deputy.update"})
	if len(es) != 1 || !strings.Contains(es[0].Summary, "代表团：济南市代表团 → 青岛市代表团") || strings.Contains(es[0].Summary, "13800000009") {
		t.Fatalf("update summary %+v", es)
	}
}

func multipartFile(t *testing.T, name, content string, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), &buf
}

func TestConsoleImportShowsTheRowErrors(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.login(t, model.RoleStaff)
	csv := "姓名,代表团,手机号\n王芳,济南市代表团,13800000001\n李强,济南市代表团,abc\n"
	post := func(fields map[string]string) result {
		ct, body := multipartFile(t, "名册.csv", csv, fields)
		req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/admin/deputies/import", body)
		req.Header.Set("Content-Type", ct)
		return w.do(t, c, req)
	}
	res := post(nil)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "未导入任何数据") || !strings.Contains(res.body, "第 3 行") {
		t.Fatalf("invalid import: %d %s", res.status, res.body)
	}
	res = post(map[string]string{"skip_invalid": "1"})
	if res.status != http.StatusOK || !strings.Contains(res.body, "新增 1") || !strings.Contains(res.body, "跳过 1") {
		t.Fatalf("import skipping invalid rows: %d %s", res.status, res.body)
	}
	res = w.get(t, c, "/admin/deputies/export?delegation="+url.QueryEscape("济南市代表团"))
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") || !strings.Contains(res.header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export: %d %v", res.status, res.header)
	}
	if got := w.auditActions(t); got["deputy.import"] != 1 || got["deputy.export"] != 1 {
		t.Fatalf("audit entries %v", got)
	}
}

func TestAccountsTokensAndTheAuditLogPages(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	admin := w.login(t, model.RoleAdmin)
	res := w.postForm(t, admin, "/admin/accounts", url.Values{"username": {"Bad Name"}, "role": {"staff"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `<div class="err">应为 2–32 位`) {
		t.Fatalf("invalid account: %d", res.status)
	}
	res = w.postForm(t, admin, "/admin/accounts", url.Values{"username": {"zhangwei"}, "name": {"张伟"}, "role": {"readonly"}})
	if res.status != http.StatusOK || !strings.Contains(res.body, `class="secret"`) {
		t.Fatalf("new account: %d", res.status)
	}
	a, err := w.staff.GetByUsername(t.Context(), "zhangwei")
	if err != nil || a.Role != model.RoleReadonly || !a.MustChangePassword {
		t.Fatalf("account %+v %v", a, err)
	}
	id := strconv.FormatInt(a.ID, 10)
	if res := w.postForm(t, admin, "/admin/accounts/"+id+"/disable", nil); res.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.status)
	}
	if res := w.postForm(t, admin, "/admin/accounts/"+id+"/password", nil); res.status != http.StatusOK {
		t.Fatalf("reset password: %d", res.status)
	}
	self := strconv.FormatInt(w.accounts[model.RoleAdmin].ID, 10)
	if res := w.postForm(t, admin, "/admin/accounts/"+self+"/disable", nil); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("disabling oneself: %d", res.status)
	}

	unit := w.login(t, model.RoleUnit)
	res = w.postForm(t, unit, "/admin/tokens", url.Values{"name": {"办理系统"}})
	if res.status != http.StatusOK || !strings.Contains(res.body, core.TokenPrefix) {
		t.Fatalf("create token: %d", res.status)
	}
	tokens, _ := w.staff.Tokens(t.Context(), w.accounts[model.RoleUnit].ID)
	if res := w.postForm(t, admin, "/admin/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil); res.status != http.StatusNotFound {
		t.Fatalf("revoking another account's token: %d", res.status)
	}
	if res := w.postForm(t, unit, "/admin/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil); res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}

	res = w.get(t, admin, "/admin/audit")
	for _, want := range []string{"staff.create", "staff.disable", "staff.password_reset", "token.create", "token.revoke", "staff.login"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the audit page lacks %s", want)
		}
	}
	res = w.get(t, admin, "/admin/audit/export")
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
		t.Fatalf("audit export: %d", res.status)
	}
}
