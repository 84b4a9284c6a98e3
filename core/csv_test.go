package core

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestCSVCellNeutralizesWhatASpreadsheetWouldRun(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2":                              "'=1+2",
		`=HYPERLINK("http://evil.example")`: `'=HYPERLINK("http://evil.example")`,
		"+cmd|'/c calc'!A0":                 "'+cmd|'/c calc'!A0",
		"-2+3":                              "'-2+3",
		"@SUM(A1)":                          "'@SUM(A1)",
		"\t=1+2":                            "'\t=1+2",
		"\r=1+2":                            "'\r=1+2",
		"王芳":                                "王芳",
		"a=1":                               "a=1",
		"":                                  "",
		"'quoted":                           "'quoted",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
		if back := uncsvCell(CSVCell(in)); back != in {
			t.Errorf("uncsvCell(CSVCell(%q)) = %q", in, back)
		}
	}
}

// readCSV parses an export as Excel would: after the byte-order mark.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatal("no byte-order mark: Excel would read the file as GBK")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// formulaDeputies are a registry whose cells a spreadsheet would run.
var formulaDeputies = []model.Deputy{
	{Name: `=HYPERLINK("http://evil.example","x")`, Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13800138000",
		Occupation: "=1+2", ProfessionalGroup: "+cmd|'/c calc'!A0", Tags: []string{"@SUM(A1)"}},
	{Name: "王芳", Delegation: "-青岛市代表团", Level: model.LevelProvincial, Phone: "13900139000", Occupation: "教师"},
}

func checkNeutralized(t *testing.T, rows [][]string) {
	t.Helper()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want a header and 2 deputies", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		for i, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\r", rune(cell[0])) {
				t.Errorf("column %s starts a formula: %q", rows[0][i], cell)
			}
			if cell != "" && cell[0] == '\t' && i != col["手机号"] {
				t.Errorf("column %s starts with a tab: %q", rows[0][i], cell)
			}
		}
	}
	first := rows[1]
	for name, want := range map[string]string{
		"姓名": `'=HYPERLINK("http://evil.example","x")`, "职业": "'=1+2",
		"专业小组": "'+cmd|'/c calc'!A0", "标签": "'@SUM(A1)",
	} {
		if got := first[col[name]]; got != want {
			t.Errorf("%s reads %q, want %q", name, got, want)
		}
	}
	if got := rows[2][col["代表团"]]; got != "'-青岛市代表团" {
		t.Errorf("代表团 reads %q", got)
	}
	// Phones keep their leading tab: Excel then keeps every digit as text.
	if got := first[col["手机号"]]; got != "\t13800138000" {
		t.Errorf("手机号 reads %q, want a tab and the 11 digits", got)
	}
}

func TestTheDeputyCSVExportRunsNoFormulaAndImportsBack(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := NewRegistry(db)
		var in bytes.Buffer
		if err := WriteDeputies(&in, "csv", formulaDeputies); err != nil {
			t.Fatal(err)
		}
		checkNeutralized(t, readCSV(t, in.Bytes()))
		rep, err := r.Import(ctx, bytes.NewReader(in.Bytes()), "名册.csv", ImportOptions{})
		if err != nil || rep.Created != 2 {
			t.Fatalf("import of the neutralized file: %+v %v", rep, err)
		}
		got, err := db.FindDeputiesByName(ctx, formulaDeputies[0].Name)
		if err != nil || len(got) != 1 || got[0].Occupation != "=1+2" || got[0].Phone != "13800138000" ||
			got[0].ProfessionalGroup != "+cmd|'/c calc'!A0" || strings.Join(got[0].Tags, ",") != "@SUM(A1)" {
			t.Fatalf("imported back as %+v %v", got, err)
		}
		var out bytes.Buffer
		if n, err := r.Export(ctx, &out, "csv", model.DeputyFilter{}); err != nil || n != 2 {
			t.Fatalf("export: %d %v", n, err)
		}
		checkNeutralized(t, readCSV(t, out.Bytes()))
		rep, err = r.Import(ctx, bytes.NewReader(out.Bytes()), "名册.csv", ImportOptions{})
		if err != nil || rep.Unchanged != 2 {
			t.Fatalf("export then import does not round-trip: %+v %v", rep, err)
		}
	})
}
