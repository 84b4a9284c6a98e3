package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The import fuzz targets feed arbitrary bytes, as .xlsx and as .csv,
// through the real import path on SQLite. Whatever the file, the import
// must not panic, must explain a refusal with one of its two documented
// errors (row errors listed, or an unreadable file), must write nothing
// when it refuses, and must report exactly what it wrote when it accepts.
// Seeds live in testdata/fuzz/<target>; scripts/fuzz.sh runs the targets.

// fuzzXLSX returns a workbook with rows on its first sheet.
func fuzzXLSX(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// importFuzzSeeds are the in-code seeds both import targets share; the
// corpus files add the hostile ones.
func importFuzzSeeds(tb testing.TB) [][]byte {
	return [][]byte{
		fuzzXLSX(tb, [][]any{{"姓名", "代表团", "手机号", "出生日期"}, {"赵敏", "烟台市代表团", "13800000021", "1970-01-02"}, {"钱进", "烟台市代表团", 13800000022, 25000}}),
		fuzzXLSX(tb, [][]any{{"建议编号", "标题", "领衔代表", "主办单位", "办理期限"}, {"第0200号", "关于校车的建议", "王芳", "省教育厅", "2026-06-30"}}),
		[]byte("姓名,代表团,手机号\r\n赵敏,烟台市代表团,13800000021\r\n"),
		[]byte("建议编号,标题,领衔代表,附议代表,主办单位\r\n第0300号,关于公交的建议,王芳,李强、赵敏,省交通运输厅\r\n"),
	}
}

// dbFingerprint hashes every row of every table: equal fingerprints mean
// nothing was written.
func dbFingerprint(tb testing.TB, db *storage.DB) string {
	tb.Helper()
	x := db.SQL()
	rows, err := x.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	h := sha256.New()
	for _, t := range tables {
		fmt.Fprintf(h, "[%s]", t)
		hashRows(tb, x, t, h)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashRows(tb testing.TB, x *sql.DB, table string, h io.Writer) {
	tb.Helper()
	rows, err := x.Query("SELECT * FROM " + table)
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
		var b strings.Builder
		for _, v := range vals {
			fmt.Fprintf(&b, "%d:%q|", len(v), v)
		}
		lines = append(lines, b.String())
	}
	slices.Sort(lines)
	for _, l := range lines {
		_, _ = io.WriteString(h, l+"\n")
	}
}

// fuzzFilename names the fuzzed bytes: the flag picks the format.
func fuzzFilename(asXLSX bool) string {
	if asXLSX {
		return "名册.xlsx"
	}
	return "名册.csv"
}

func FuzzImportDeputies(f *testing.F) {
	for _, seed := range importFuzzSeeds(f) {
		f.Add(seed, true, false)
		f.Add(seed, false, true)
	}
	db := storagetest.Open(f, storage.SQLite)
	reg := NewRegistry(db)
	ctx := context.Background()
	seed := []model.Deputy{{Name: "王芳", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13800000001"}}
	if _, err := db.UpsertDeputies(ctx, seed); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, asXLSX, skipInvalid bool) {
		before := dbFingerprint(t, db)
		n0, _, err := db.CountDeputies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := reg.Import(ctx, bytes.NewReader(data), fuzzFilename(asXLSX), ImportOptions{SkipInvalid: skipInvalid})
		n1, _, cerr := db.CountDeputies(ctx)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if err != nil {
			if !errors.Is(err, ErrImportInvalid) && !errors.Is(err, ErrImportFile) {
				t.Fatalf("refused with an error staff cannot act on: %v", err)
			}
			if errors.Is(err, ErrImportInvalid) && len(rep.Errors) == 0 {
				t.Fatalf("refused for invalid rows without listing them: %v", err)
			}
			if after := dbFingerprint(t, db); after != before {
				t.Fatalf("a refused import (%v) wrote to the database", err)
			}
			return
		}
		if got := rep.Created + rep.Updated + rep.Unchanged + rep.Skipped; got != rep.Rows {
			t.Fatalf("report %+v does not add up to its %d rows", rep, rep.Rows)
		}
		if rep.Skipped > 0 && len(rep.Errors) == 0 {
			t.Fatalf("skipped %d rows without saying why", rep.Skipped)
		}
		if n1-n0 != rep.Created {
			t.Fatalf("report says %d created, the registry grew by %d", rep.Created, n1-n0)
		}
		if rep.Created+rep.Updated == 0 && dbFingerprint(t, db) != before {
			t.Fatalf("an import that changed nothing (%+v) wrote to the database", rep)
		}
	})
}

func FuzzSuggestionImport(f *testing.F) {
	for _, seed := range importFuzzSeeds(f) {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	db := storagetest.Open(f, storage.SQLite)
	ctx := context.Background()
	deputies := []model.Deputy{
		{Name: "王芳", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13800000001"},
		{Name: "李强", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13800000002"},
		{Name: "赵敏", Delegation: "青岛市代表团", Level: model.LevelProvincial, Phone: "13800000003"},
		{Name: "赵敏", Delegation: "烟台市代表团", Level: model.LevelProvincial, Phone: "13800000004"},
	}
	if _, err := db.UpsertDeputies(ctx, deputies); err != nil {
		f.Fatal(err)
	}
	sv := NewSuggestions(db)
	f.Fuzz(func(t *testing.T, data []byte, asXLSX bool) {
		before := dbFingerprint(t, db)
		n0, err := db.CountRows(ctx, "suggestions")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := sv.ImportSuggestions(ctx, bytes.NewReader(data), strings.Replace(fuzzFilename(asXLSX), "名册", "建议", 1))
		if err != nil {
			if !errors.Is(err, ErrImportInvalid) && !errors.Is(err, ErrImportFile) {
				t.Fatalf("refused with an error staff cannot act on: %v", err)
			}
			if errors.Is(err, ErrImportInvalid) && len(rep.Errors) == 0 {
				t.Fatalf("refused for invalid rows without listing them: %v", err)
			}
			if dbFingerprint(t, db) != before {
				t.Fatalf("a refused import (%v) wrote to the database", err)
			}
			return
		}
		n1, err := db.CountRows(ctx, "suggestions")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != rep.Rows || n1-n0 != rep.Created || len(rep.Errors) != 0 {
			t.Fatalf("accepted %+v, but the table grew by %d", rep, n1-n0)
		}
		if rep.Created == 0 && dbFingerprint(t, db) != before {
			t.Fatal("an empty import wrote to the database")
		}
	})
}
