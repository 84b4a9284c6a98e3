package handlers_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The bad-input tour: hostile requests to the console, the imports and the
// API, each with the refusal docs/security.md ("What deputybot refuses")
// documents, and nothing stored. The WeChat callback's part is in
// bot/badinput_test.go.

// hostileValues go into every field of every console form.
var hostileValues = []struct{ name, value string }{
	{"SQL that ends the string", "' OR 1=1 --"},
	{"SQL that drops a table", `"; DROP TABLE deputies; --`},
	{"a script element", "<script>alert(1)</script>"},
	{"an attribute breaking out", `"><img src=x onerror=alert(1)>`},
	{"10,000 characters", strings.Repeat("长", 10000)},
	{"invalid UTF-8", "\xff\xfe\xfd王"},
	{"a NUL byte", "王\x00芳"},
	{"full-width digits and letters", "１３８００１３８０００ＡＢＣ"},
	{"emoji", "👍🏻代表👨‍👩‍👧"},
	{"control characters", "\r\n\t\x1b[31m"},
}

// documentedRefusal returns the answer docs/security.md gives for case id:
// the status and the message in backquotes ("" when there is none).
func documentedRefusal(t *testing.T, id string) (int, string) {
	t.Helper()
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## What deputybot refuses")
	if !ok {
		t.Fatal("docs/security.md has no section “What deputybot refuses”")
	}
	for _, line := range strings.Split(section, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 5 || strings.TrimSpace(cols[1]) != id {
			continue
		}
		status, err := strconv.Atoi(strings.TrimSpace(cols[3]))
		if err != nil {
			t.Fatalf("docs/security.md, %s: status %q", id, cols[3])
		}
		msg := ""
		if _, rest, ok := strings.Cut(cols[4], "`"); ok {
			msg, _, _ = strings.Cut(rest, "`")
		}
		return status, msg
	}
	t.Fatalf("docs/security.md does not document the refusal %q", id)
	return 0, ""
}

func TestEveryConsoleFormIsInTheTour(t *testing.T) {
	routes := consolePostRoutes()
	for _, rt := range routes {
		if _, ok := consoleForms[rt]; !ok {
			t.Errorf("%s has no valid form in consoleForms: add one, so the bad-input tour and the fuzz target cover it", rt)
		}
	}
	for rt := range consoleForms {
		if !slices.Contains(routes, rt) {
			t.Errorf("consoleForms has %s, which is not a console route", rt)
		}
	}
}

// documentedFormRefusal checks a refused console form against the row
// console-invalid-form: the form again with the message beside the field,
// or an error page with one of the documented headings.
func documentedFormRefusal(t *testing.T, route string, res result) {
	t.Helper()
	status, _ := documentedRefusal(t, "console-invalid-form")
	switch {
	case res.status == status && (strings.Contains(res.body, `class="err"`) || strings.Contains(res.body, `role="alert"`) ||
		strings.Contains(res.body, "<h1>数据有误</h1>") || strings.Contains(res.body, "<h1>无法处理</h1>")):
	case (res.status == http.StatusBadRequest || res.status == http.StatusConflict) && strings.Contains(res.body, "<h1>无法处理</h1>"):
	case res.status == http.StatusNotFound && strings.Contains(res.body, "<h1>内容不存在</h1>"):
	case res.status == http.StatusConflict && strings.Contains(res.body, "<h1>数据冲突</h1>"):
	case (res.status == http.StatusUnauthorized || res.status == http.StatusRequestEntityTooLarge ||
		res.status == http.StatusTooManyRequests) && route == "POST /admin/login" &&
		strings.Contains(res.body, `role="alert"`):
	case res.status == http.StatusTooManyRequests && route == "POST /admin/password":
		// the current password guessed wrong too often: the login limit
	case res.status == http.StatusServiceUnavailable && strings.Contains(res.body, noWeChatAPI):
	default:
		t.Fatalf("%s: refused with %d, not as docs/security.md (console-invalid-form) says\n%s", route, res.status, res.body)
	}
}

func TestHostileValuesInEveryConsoleFieldAreRefusedOrEscaped(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newHostileWorld(t, db)
		readonly := w.signIn(t, model.RoleReadonly)
		for _, route := range consolePostRoutes() {
			if route == "POST /admin/logout" {
				continue
			}
			t.Run(route, func(t *testing.T) {
				// One fingerprint per request: taken again after an accepted
				// one, compared after each refusal.
				before := fingerprint(t, db)
				for _, hv := range hostileValues {
					t.Run(hv.name, func(t *testing.T) {
						// Every field at once, then (for the attribute breakout)
						// one field at a time with the others valid, so it
						// reaches the page. Escaping does not depend on the
						// database: that part runs on SQLite only.
						modes := []int{0}
						if strings.Contains(hv.value, "onerror") && db.Dialect() == storage.SQLite {
							for i := 1; i <= len(consoleForms[route]); i++ {
								modes = append(modes, i)
							}
						}
						for _, mode := range modes {
							form := fuzzedForm(route, mode, hv.value, false)
							c := w.admin
							switch route {
							case "POST /admin/login":
								c = w.client()
							case "POST /admin/password":
								c = readonly
							}
							res, err := w.post(c, concrete(strings.TrimPrefix(route, "POST ")), form)
							if err != nil {
								t.Fatal(err)
							}
							checkConsoleAnswer(t, w, db, route, res, before)
							if isRefusal(res) {
								documentedFormRefusal(t, route, res)
							} else {
								before = fingerprint(t, db)
							}
						}
					})
				}
			})
		}
	})
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newHostileWorld(t, db)
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Origin": {"https://evil.example"}},
	} {
		before := fingerprint(t, db)
		req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/admin/deputies", strings.NewReader(consoleForms["POST /admin/deputies"].Encode()))
		req.Header = h.Clone()
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := send(w.admin, req)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus, wantMsg := documentedRefusal(t, "console-cross-site")
		if res.status != wantStatus || !strings.Contains(res.body, wantMsg) {
			t.Fatalf("console with %v: %d\n%s", h, res.status, res.body)
		}
		req, _ = http.NewRequest(http.MethodPost, w.srv.URL+"/api/v1/deputies", strings.NewReader(`{"name":"钓鱼","level":"provincial"}`))
		req.Header = h.Clone()
		req.Header.Set("Authorization", "Bearer "+w.tokens[model.RoleAdmin])
		req.Header.Set("Content-Type", "application/json")
		if res, err = send(http.DefaultClient, req); err != nil {
			t.Fatal(err)
		}
		wantStatus, wantMsg = documentedRefusal(t, "api-cross-site")
		if res.status != wantStatus || !strings.Contains(res.body, wantMsg) {
			t.Fatalf("API with %v: %d %s", h, res.status, res.body)
		}
		if fingerprint(t, db) != before {
			t.Fatal("a cross-site post stored something")
		}
	}
}

// withSheet returns the workbook xlsx with its first sheet's XML replaced
// by sheet; declared, when non-zero, is the sheet's uncompressed size the
// zip claims (a zip bomb's header).
func withSheet(t *testing.T, xlsx []byte, sheet []byte, declared uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if declared == 0 {
			fw, err := zw.Create(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write(sheet)
			continue
		}
		hdr := f.FileHeader
		hdr.UncompressedSize64 = declared
		fw, err := zw.CreateRaw(&hdr)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := f.OpenRaw()
		_, _ = io.Copy(fw, raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// longSheet is a sheet of a header and n identical rows: a few kilobytes
// once compressed.
func longSheet(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	b.WriteString(`<row><c t="inlineStr"><is><t>姓名</t></is></c></row>`)
	for range n {
		b.WriteString(`<row><c t="inlineStr"><is><t>张三</t></is></c></row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.Bytes()
}

func TestImportsRefuseBadFilesAsDocumented(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newHostileWorld(t, db)
		good := xlsxOf(t, [][]any{{"姓名", "代表团", "手机号"}, {"周敏", "烟台市代表团", "13800000041"}})
		for _, tc := range []struct {
			name, doc, route, filename string
			content                    []byte
		}{
			{"a Word document", "import-type", "/admin/deputies/import", "名册.docx", []byte("PK\x03\x04 word")},
			{"a legacy .xls renamed", "import-type", "/admin/deputies/import", "名册.xls", []byte("\xd0\xcf\x11\xe0")},
			{"random bytes named .xlsx", "import-corrupt", "/admin/deputies/import", "名册.xlsx", []byte("this is not a workbook")},
			{"a truncated workbook", "import-corrupt", "/admin/deputies/import", "名册.xlsx", good[:len(good)/2]},
			{"a truncated workbook of suggestions", "import-corrupt", "/admin/suggestions/import", "建议.xlsx", good[:len(good)/2]},
			{"an .xlsx renamed .csv", "import-xlsx-as-csv", "/admin/deputies/import", "名册.csv", good},
			{"a sheet that claims 600 MB", "import-bomb", "/admin/deputies/import", "名册.xlsx", withSheet(t, good, nil, 600<<20)},
			{"a sheet of 100,001 rows", "import-too-many-rows", "/admin/deputies/import", "名册.xlsx", withSheet(t, good, longSheet(100001), 0)},
			{"a 21 MB upload", "import-too-large", "/admin/deputies/import", "名册.csv", bytes.Repeat([]byte("姓名\r\n"), 21<<20/8)},
			{"invalid rows", "import-invalid-rows", "/admin/deputies/import", "名册.csv", []byte("姓名,手机号\r\n周敏,' OR 1=1 --\r\n<script>alert(1)</script>,13800000042\r\n")},
		} {
			t.Run(tc.name+" is refused as documented", func(t *testing.T) {
				wantStatus, wantMsg := documentedRefusal(t, tc.doc)
				before := fingerprint(t, db)
				res, err := w.post(w.admin, tc.route, url.Values{"file": {string(tc.content)}, "filename": {tc.filename}})
				if err != nil {
					t.Fatal(err)
				}
				if res.status != wantStatus || !strings.Contains(res.body, wantMsg) {
					t.Fatalf("%d, docs/security.md (%s) says %d %q\n%s", res.status, tc.doc, wantStatus, wantMsg, res.body)
				}
				if m := unescaped(res.body); m != "" {
					t.Fatalf("the report shows %s unescaped", m)
				}
				if fingerprint(t, db) != before {
					t.Fatal("a refused import stored something")
				}
			})
		}
	})
}

func TestTheAPIRefusesBadBodiesAsDocumented(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newHostileWorld(t, db)
		huge := `{"name":"` + strings.Repeat("长", 400<<10) + `"}`
		for _, tc := range []struct {
			name, doc, method, path, body string
		}{
			{"an array", "api-not-json", http.MethodPost, "/api/v1/deputies", `[]`},
			{"two objects", "api-not-json", http.MethodPost, "/api/v1/deputies", `{}{}`},
			{"truncated JSON", "api-not-json", http.MethodPost, "/api/v1/meetings", `{"title":"调研`},
			{"an empty body", "api-not-json", http.MethodPost, "/api/v1/suggestions", ``},
			{"a number for a name", "api-wrong-type", http.MethodPost, "/api/v1/deputies", `{"name":1,"level":"provincial"}`},
			{"a string for a flag", "api-wrong-type", http.MethodPut, "/api/v1/deputies/1", `{"grassroots":"yes"}`},
			{"a string for a list", "api-wrong-type", http.MethodPost, "/api/v1/deputies", `{"name":"孙丽","tags":"教育"}`},
			{"a misspelt property", "api-unknown-field", http.MethodPost, "/api/v1/deputies", `{"name":"孙丽","nmae":"孙丽"}`},
			{"a property for another route", "api-unknown-field", http.MethodPut, "/api/v1/settings/delivery", `{"quiet_hours":"","password":"x"}`},
			{"a 1.2 MB body", "api-too-large", http.MethodPost, "/api/v1/deputies", huge},
			{"SQL and markup that fail validation", "api-invalid-value", http.MethodPost, "/api/v1/deputies",
				`{"name":"<script>alert(1)</script>","phone":"' OR 1=1 --","birth_date":"\"; DROP TABLE deputies; --","level":"provincial"}`},
			{"a NUL in a name", "api-invalid-value", http.MethodPost, "/api/v1/deputies", `{"name":"王\u0000芳","level":"provincial"}`},
		} {
			t.Run(tc.name+" is refused as documented", func(t *testing.T) {
				wantStatus, wantMsg := documentedRefusal(t, tc.doc)
				before := fingerprint(t, db)
				res, err := w.apiCall(model.RoleAdmin, tc.method, tc.path, "application/json", []byte(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				if res.status != wantStatus || !strings.Contains(res.body, wantMsg) {
					t.Fatalf("%d %s, docs/security.md (%s) says %d %q", res.status, res.body, tc.doc, wantStatus, wantMsg)
				}
				checkAPIAnswer(t, db, tc.method+" "+tc.path, res, before)
			})
		}
		t.Run("a call without a token is refused as documented", func(t *testing.T) {
			wantStatus, wantMsg := documentedRefusal(t, "api-no-token")
			req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/api/v1/deputies", strings.NewReader(`{"name":"孙丽"}`))
			res, err := send(http.DefaultClient, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.status != wantStatus || !strings.Contains(res.body, wantMsg) {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
	})
}
