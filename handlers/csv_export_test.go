package handlers_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// formulaRegistry is a registry import whose cells a spreadsheet would run
// (the probe's file).
const formulaRegistry = "姓名,代表团,职业,手机号\r\n" +
	`"=HYPERLINK(""http://evil.example"",""x"")",济南市代表团,=1+2,13800000031` + "\r\n" +
	`赵敏,济南市代表团,"+cmd|'/c calc'!A0",13800000032` + "\r\n" +
	`钱进,济南市代表团,@SUM(A1),13800000033` + "\r\n"

// csvCells parses a CSV export and returns its rows by the first cell.
func csvCells(t *testing.T, body string) (header []string, rows map[string][]string) {
	t.Helper()
	b, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Fatalf("no byte-order mark: %.40q", body)
	}
	all, err := csv.NewReader(strings.NewReader(b)).ReadAll()
	if err != nil || len(all) == 0 {
		t.Fatalf("not CSV: %v", err)
	}
	rows = map[string][]string{}
	for _, r := range all[1:] {
		rows[r[0]] = r
	}
	return all[0], rows
}

func column(header []string, name string) int {
	for i, h := range header {
		if h == name {
			return i
		}
	}
	return -1
}

// TestEveryDeputyCSVExportNeutralizesFormulas imports the probe's registry
// and downloads it as CSV from the API and from the console: no cell starts
// a formula (=1+2 reads '=1+2), and phones still read as 11 digits.
func TestEveryDeputyCSVExportNeutralizesFormulas(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ct, body := multipartFile(t, "名册.csv", formulaRegistry, nil)
		if res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/import", ct, body); res.status != http.StatusOK {
			t.Fatalf("import: %d %s", res.status, res.body)
		}
		console := w.login(t, model.RoleStaff)
		for name, res := range map[string]result{
			"GET /api/v1/deputies/export?format=csv": w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/deputies/export?format=csv", "", nil),
			"GET /admin/deputies/export?format=csv":  w.get(t, console, "/admin/deputies/export?format=csv"),
		} {
			t.Run(name, func(t *testing.T) {
				if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
					t.Fatalf("%d %s", res.status, res.header.Get("Content-Type"))
				}
				header, rows := csvCells(t, res.body)
				job, phone := column(header, "职业"), column(header, "手机号")
				evil := rows[`'=HYPERLINK("http://evil.example","x")`]
				if evil == nil {
					t.Fatalf("the formula name is not neutralized: %q", rows)
				}
				for who, want := range map[string]string{`'=HYPERLINK("http://evil.example","x")`: "'=1+2", "赵敏": "'+cmd|'/c calc'!A0", "钱进": "'@SUM(A1)"} {
					if got := rows[who][job]; got != want {
						t.Errorf("%s's 职业 reads %q, want %q", who, got, want)
					}
				}
				for _, r := range rows {
					for i, cell := range r {
						if cell != "" && strings.ContainsRune("=+-@\r", rune(cell[0])) {
							t.Errorf("%s starts a formula: %q", header[i], cell)
						}
					}
				}
				if got := rows["赵敏"][phone]; got != "\t13800000032" {
					t.Errorf("the phone reads %q, want a tab and 11 digits (kept as text by Excel)", got)
				}
				// What was exported imports back unchanged.
				ct, b := multipartFile(t, "导出.csv", res.body, nil)
				back := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/deputies/import", ct, bytes.NewBufferString(b.String()))
				if rep := decode[struct{ Created, Updated, Unchanged int }](t, back); back.status != http.StatusOK || rep.Unchanged != 3 {
					t.Fatalf("re-import: %d %s", back.status, back.body)
				}
			})
		}
	})
}
