package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/testkit"
)

// This file holds what the bad-input tour (badinput_test.go) and the fuzz
// targets (forms_fuzz_test.go) share: a world with one row of everything a
// console form acts on, a valid value for every form field, and a
// fingerprint of the whole database to show that a refused request stored
// nothing.

// consoleForms is a valid submission of every console POST form, keyed by
// "METHOD pattern" as handlers.AdminRoutes lists them; {id} is 1 and
// names an existing row in a hostile world. A form with a "file" field is
// posted as multipart with that field as the uploaded file.
// TestEveryConsoleFormIsInTheTour keeps it complete.
var consoleForms = map[string]url.Values{
	"POST /admin/login":    {"username": {"u-admin"}, "password": {testPassword}},
	"POST /admin/logout":   {},
	"POST /admin/password": {"current": {testPassword}, "password": {"another-long-one"}, "confirm": {"another-long-one"}},

	"POST /admin/deputies": {"name": {"孙丽"}, "gender": {"女"}, "ethnicity": {"汉族"}, "birth_date": {"1975-05-01"},
		"delegation": {"济南市代表团"}, "level": {"provincial"}, "grassroots": {"1"}, "occupation": {"教师"},
		"professional_group": {"教科文卫"}, "phone": {"13800000031"}, "tags": {"教育"}},
	"POST /admin/deputies/{id}": {"name": {"王芳"}, "gender": {"女"}, "ethnicity": {"汉族"}, "birth_date": {"1970-01-01"},
		"delegation": {"济南市代表团"}, "level": {"provincial"}, "occupation": {"农民"},
		"professional_group": {"农业"}, "phone": {"13800000001"}, "tags": {"农业"}},
	"POST /admin/deputies/{id}/bind-code": {},
	"POST /admin/deputies/{id}/terminate": {"date": {"2026-03-01"}, "reason": {"调离本省"}, "confirm": {"1"}},
	"POST /admin/deputies/{id}/unbind":    {"confirm": {"1"}},
	"POST /admin/deputies/import":         {"file": {"姓名,代表团,手机号\r\n周敏,烟台市代表团,13800000041\r\n"}, "skip_invalid": {""}},
	"POST /admin/deputies/import/preview": {"file": {"姓名,代表团,手机号\r\n周敏,烟台市代表团,13800000041\r\n"}},

	"POST /admin/meetings": {"kind": {"research"}, "title": {"农村公路专题调研"}, "starts_at": {"2026-03-10T09:00"},
		"ends_at": {"2026-03-10T17:00"}, "place": {"省人大常委会机关 201 会议室"}, "organiser": {"代表工作委员会"},
		"contact": {"张明 0531-1234567"}, "rsvp_deadline": {"2026-03-08T18:00"}},
	"POST /admin/meetings/{id}/invite":     {"delegation": {"济南市代表团"}, "action": {"invite"}},
	"POST /admin/meetings/{id}/remind":     {},
	"POST /admin/meetings/{id}/attendance": {"shown": {"1", "2"}, "attended": {"1"}, "back": {"/admin/meetings/1"}},
	"POST /admin/meetings/{id}/sitin":      {"n": {"5"}, "topics": {"教育"}, "deputy_id": {"3"}},
	"POST /admin/meetings/{id}/signup":     {"capacity": {"30"}, "deadline": {"2026-03-08T18:00"}},

	"POST /admin/campaigns": {"kind": {"general_notice"}, "title": {"会议通知"}, "body": {"请各位代表按时参加。"},
		"delegation": {"济南市代表团"}, "when": {"now"}, "action": {"send"}},
	"POST /admin/campaigns/{id}/pause":  {},
	"POST /admin/campaigns/{id}/resume": {},
	"POST /admin/campaigns/{id}/cancel": {"confirm": {"1"}},

	"POST /admin/suggestions": {"number": {"第0007号"}, "title": {"关于公交的建议"}, "summary": {"增加班次"},
		"session": {"十四届人大三次会议"}, "lead": {"王芳"}, "seconders": {"李强"}, "host_unit": {"省交通运输厅"},
		"co_units": {"省财政厅"}, "deadline": {"2026-06-30"}},
	"POST /admin/suggestions/import":      {"file": {"建议编号,标题,领衔代表,主办单位,办理期限\r\n第0100号,关于校车的建议,王芳,省教育厅,2026-06-30\r\n"}},
	"POST /admin/suggestions/{id}/review": {"action": {"accept"}, "units": {"省交通运输厅、省财政厅"}},
	"POST /admin/suggestions/{id}/steps": {"kind": {"replied"}, "reply_category": {"A"}, "note": {"已列入年度计划。"},
		"actor": {"省交通运输厅"}},
	"POST /admin/supervision/suggestions/{id}/extensions": {"new_deadline": {"2026-08-31"}, "reason": {"需协调多个部门"}},
	"POST /admin/supervision/extensions/{id}/decide":      {"decision": {"approve"}, "note": {"同意"}},
	"POST /admin/supervision/suggestions/{id}/promise":    {"promise_date": {"2026-05-31"}},

	"POST /admin/opinions/{id}/reply":  {"reply": {"已转交省交通运输厅研究。"}},
	"POST /admin/opinions/{id}/assign": {"staff_id": {"1"}},
	"POST /admin/opinions/{id}/adopt":  {"note": {"已吸收"}},
	"POST /admin/opinions/{id}/close":  {},
	"POST /admin/records/{id}/review":  {"decision": {"approve"}, "note": {"属实"}},
	"POST /admin/stations": {"name": {"历下区代表联络站"}, "address": {"济南市历下区泺源大街 1 号"}, "map_url": {"https://map.example.cn/?q=1"},
		"delegation": {"济南市代表团"}, "deputies": {"王芳\n李强"}, "contact_name": {"张明"}, "contact_phone": {"0531-1234567"}},
	"POST /admin/stations/{id}":              {"name": {"历下区代表联络站"}, "address": {"济南市历下区泺源大街 2 号"}, "deputies": {"王芳"}},
	"POST /admin/stations/{id}/receptions":   {"starts_at": {"2026-03-15T09:00"}, "ends_at": {"2026-03-15T11:30"}, "deputies": {"王芳"}},
	"POST /admin/stations/import":            {"file": {"名称,地址,联系代表\r\n市中区代表联络站,济南市市中区经七路 1 号,李强\r\n"}},
	"POST /admin/public-opinions/{id}/route": {"action": {"unit"}, "unit": {"历下区城市管理局"}, "reason": {""}},
	"POST /admin/messages/{id}/reply":        {"text": {"已转交村委会处理。"}},
	"POST /admin/messages/{id}/assign":       {"staff_id": {"1"}},
	"POST /admin/messages/{id}/close":        {"note": {"已电话联系"}},
	"POST /admin/records/rules":              {"research": {"2"}},

	// Study: a material is posted as multipart (the form carries its
	// attachments); the empty "file" part makes it so and is not read.
	"POST /admin/materials": {"file": {""}, "title": {"宪法学习材料"}, "summary": {"宪法全文与辅导"},
		"body": {"# 宪法\n\n**学习要点**"}, "category": {"政治理论"}, "link": {"https://www.npc.gov.cn/"}},
	"POST /admin/materials/{id}": {"file": {""}, "title": {"宪法学习材料（修订）"}, "summary": {"宪法全文与辅导"},
		"body": {"# 宪法"}, "category": {"法律法规"}},
	"POST /admin/materials/categories":   {"categories": {"政治理论\n法律法规\n履职知识\n专题学习"}},
	"POST /admin/materials/{id}/publish": {"all": {"1"}, "action": {"publish"}},
	"POST /admin/materials/{id}/archive": {},
	"POST /admin/courses":                {"title": {"宪法专题学习班"}, "required": {"1"}, "deadline": {"2030-06-30"}, "material": {"1"}, "all": {"1"}},
	"POST /admin/courses/{id}":           {"title": {"宪法专题学习班（春季）"}, "required": {"1"}, "deadline": {"2030-06-30"}, "material": {"1"}, "all": {"1"}},
	"POST /admin/courses/settings":       {"reminder_days": {"3"}},
	"POST /admin/courses/{id}/publish":   {},
	"POST /admin/courses/{id}/archive":   {},
	"POST /admin/courses/{id}/remind":    {},

	"POST /admin/series": {"name": {"每周学习"}, "kind": {"general_notice"}, "title": {"本周提醒"}, "body": {"正文"},
		"schedule": {"0 9 * * 1"}, "delegation": {"济南市代表团"}},
	"POST /admin/series/{id}/activate":   {},
	"POST /admin/series/{id}/deactivate": {},

	"POST /admin/liaison":                         {"name": {"李委员"}, "title": {"常委会委员"}, "phone": {"13900000001"}},
	"POST /admin/liaison/{id}/links":              {"deputies": {"王芳\n李强"}},
	"POST /admin/liaison/{id}/contacts":           {"deputy_id": {"1"}, "kind": {"电话"}, "on_date": {"2026-03-01"}, "note": {"了解议案准备情况"}},
	"POST /admin/liaison/leaders":                 {"deputy": {"李强"}, "unit": {"济南市代表团"}, "title": {"省人大常委会副主任"}},
	"POST /admin/liaison/leaders/{id}/activities": {"kind": {"座谈"}, "on_date": {"2026-03-01"}, "note": {"听取代表意见"}},
	"POST /admin/liaison/{id}/bind-code":          {},
	"POST /admin/liaison/{id}/deputy":             {"deputy": {"赵敏"}},
	"POST /admin/liaison/{id}/unbind":             {},
	"POST /admin/solicitations/{id}/articles":     {"draft": {"第一条 为了规范数据处理活动，制定本条例。\n第二条 本条例适用于本省行政区域内的数据处理活动。"}, "confirm": {"1"}},
	"POST /admin/solicitations":                   {"title": {"《数据条例（草案）》征求意见"}, "summary": {"共二十条"}, "articles": {"20"}, "opens_at": {"2026-03-02T09:00"}, "closes_at": {"2026-03-31T18:00"}},
	"POST /admin/surveys":                         {"title": {"代表履职需求调查"}, "intro": {"请如实填写。"}, "closes_at": {"2026-03-20T18:00"}, "q1_kind": {"single"}, "q1_text": {"您最关心哪个领域？"}, "q1_options": {"教育\n医疗\n交通"}},
	"POST /admin/accounts":                        {"username": {"zhangwei"}, "name": {"张伟"}, "role": {"readonly"}, "unit": {""}},
	"POST /admin/accounts/{id}/disable":           {},
	"POST /admin/accounts/{id}/enable":            {},
	"POST /admin/accounts/{id}/password":          {},
	"POST /admin/tokens":                          {"name": {"办理系统"}},
	"POST /admin/tokens/{id}/revoke":              {},
	"POST /admin/accounts/{id}/wechat/unbind":     {},
	"POST /admin/wechat/bind-code":                {},
	"POST /admin/wechat/unbind":                   {"confirm": {"1"}},

	"POST /admin/settings/delivery":       {"quiet_hours": {"21:00-08:00"}, "rate_per_second": {"12.5"}},
	"POST /admin/settings/delivery/reset": {},
	"POST /admin/settings/menu":           {"menu": {`{"button":[{"name":"学习","key":"MATERIALS"}]}`}},
	"POST /admin/settings/menu/reset":     {},
	"POST /admin/settings/menu/sync":      {},
	"POST /admin/settings/templates":      {"id_general_notice": {"TPL_GENERAL"}, "fields_general_notice": {"thing1=title，time2=time"}},
	"POST /admin/settings/template":       {"kind": {"general_notice"}, "id": {"TPL_GENERAL"}, "kw0": {"thing1"}, "field0": {"title"}, "kw1": {"time2"}, "field1": {"time"}},
}

// sessionForms are the forms that end or change the admin's own session;
// the fuzz target leaves them to the tour.
var sessionForms = []string{"POST /admin/login", "POST /admin/logout", "POST /admin/password"}

// consolePostRoutes lists the console's POST routes from its route table.
func consolePostRoutes() []string {
	var out []string
	for _, r := range handlers.AdminRoutes() {
		if r.Method == http.MethodPost {
			out = append(out, r.Method+" "+r.Pattern)
		}
	}
	slices.Sort(out)
	return out
}

// fieldNames returns a form's fields in a stable order.
func fieldNames(form url.Values) []string {
	var out []string
	for k := range form {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// hostileWorld is an admin world with an admin signed in and one row of
// everything a console form acts on, each with id 1.
type hostileWorld struct {
	*adminWorld
	admin *http.Client
}

// newHostileWorld builds the world for tb (a test or a fuzz target).
func newHostileWorld(tb testing.TB, db *storage.DB) *hostileWorld {
	tb.Helper()
	ctx := context.Background()
	w := &adminWorld{db: db, clock: testkit.NewClock(), log: &testkit.LogBuffer{}, accounts: map[string]model.Account{}, tokens: map[string]string{}}
	db.SetClock(w.clock.Now)
	w.staff = core.NewStaff(db)
	w.staff.Now, w.staff.HashCost = w.clock.Now, bcrypt.MinCost
	spare, _, err := w.staff.Create(ctx, core.NewAccount{Username: "spare", Role: model.RoleStaff, Password: testPassword})
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := w.staff.CreateToken(ctx, spare, "备用"); err != nil {
		tb.Fatal(err)
	}
	for _, role := range core.Roles {
		a, _, err := w.staff.Create(ctx, core.NewAccount{Username: "u-" + role, Name: core.RoleLabel(role), Role: role,
			Unit: "省交通运输厅", Password: testPassword})
		if err != nil {
			tb.Fatal(err)
		}
		w.accounts[role] = a
		if w.tokens[role], _, err = w.staff.CreateToken(ctx, a, "测试"); err != nil {
			tb.Fatal(err)
		}
	}
	// The admin's own WeChat and account 1's are bound, so their unbinds change something.
	if err := db.BindStaffWeChat(ctx, w.accounts[model.RoleAdmin].ID, "o-hostile-admin"); err != nil {
		tb.Fatal(err)
	}
	if err := db.BindStaffWeChat(ctx, spare.ID, "o-hostile-spare"); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w.srv = httptest.NewUnstartedServer(nil)
	w.public = "http://" + w.srv.Listener.Addr().String()
	d := handlers.AdminDeps{SessionStore: db.Sessions(), Log: log, PublicURL: w.public,
		Services: core.New(db, core.Options{Now: w.clock.Now})}
	w.srv.Config.Handler = handlers.New(handlers.Deps{Log: log, DB: db, Admin: handlers.Admin(d), API: handlers.API(d)})
	w.srv.Start()
	tb.Cleanup(w.srv.Close)

	hw := &hostileWorld{adminWorld: w}
	hw.admin = hw.signIn(tb, model.RoleAdmin)
	hw.fixtures(tb)
	return hw
}

// signIn returns a client signed in as the account of role.
func (w *hostileWorld) signIn(tb testing.TB, role string) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := w.post(c, "/admin/login", url.Values{"username": {"u-" + role}, "password": {testPassword}})
	if err != nil || res.status != http.StatusSeeOther {
		tb.Fatalf("login as %s: %v %d %s", role, err, res.status, res.body)
	}
	return c
}

// fixtures creates, through the console's own forms where there is one,
// the rows with id 1 the forms act on; each valid form must be accepted.
func (w *hostileWorld) fixtures(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	mustPost := func(pattern, path string, form url.Values) {
		tb.Helper()
		if form == nil {
			form = consoleForms["POST "+pattern]
		}
		res, err := w.post(w.admin, path, form)
		if err != nil || res.status != http.StatusSeeOther {
			tb.Fatalf("fixture %s: %v %d %s", path, err, res.status, res.body)
		}
	}
	for i, name := range []string{"王芳", "李强", "赵敏"} {
		f := cloneForm(consoleForms["POST /admin/deputies"])
		f.Set("name", name)
		f.Set("phone", fmt.Sprintf("1380000000%d", i+1))
		mustPost("/admin/deputies", "/admin/deputies", f)
	}
	if err := w.db.BindDeputy(ctx, 1, "o-hostile-1"); err != nil {
		tb.Fatal(err)
	}
	mustPost("/admin/meetings", "/admin/meetings", nil)
	mustPost("/admin/meetings/{id}/invite", "/admin/meetings/1/invite", url.Values{"deputy_ids": {"1, 2"}, "action": {"invite"}})
	mustPost("/admin/suggestions", "/admin/suggestions", nil)
	mustPost("/admin/supervision/suggestions/{id}/extensions", "/admin/supervision/suggestions/1/extensions", nil)
	mustPost("/admin/series", "/admin/series", nil)
	mustPost("/admin/liaison", "/admin/liaison", nil)
	mustPost("/admin/solicitations", "/admin/solicitations", nil)
	// Leaders of the 双联系 work: a newer form, so a fixture it cannot make
	// leaves the route answering 404, which the tour accepts.
	_, _ = w.post(w.admin, "/admin/liaison/leaders", consoleForms["POST /admin/liaison/leaders"])
	mustPost("/admin/surveys", "/admin/surveys", nil)
	mustPost("/admin/campaigns", "/admin/campaigns", nil)
	mustPost("/admin/materials", "/admin/materials", nil)
	mustPost("/admin/courses", "/admin/courses", nil)
	if err := w.db.CreateOpinion(ctx, &model.Opinion{DeputyID: 1, Category: "social", Body: "建议增加农村公交班次。"}); err != nil {
		tb.Fatal(err)
	}
	mustPost("/admin/stations", "/admin/stations", nil)
	if err := w.db.CreatePublicOpinion(ctx, &model.PublicOpinion{StationID: 1, OpenID: "o-hostile-citizen", Category: "traffic",
		Body: "建议增设过街天桥。"}); err != nil {
		tb.Fatal(err)
	}
	if err := w.db.CreateMessage(ctx, &model.Message{OpenID: "o-hostile-1", DeputyID: 1, Body: "请问学习班什么时候报名？"}); err != nil {
		tb.Fatal(err)
	}
	entry := model.RecordEntry{DeputyID: 1, Category: model.EntryResearch, HappenedOn: w.clock.Now().AddDate(0, 0, -7),
		Place: "济南市历城区", Description: "走访农村公路养护情况。"}
	if err := w.db.CreateRecordEntry(ctx, &entry); err != nil || entry.ID != 1 {
		tb.Fatalf("record entry %d: %v", entry.ID, err)
	}
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// post sends a console form: url-encoded, or multipart when it has a
// "file" field (uploaded as upload.csv, or as the name in "filename").
func (w *hostileWorld) post(c *http.Client, path string, form url.Values) (result, error) {
	var body io.Reader
	var ctype string
	if file, ok := form["file"]; ok {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		name := form.Get("filename")
		if name == "" {
			name = "upload.csv"
		}
		for k, vs := range form {
			if k == "file" || k == "filename" {
				continue
			}
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			return result{}, err
		}
		_, _ = io.WriteString(fw, strings.Join(file, ""))
		_ = mw.Close()
		body, ctype = &b, mw.FormDataContentType()
	} else {
		body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(http.MethodPost, w.srv.URL+path, body)
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Content-Type", ctype)
	return send(c, req)
}

// send runs req and reads the whole answer.
func send(c *http.Client, req *http.Request) (result, error) {
	resp, err := c.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}, err
}

// apiCall sends body to the JSON API with role's token.
func (w *hostileWorld) apiCall(role, method, path, contentType string, body []byte) (result, error) {
	req, err := http.NewRequest(method, w.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Authorization", "Bearer "+w.tokens[role])
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return send(http.DefaultClient, req)
}

// unfingerprinted are the tables and columns a request may change without
// storing anything: the session store, failed-login counters, last-use
// times, and migration bookkeeping.
var (
	unfingerprintedTables = map[string]bool{"sessions": true, "login_attempts": true, "goose_db_version": true,
		"limit_keys": true, "limit_attempts": true} // the login limit's bookkeeping
	unfingerprintedColumns = map[string]bool{"last_used_at": true, "last_login_at": true}
)

// fingerprint hashes every row of every table (but the ones above): two
// equal fingerprints mean nothing was stored, updated or deleted.
func fingerprint(tb testing.TB, db *storage.DB) string {
	tb.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.Dialect() == storage.MySQL {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name`
	}
	rows, err := db.SQL().QueryContext(ctx, q)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			tb.Fatal(err)
		}
		if !unfingerprintedTables[t] {
			tables = append(tables, t)
		}
	}
	rows.Close()
	h := sha256.New()
	for _, t := range tables {
		fmt.Fprintf(h, "[%s]", t)
		hashTable(tb, db.SQL(), t, h)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashTable(tb testing.TB, x *sql.DB, table string, h io.Writer) {
	tb.Helper()
	rows, err := x.QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lines []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		var line strings.Builder
		for i, v := range vals {
			if unfingerprintedColumns[cols[i]] {
				continue
			}
			fmt.Fprintf(&line, "%d:%q|", len(v), v)
		}
		lines = append(lines, line.String())
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	slices.Sort(lines)
	for _, l := range lines {
		_, _ = io.WriteString(h, l+"\n")
	}
}

// isRefusal reports whether a console answer refused the submission: an
// error status, or the form shown again with a message.
func isRefusal(res result) bool {
	return res.status >= 400 || res.status == http.StatusOK && (strings.Contains(res.body, `class="err"`) ||
		strings.Contains(res.body, `has-err`))
}

// rawMarkup are the injected tags that must never come back unescaped.
var rawMarkup = []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>"}

// unescaped returns the first injected tag found raw in body.
func unescaped(body string) string {
	for _, m := range rawMarkup {
		if strings.Contains(body, m) {
			return m
		}
	}
	return ""
}
