package core

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

var ioHeader = []any{"姓名", "性别", "民族", "出生日期", "代表团", "代表层级", "是否基层代表", "职业", "专业小组", "手机号", "标签"}

// writeSheet writes rows (the first is the header) to dir/name, as .xlsx
// with typed cells or as .csv, by name's extension.
func writeSheet(t *testing.T, name string, rows [][]any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if strings.HasSuffix(name, ".csv") {
		var b strings.Builder
		for _, r := range rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = csvCell(c)
			}
			b.WriteString(strings.Join(cells, ",") + "\r\n")
		}
		writeBytes(t, path, []byte(b.String()))
		return path
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func csvCell(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		if strings.ContainsAny(v, ",\"\n") {
			return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		return v
	}
	panic("csvCell: only strings")
}

func writeBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func countDeputies(t *testing.T, db *storage.DB) int {
	t.Helper()
	n, _, err := db.CountDeputies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func errorStrings(errs []RowError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.String()
	}
	return out
}

func TestRowErrorString(t *testing.T) {
	tests := []struct {
		e    RowError
		want string
	}{
		{RowError{17, "手机号", "abc", "不是有效的手机号码"}, `第17行 手机号: "abc" 不是有效的手机号码`},
		{RowError{17, "姓名", "", "不能为空"}, `第17行 姓名: 不能为空`},
		{RowError{9, "手机号", "13800138000", "与第4行重复"}, `第9行 手机号: "13800138000" 与第4行重复`},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{"1970-01-02", "1970/1/2", "1970年1月2日", "1970.01.02", "1970-1-2",
		"19700102", "25570", "１９７０－０１－０２", "1970/1/2 0:00"} {
		got, ok := parseDate(in)
		if !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if got, ok := parseDate("1970.03"); !ok || got.Format(time.DateOnly) != "1970-03-01" {
		t.Errorf("parseDate(1970.03) = %v, %v; want 1970-03-01 from a year and month", got, ok)
	}
	for _, in := range []string{"abc", "1970-02-30", "1970.1", "70-1-2", "1970-13-01", "-5"} {
		if got, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %v; want it refused", in, got)
		}
	}
}

func TestImportWithBadRows(t *testing.T) {
	rows := [][]any{
		ioHeader,
		{"张伟", "男", "汉族", "1970-01-02", "济南市代表团", "省人大代表", "是", "教师", "教育科学文化卫生", "13800138000", "教师"},
		{"李娜", "女", "汉", "1980-05-06", "济南市代表团", "", "否", "医生", "社会建设", "abc", ""},
		{"王强", "男", "汉族", "", "青岛市代表团", "全国人大代表", "", "", "", "13900139000", ""},
		{"", "男", "汉族", "", "青岛市代表团", "", "", "", "", "13700137000", ""},
		{"赵敏", "女", "回族", "", "青岛市代表团", "", "", "", "", "13800138000", ""},
	}
	wantErrs := []string{
		`第3行 手机号: "abc" 不是有效的手机号码`,
		`第5行 姓名: 不能为空`,
		`第6行 手机号: "13800138000" 与第2行重复`,
	}
	for _, name := range []string{"bad.xlsx", "bad.csv"} {
		t.Run(name, func(t *testing.T) {
			path := writeSheet(t, name, rows)
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				reg := NewRegistry(db)

				rep, err := reg.ImportFile(ctx, path, ImportOptions{})
				if !errors.Is(err, ErrImportInvalid) || !strings.Contains(err.Error(), "3 行有错误，未导入任何数据") {
					t.Fatalf("import with bad rows: err = %v, want ErrImportInvalid saying 3 rows", err)
				}
				if got := errorStrings(rep.Errors); !slices.Equal(got, wantErrs) {
					t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
				}
				if n := countDeputies(t, db); n != 0 {
					t.Fatalf("%d deputies stored after a rejected import, want 0", n)
				}

				rep, err = reg.ImportFile(ctx, path, ImportOptions{SkipInvalid: true})
				if err != nil {
					t.Fatal(err)
				}
				want := ImportReport{Rows: 5, Created: 2, Skipped: 3}
				if rep.Rows != want.Rows || rep.Created != want.Created || rep.Skipped != want.Skipped || len(rep.Errors) != 3 {
					t.Errorf("SkipInvalid report = %+v, want %+v with 3 errors", rep, want)
				}
				if n := countDeputies(t, db); n != 2 {
					t.Errorf("%d deputies stored with SkipInvalid, want 2", n)
				}
			})
		})
	}
}

func TestImportSampleTwiceChangesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		reg := NewRegistry(db)
		rep, err := reg.ImportFile(ctx, "../testdata/deputies-sample.xlsx", ImportOptions{})
		if err != nil || rep.Rows != 20 || rep.Created != 20 {
			t.Fatalf("first import = %+v, %v; want 20 created", rep, err)
		}
		rep, err = reg.ImportFile(ctx, "../testdata/deputies-sample.xlsx", ImportOptions{})
		if err != nil || rep.Unchanged != 20 || rep.Created+rep.Updated != 0 {
			t.Fatalf("second import = %+v, %v; want 20 unchanged", rep, err)
		}
	})
}

func TestImportChangedFieldUpdatesOne(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		reg := NewRegistry(db)
		ds := SampleDeputies(10, 7)
		var buf bytes.Buffer
		if err := WriteDeputies(&buf, "xlsx", ds); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Import(ctx, &buf, "名单.xlsx", ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		ds[4].Occupation = "济南市某某公司总经理"
		buf.Reset()
		if err := WriteDeputies(&buf, "xlsx", ds); err != nil {
			t.Fatal(err)
		}
		rep, err := reg.Import(ctx, &buf, "名单.xlsx", ImportOptions{})
		if err != nil || rep.Updated != 1 || rep.Unchanged != 9 || rep.Created != 0 {
			t.Fatalf("re-import with one change = %+v, %v; want 1 updated, 9 unchanged", rep, err)
		}
		got, err := db.GetDeputyByPhone(ctx, ds[4].Phone)
		if err != nil || got.Occupation != "济南市某某公司总经理" {
			t.Errorf("occupation after update = %q, %v", got.Occupation, err)
		}
	})
}

// registryFields is what an import carries, in a comparable form.
func registryFields(d model.Deputy) string {
	tags := slices.Clone(d.Tags)
	slices.Sort(tags)
	return strings.Join([]string{d.Name, d.Gender, d.Ethnicity, formatBirthDate(&d), d.Delegation, d.Level,
		yesNo(d.Grassroots), d.Occupation, d.ProfessionalGroup, d.Phone, strings.Join(tags, "、")}, "|")
}

func TestExportImportRoundTrip(t *testing.T) {
	const n = 1234 // more than one export page
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				reg := NewRegistry(db)
				ds := SampleDeputies(n, 42)
				ds[0].Phone, ds[1].BirthDate, ds[2].Tags = "", nil, nil // blanks survive too
				if _, err := db.UpsertDeputies(ctx, ds); err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				got, err := reg.Export(ctx, &buf, format, model.DeputyFilter{})
				if err != nil || got != n {
					t.Fatalf("Export = %d, %v; want %d", got, err, n)
				}
				exported := buf.Bytes()

				rep, err := reg.Import(ctx, bytes.NewReader(exported), "export."+format, ImportOptions{})
				if err != nil || rep.Rows != n || rep.Unchanged != n {
					t.Fatalf("re-import of the export = %+v, %v; want %d unchanged", rep, err, n)
				}

				fresh := storagetest.Open(t, db.Dialect())
				rep, err = NewRegistry(fresh).Import(ctx, bytes.NewReader(exported), "export."+format, ImportOptions{})
				if err != nil || rep.Created != n {
					t.Fatalf("import of the export into an empty registry = %+v, %v", rep, err)
				}
				want, _, err := db.ListDeputies(ctx, model.DeputyFilter{})
				if err != nil {
					t.Fatal(err)
				}
				have, _, err := fresh.ListDeputies(ctx, model.DeputyFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(have) != len(want) {
					t.Fatalf("%d deputies after round trip, want %d", len(have), len(want))
				}
				for i := range want {
					if a, b := registryFields(have[i]), registryFields(want[i]); a != b {
						t.Errorf("row %d after round trip:\n got %s\nwant %s", i+2, a, b)
					}
				}
			})
		})
	}
}

func TestExportXLSXKeepsPhonesAsText(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.UpsertDeputies(ctx, SampleDeputies(3, 1)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "代表.xlsx")
		if n, err := NewRegistry(db).ExportFile(ctx, path, model.DeputyFilter{}); err != nil || n != 3 {
			t.Fatalf("ExportFile = %d, %v", n, err)
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		header, _ := f.GetRows(exportSheet)
		if len(header) != 4 || !slices.Equal(header[0][len(header[0])-2:], []string{"状态", "绑定微信"}) {
			t.Fatalf("exported sheet rows = %v", header)
		}
		typ, err := f.GetCellType(exportSheet, "J2")
		if err != nil || typ != excelize.CellTypeInlineString {
			t.Errorf("phone cell type = %v, %v; want a text cell", typ, err)
		}
		if v, _ := f.GetCellValue(exportSheet, "J2"); v != "13800000001" {
			t.Errorf("phone cell = %q", v)
		}
	})
}

func TestImportReadsWhatExcelWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "名单.xlsx")
		f := excelize.NewFile()
		rows := [][]any{
			{"2025年省人大代表名单"}, // a title row above the header
			{},
			{"备注", " 手机号码 ", "姓　名", "出生日期", "代表团", "是否基层代表", "标签", "民族", "状态"},
			{"x", 13800138000.0, " 张伟 ", 25570.0, "济南市代表团", "√", "教师，医生;律师 ", "回", "在任"},
			{"", "１３９００１３９０００", "李娜", "1980年5月6日", "青岛市代表团", "N", "", "", ""},
			{"", "1.37001370E10", "王芳", "1975/3/4", "青岛市代表团", 1, "", "", ""},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		_ = f.SetCellStyle("Sheet1", "D4", "D4", dateStyle)
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		f.Close()

		rep, err := NewRegistry(db).ImportFile(ctx, path, ImportOptions{})
		if err != nil || rep.Created != 3 {
			t.Fatalf("import = %+v, %v; want 3 created", rep, err)
		}
		tests := []struct{ phone, want string }{
			{"13800138000", "张伟||回族|1970-01-02|济南市代表团|provincial|是|||13800138000|医生、律师、教师"},
			{"13900139000", "李娜|||1980-05-06|青岛市代表团|provincial|否|||13900139000|"},
			{"13700137000", "王芳|||1975-03-04|青岛市代表团|provincial|是|||13700137000|"},
		}
		for _, tt := range tests {
			d, err := db.GetDeputyByPhone(ctx, tt.phone)
			if err != nil {
				t.Fatalf("deputy with phone %s: %v", tt.phone, err)
			}
			if got := registryFields(d); got != tt.want {
				t.Errorf("stored\n got %s\nwant %s", got, tt.want)
			}
		}
	})
}

func TestImportGBKCSV(t *testing.T) {
	text := "姓名,性别,代表团,代表层级,手机号,标签\r\n" +
		"欧阳建国,男,烟台市代表团,全国人大代表,13800138000,企业家、乡村振兴\r\n" +
		"\r\n" + // Excel writes an empty row as a blank line only when the row has no cells
		"孙丽华,女,烟台市代表团,省人大代表,bad,\r\n" +
		"周明,男,烟台市代表团,省人大代表,1.38001E+10,\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rep, err := NewRegistry(db).Import(ctx, bytes.NewReader(gbk), "名单.csv", ImportOptions{SkipInvalid: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := errorStrings(rep.Errors); !slices.Equal(got, []string{
			`第4行 手机号: "bad" 不是有效的手机号码`,
			`第5行 手机号: "1.38001E+10" 被 Excel 显示成了科学计数法，后几位已丢失，请把该列设为“文本”后重新填写`,
		}) {
			t.Errorf("errors = %q; want the bad phones on rows 4 and 5", got)
		}
		d, err := db.GetDeputyByPhone(ctx, "13800138000")
		if err != nil {
			t.Fatal(err)
		}
		if want := "欧阳建国|男|||烟台市代表团|national|否|||13800138000|乡村振兴、企业家"; registryFields(d) != want {
			t.Errorf("stored %s, want %s", registryFields(d), want)
		}
	})
}

func TestImportRefusesUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	var valid bytes.Buffer
	if err := WriteDeputies(&valid, "xlsx", SampleDeputies(50, 1)); err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name    string
		content []byte
		want    string
	}{
		{"renamed.xlsx", []byte("姓名,手机号\n张伟,13800138000\n"), "文件已损坏或不是 Excel 文件"},
		{"truncated.xlsx", valid.Bytes()[:valid.Len()/2], "文件已损坏或不是 Excel 文件"},
		{"old.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "旧版 .xls"},
		{"old.xls", valid.Bytes(), "只支持 .xlsx 和 .csv，请在 Excel 中另存为 .xlsx"},
		{"empty.csv", nil, "没有数据"},
		{"noname.csv", []byte("名字,手机号\n张伟,13800138000\n"), "没有找到“姓名”列"},
		{"noname.xlsx", nil, "没有找到“姓名”列"},
	}
	for _, f := range files {
		if f.name == "noname.xlsx" {
			f.content, _ = os.ReadFile(writeSheet(t, f.name, [][]any{{"名字", "手机号"}, {"张伟", "13800138000"}}))
		}
		writeBytes(t, filepath.Join(dir, f.name), f.content)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		reg := NewRegistry(db)
		for _, f := range files {
			path := filepath.Join(dir, f.name)
			_, err := reg.ImportFile(context.Background(), path, ImportOptions{})
			if !errors.Is(err, ErrImportFile) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), f.want) {
				t.Errorf("import %s: err = %v; want ErrImportFile naming the file and saying %q", f.name, err, f.want)
			}
		}
		if n := countDeputies(t, db); n != 0 {
			t.Errorf("%d deputies stored from unreadable files, want 0", n)
		}
	})
}

func TestImportKeepsColumnsTheFileLacks(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		reg := NewRegistry(db)
		ds := SampleDeputies(5, 3)
		if _, err := db.UpsertDeputies(ctx, ds); err != nil {
			t.Fatal(err)
		}
		rows := [][]any{{"姓名", "代表团", "手机号"}}
		for _, d := range ds {
			rows = append(rows, []any{d.Name, d.Delegation, d.Phone})
		}
		rows[1][1] = "济南市代表团" // the one change
		rep, err := reg.ImportFile(ctx, writeSheet(t, "partial.xlsx", rows), ImportOptions{})
		if err != nil || rep.Unchanged+rep.Updated != 5 || rep.Created != 0 {
			t.Fatalf("import of a partial sheet = %+v, %v", rep, err)
		}
		got, err := db.GetDeputyByPhone(ctx, ds[0].Phone)
		if err != nil {
			t.Fatal(err)
		}
		ds[0].Delegation = "济南市代表团"
		if registryFields(got) != registryFields(ds[0]) {
			t.Errorf("after a partial import\n got %s\nwant %s", registryFields(got), registryFields(ds[0]))
		}
	})
}

func TestSampleDeputiesAreValidAndDeterministic(t *testing.T) {
	a, b := SampleDeputies(2000, 9), SampleDeputies(2000, 9)
	phones := map[string]bool{}
	national, grassroots := 0, 0
	for i := range a {
		if registryFields(a[i]) != registryFields(b[i]) {
			t.Fatalf("deputy %d differs between runs with one seed", i)
		}
		d := a[i]
		if errs := Normalize(&d); len(errs) > 0 {
			t.Fatalf("sample deputy %d invalid: %v", i, errs)
		}
		if phones[d.Phone] {
			t.Fatalf("phone %s repeated", d.Phone)
		}
		phones[d.Phone] = true
		if d.Level == model.LevelNational {
			national++
		}
		if d.Grassroots {
			grassroots++
		}
	}
	if national < 100 || national > 300 || grassroots < 800 || grassroots > 1200 {
		t.Errorf("%d national, %d grassroots of 2000; want about 10%% and 50%%", national, grassroots)
	}
	demo := DemoDeputies()
	if len(demo) != 30 || demo[0].Delegation != "济南市代表团" || demo[29].Delegation != "烟台市代表团" || demo[29].Phone == "" {
		t.Errorf("DemoDeputies = %d deputies, first in %s, last in %s", len(demo), demo[0].Delegation, demo[29].Delegation)
	}
}

// testdata/deputies-bad-phones.xlsx is
// go run ./bench/gendeputies -n 20 -bad 3 -o testdata/deputies-bad-phones.xlsx
func TestImportGeneratedFileWithBadPhones(t *testing.T) {
	want := []string{
		`第7行 手机号: "1380013800" 不是有效的手机号码`,
		`第12行 手机号: "abc" 不是有效的手机号码`,
		`第17行 手机号: "12345678901" 不是有效的手机号码`,
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		reg := NewRegistry(db)
		rep, err := reg.ImportFile(ctx, "../testdata/deputies-bad-phones.xlsx", ImportOptions{})
		if !errors.Is(err, ErrImportInvalid) || !slices.Equal(errorStrings(rep.Errors), want) {
			t.Fatalf("import = %v, errors %q; want %q", err, errorStrings(rep.Errors), want)
		}
		if n := countDeputies(t, db); n != 0 {
			t.Fatalf("%d deputies stored, want 0", n)
		}
		rep, err = reg.ImportFile(ctx, "../testdata/deputies-bad-phones.xlsx", ImportOptions{SkipInvalid: true})
		if err != nil || rep.Created != 17 || rep.Skipped != 3 {
			t.Fatalf("SkipInvalid import = %+v, %v; want 17 created, 3 skipped", rep, err)
		}
	})
}

// The shipped sample file, the simulator's demo deputies and generated
// files carry clean occupations, and importing the sample file into a
// simulator that has its demo deputies adds 20 people instead of
// renaming 20 of them.
func TestSampleDataIsCleanAndAddsPeople(t *testing.T) {
	for _, d := range append(SampleDeputies(500, 1), DemoDeputies()...) {
		if strings.ContainsAny(d.Occupation, "%{}") || d.Occupation == "" {
			t.Fatalf("occupation %q", d.Occupation)
		}
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.UpsertDeputies(ctx, DemoDeputies()); err != nil {
			t.Fatal(err)
		}
		reg := NewRegistry(db)
		rep, err := reg.ImportFile(ctx, "../testdata/deputies-sample.xlsx", ImportOptions{})
		if err != nil || rep.Created != 20 || rep.Updated != 0 {
			t.Fatalf("sample import after the demo deputies = %+v, %v; want 20 created, 0 updated", rep, err)
		}
		ds, n, err := db.ListDeputies(ctx, model.DeputyFilter{Limit: 100})
		if err != nil || n != 50 {
			t.Fatalf("ListDeputies = %d, %v; want 50", n, err)
		}
		for _, d := range ds {
			if strings.ContainsAny(d.Occupation, "%{}") {
				t.Errorf("%s's occupation %q", d.Name, d.Occupation)
			}
		}
	})
}
