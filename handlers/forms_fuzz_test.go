package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The console and API fuzz targets post arbitrary values to every form and
// every JSON write route, as a signed-in admin, on one SQLite world reused
// across iterations. Whatever arrives: no panic, no 5xx, a refusal
// (4xx, or the form shown again with its message) stores nothing, and no
// injected tag comes back unescaped. Seeds live in testdata/fuzz/<target>;
// scripts/fuzz.sh runs the targets for minutes each.

// fuzzForms are the console forms the fuzz target posts to: all of them
// but the ones that end or change the admin's own session.
func fuzzForms() []string {
	var out []string
	for _, rt := range consolePostRoutes() {
		if _, ok := consoleForms[rt]; ok && !slices.Contains(sessionForms, rt) {
			out = append(out, rt)
		}
	}
	return out
}

// fuzzedForm fills route's valid form with value: in every field when
// mode is 0, else in field mode-1 only (the others stay valid, so the
// value reaches validation past the first error). A file field gets value
// as the file's content, named .xlsx or .csv by asXLSX.
func fuzzedForm(route string, mode int, value string, asXLSX bool) url.Values {
	valid := consoleForms[route]
	form := cloneForm(valid)
	fields := fieldNames(valid)
	for i, k := range fields {
		if mode == 0 || mode-1 == i {
			form[k] = []string{value}
		}
	}
	if _, ok := form["file"]; ok {
		form.Set("filename", "上传.csv")
		if asXLSX {
			form.Set("filename", "上传.xlsx")
		}
	}
	return form
}

func FuzzConsoleForms(f *testing.F) {
	forms := fuzzForms()
	for i := range forms {
		f.Add(uint16(i), "' OR 1=1 --")
		f.Add(uint16(i+len(forms)), `"><img src=x onerror=alert(1)>`)
	}
	db := storagetest.Open(f, storage.SQLite)
	w := newHostileWorld(f, db)
	f.Fuzz(func(t *testing.T, pick uint16, value string) {
		route := forms[int(pick)%len(forms)]
		fields := len(consoleForms[route])
		rest := int(pick) / len(forms)
		form := fuzzedForm(route, rest%(fields+1), value, rest/(fields+1)%2 == 1)
		path := concrete(strings.TrimPrefix(route, "POST "))
		before := fingerprint(t, db)
		res, err := w.post(w.admin, path, form)
		if err != nil {
			t.Fatal(err)
		}
		checkConsoleAnswer(t, w, db, route, res, before)
	})
}

// checkConsoleAnswer asserts what every answer to a console form must
// satisfy: no server error, nothing stored by a refusal, nothing injected
// shown raw, here or on the page a success leads to.
func checkConsoleAnswer(t *testing.T, w *hostileWorld, db *storage.DB, route string, res result, before string) {
	t.Helper()
	if res.status >= 500 && !(res.status == http.StatusServiceUnavailable && strings.Contains(res.body, noWeChatAPI)) {
		t.Fatalf("%s: %d\n%s", route, res.status, res.body)
	}
	if res.status == http.StatusFound || res.status == http.StatusSeeOther {
		if loc := res.header.Get("Location"); strings.HasPrefix(loc, "/admin/login") {
			t.Fatalf("%s: the admin was signed out", route)
		} else if strings.HasPrefix(loc, "/admin/") {
			next, err := send(w.admin, mustRequest(t, http.MethodGet, w.srv.URL+loc))
			if err != nil {
				t.Fatal(err)
			}
			if next.status >= 500 {
				t.Fatalf("%s: the page it leads to, %s, fails: %d\n%s", route, loc, next.status, next.body)
			}
			if m := unescaped(next.body); m != "" {
				t.Fatalf("%s: %s shows %s unescaped", route, loc, m)
			}
		}
	}
	if m := unescaped(res.body); m != "" {
		t.Fatalf("%s: the answer shows %s unescaped", route, m)
	}
	if isRefusal(res) {
		if after := fingerprint(t, db); after != before {
			t.Fatalf("%s: refused with %d, yet the database changed\n%s", route, res.status, res.body)
		}
	}
}

// noWeChatAPI is the documented 503 of a menu sync without WeChat
// configured (the hostile world has none).
const noWeChatAPI = "本服务未接入微信接口"

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// apiWriteRoutes lists the JSON API's routes that take a body.
func apiWriteRoutes() []string {
	var out []string
	for _, r := range handlers.APIRoutes() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Pattern)
		}
	}
	slices.Sort(out)
	return out
}

func FuzzAPIJSON(f *testing.F) {
	routes := apiWriteRoutes()
	for i, body := range []string{
		`{"name":"孙丽","delegation":"济南市代表团","level":"provincial","phone":"13800000031"}`,
		`{"name":1,"grassroots":"yes","tags":"教育"}`,
		`{"name":"孙丽","nmae":"typo"}`,
		`{"title":"' OR 1=1 --","body":"<script>alert(1)</script>"}`,
		`[]`, `null`, `{}{}`, `{"a":` + strings.Repeat("[", 5000),
	} {
		f.Add(uint16(i), []byte(body))
	}
	db := storagetest.Open(f, storage.SQLite)
	w := newHostileWorld(f, db)
	f.Fuzz(func(t *testing.T, pick uint16, body []byte) {
		route := routes[int(pick)%len(routes)]
		method, pattern, _ := strings.Cut(route, " ")
		before := fingerprint(t, db)
		res, err := w.apiCall(model.RoleAdmin, method, concrete(pattern), "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		checkAPIAnswer(t, db, route, res, before)
	})
}

// checkAPIAnswer asserts what every API answer must satisfy: no server
// error, JSON with a Chinese "error" on refusal, nothing stored by it.
func checkAPIAnswer(t *testing.T, db *storage.DB, route string, res result, before string) {
	t.Helper()
	if res.status >= 500 && !(res.status == http.StatusServiceUnavailable && strings.Contains(res.body, noWeChatAPI)) {
		t.Fatalf("%s: %d %s", route, res.status, res.body)
	}
	if res.status < 400 {
		return
	}
	var e struct{ Error string }
	if err := json.Unmarshal([]byte(res.body), &e); err != nil || e.Error == "" {
		t.Fatalf("%s: refused with %d but no JSON error: %s", route, res.status, res.body)
	}
	if after := fingerprint(t, db); after != before {
		t.Fatalf("%s: refused with %d (%s), yet the database changed", route, res.status, e.Error)
	}
}
