package core

import (
	"bytes"
	"context"
	"deputybot/model"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/width"
)

// Import errors; the wrapping error's text says what to fix, in Chinese.
var (
	// ErrImportInvalid means some rows failed validation (see ImportReport.Errors).
	ErrImportInvalid = errors.New("invalid rows")
	// ErrImportFile means the file itself cannot be read: wrong type,
	// corrupt, or no 姓名 column.
	ErrImportFile = errors.New("unreadable file")
)

// ImportOptions tunes an import.
type ImportOptions struct {
	// SkipInvalid imports the valid rows and lists the others, instead of
	// importing nothing when any row is invalid.
	SkipInvalid bool
	// ConfirmRenames lets the file change the name of deputies bound to
	// WeChat; without it such a file is refused (see PreviewImport).
	ConfirmRenames bool
}

// RowError is a problem with one cell of an imported file.
type RowError struct {
	Row   int // the spreadsheet's row number; the header is usually row 1
	Field string
	Value string
	Msg   string
}

// String reads like 第17行 手机号: "abc" 不是有效的手机号码.
func (e RowError) String() string {
	if e.Value == "" {
		return fmt.Sprintf("第%d行 %s: %s", e.Row, e.Field, e.Msg)
	}
	return fmt.Sprintf("第%d行 %s: %q %s", e.Row, e.Field, e.Value, e.Msg)
}

func (e RowError) Error() string { return e.String() }

// ImportReport says what an import did. Created+Updated+Unchanged+Skipped
// equals Rows once rows were written; when nothing was written because of
// invalid rows, only Rows and Errors are set.
type ImportReport struct {
	Rows                                 int // non-empty data rows read
	Created, Updated, Unchanged, Skipped int
	Errors                               []RowError
}

// maxImportRows bounds the data rows of one imported registry: a
// provincial registry has about a thousand deputies.
const maxImportRows = 100000

// headerSearchRows bounds how far down the header row is looked for, so a
// title row above it (common in hand-made sheets) is tolerated.
const headerSearchRows = 10

// ImportFile imports deputies from an .xlsx or .csv file; see Import.
func (r *Registry) ImportFile(ctx context.Context, path string, opts ImportOptions) (ImportReport, error) {
	if _, err := fileFormat(path); err != nil {
		return ImportReport{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportReport{}, fmt.Errorf("core: import: %w", err)
	}
	defer f.Close()
	return r.Import(ctx, f, path, opts)
}

// Import reads deputies from rd, an .xlsx or .csv file named filename
// (the extension picks the format), and upserts them (see
// storage.UpsertDeputies). Columns are found by their Chinese header in
// any order; unknown columns are ignored. The whole file is validated
// first: unless opts.SkipInvalid, a single bad row means nothing is written
// and the error wraps ErrImportInvalid.
func (r *Registry) Import(ctx context.Context, rd io.Reader, filename string, opts ImportOptions) (ImportReport, error) {
	rows, err := r.readImport(ctx, rd, filename)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: len(rows)}
	good := make([]model.Deputy, 0, len(rows))
	bad := 0
	for _, row := range rows {
		if len(row.errs) > 0 {
			rep.Errors = append(rep.Errors, row.errs...)
			bad++
			continue
		}
		good = append(good, row.d)
	}
	if bad > 0 && !opts.SkipInvalid {
		return rep, fmt.Errorf("%s: %d 行有错误，未导入任何数据 (%w)", filename, bad, ErrImportInvalid)
	}
	rep.Skipped = bad
	if len(good) == 0 {
		return rep, nil
	}
	if !opts.ConfirmRenames {
		if err := r.refuseBoundRenames(ctx, good); err != nil {
			return rep, err
		}
	}
	res, err := r.db.UpsertDeputies(ctx, good)
	if err != nil {
		return rep, fmt.Errorf("core: import %s: %w", filename, err)
	}
	rep.Created, rep.Updated, rep.Unchanged = res.Created, res.Updated, res.Unchanged
	return rep, nil
}

// readImport reads and checks every row of the file, filling the columns
// it lacks from the stored records.
func (r *Registry) readImport(ctx context.Context, rd io.Reader, filename string) ([]importRow, error) {
	src, err := openSheet(rd, filename)
	if err != nil {
		return nil, err
	}
	defer src.close()
	rows, present, err := readDeputyRows(ctx, src, filename)
	if err != nil {
		return nil, err
	}
	if err := r.fillMissingColumns(ctx, rows, present); err != nil {
		return nil, err
	}
	checkDuplicates(rows)
	return rows, nil
}

// importRow is one data row of the file, parsed and normalized.
type importRow struct {
	row  int
	d    model.Deputy
	errs []RowError
}

// readDeputyRows finds the header, then parses and validates every
// non-empty row. present reports which columns the file has.
func readDeputyRows(ctx context.Context, src sheetRows, filename string) ([]importRow, map[int]bool, error) {
	cols, err := readHeader(src, filename)
	if err != nil {
		return nil, nil, err
	}
	present := map[int]bool{}
	for _, c := range cols {
		if c >= 0 {
			present[c] = true
		}
	}
	var out []importRow
	for {
		n, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			return out, present, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: 第%d行无法读取，文件可能已损坏 (%w: %v)", filename, n, ErrImportFile, err)
		}
		if blank(cells) {
			continue
		}
		if len(out) == maxImportRows {
			// A sheet this long is a mistake or a zip bomb: stop before it
			// fills the memory.
			return nil, nil, fmt.Errorf("%s: 一次最多导入 %d 行，请分批导入 (%w: more than %d rows)",
				filename, maxImportRows, ErrImportFile, maxImportRows)
		}
		if len(out)%1000 == 999 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, parseRow(n, cols, cells))
	}
}

// readHeader returns, for each column of the file, the index in
// deputyColumns it holds, or -1.
func readHeader(src sheetRows, filename string) ([]int, error) {
	seen := 0
	for seen < headerSearchRows {
		_, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: 文件无法读取 (%w: %v)", filename, ErrImportFile, err)
		}
		if blank(cells) {
			continue
		}
		seen++
		cols, ok := headerColumns(cells)
		if ok {
			return cols, nil
		}
	}
	if seen == 0 {
		return nil, fmt.Errorf("%s: 文件中没有数据 (%w: empty sheet)", filename, ErrImportFile)
	}
	return nil, fmt.Errorf("%s: 没有找到“姓名”列，请把表头（姓名、性别、代表团、手机号……）放在第一行 (%w: missing column 姓名)",
		filename, ErrImportFile)
}

func headerColumns(cells []string) ([]int, bool) {
	cols := make([]int, len(cells))
	taken := map[int]bool{}
	for i, c := range cells {
		cols[i] = -1
		j := columnIndex(canonicalHeader(c))
		if j >= 0 && !taken[j] && deputyColumns[j].set != nil {
			cols[i], taken[j] = j, true
		}
	}
	return cols, taken[0] // deputyColumns[0] is 姓名
}

// headerAliases maps headers staff commonly use to ours.
var headerAliases = map[string]string{
	"手机": "手机号", "手机号码": "手机号", "移动电话": "手机号", "联系电话": "手机号",
	"出生年月": "出生日期", "出生年月日": "出生日期",
	"所属代表团": "代表团", "选举单位": "代表团",
	"层级": "代表层级", "代表级别": "代表层级",
	"基层代表": "是否基层代表", "是否基层": "是否基层代表",
	"所属专业小组": "专业小组", "工作单位及职务": "职业",
}

// canonicalHeader drops spaces (姓　名), a required-marker asterisk and a
// bracketed hint (出生日期（如1970-01-02）), then applies an alias.
func canonicalHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == '＊' {
			return -1
		}
		return r
	}, s)
	if i := strings.IndexAny(s, "(（"); i > 0 {
		s = s[:i]
	}
	if a, ok := headerAliases[s]; ok {
		return a
	}
	return s
}

func parseRow(n int, cols []int, cells []string) importRow {
	row := importRow{row: n, d: model.Deputy{}}
	var errs []RowError
	for i, cell := range cells {
		if i >= len(cols) || cols[i] < 0 {
			continue
		}
		c := deputyColumns[cols[i]]
		// A cell exported as '=… (see CSVCell) imports back as =….
		v := uncsvCell(strings.TrimFunc(cell, unicode.IsSpace))
		if msg := c.set(&row.d, v); msg != "" {
			errs = append(errs, RowError{Row: n, Field: c.name, Value: v, Msg: msg})
		}
	}
	for _, fe := range Normalize(&row.d) {
		errs = append(errs, RowError{Row: n, Field: fe.Label, Value: fe.Value, Msg: fe.Msg})
	}
	// Report in the column order staff see.
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && columnIndex(errs[j].Field) < columnIndex(errs[j-1].Field); j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
	row.errs = errs
	return row
}

// checkDuplicates flags a row repeating an earlier row's phone, or (both
// without phone) its name and delegation: both would land on one record.
func checkDuplicates(rows []importRow) {
	firstPhone := map[string]int{}
	firstName := map[string]int{}
	for i := range rows {
		row := &rows[i]
		d := row.d
		if d.Phone != "" {
			if hasFieldError(row.errs, "手机号") {
				continue
			}
			if first, ok := firstPhone[d.Phone]; ok {
				row.errs = append(row.errs, RowError{Row: row.row, Field: "手机号", Value: d.Phone,
					Msg: fmt.Sprintf("与第%d行重复", first)})
				continue
			}
			firstPhone[d.Phone] = row.row
			continue
		}
		if d.Name == "" {
			continue
		}
		key := d.Name + "\x00" + d.Delegation
		if first, ok := firstName[key]; ok {
			row.errs = append(row.errs, RowError{Row: row.row, Field: "姓名", Value: d.Name,
				Msg: fmt.Sprintf("与第%d行重复（同一代表团，且都没有手机号）", first)})
			continue
		}
		firstName[key] = row.row
	}
}

func hasFieldError(errs []RowError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// fillMissingColumns copies, for each row matching a stored deputy, the
// columns the file does not have from the stored record, so importing a
// sheet of only 姓名, 代表团 and 手机号 does not erase everyone's tags,
// gender and so on. It only reads the registry when a column is missing.
func (r *Registry) fillMissingColumns(ctx context.Context, rows []importRow, present map[int]bool) error {
	var missing []deputyColumn
	for i, c := range deputyColumns {
		if c.set != nil && !present[i] {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 || len(rows) == 0 {
		return nil
	}
	byKey := make(map[string]*importRow, len(rows))
	for i := range rows {
		if len(rows[i].errs) == 0 {
			byKey[matchKey(rows[i].d)] = &rows[i]
		}
	}
	f := model.DeputyFilter{Limit: exportPage}
	for {
		page, _, err := r.db.ListDeputies(ctx, f)
		if err != nil {
			return fmt.Errorf("core: import: %w", err)
		}
		for i := range page {
			stored := &page[i]
			row := byKey["p:"+stored.Phone]
			if stored.Phone == "" || row == nil {
				row = byKey["n:"+stored.Name+"\x00"+stored.Delegation]
			}
			if row == nil {
				continue
			}
			for _, c := range missing {
				c.set(&row.d, c.get(stored))
			}
			Normalize(&row.d)
		}
		if len(page) < f.Limit {
			return nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// matchKey mirrors how storage.UpsertDeputies matches a row to a record.
func matchKey(d model.Deputy) string {
	if d.Phone != "" {
		return "p:" + d.Phone
	}
	return "n:" + d.Name + "\x00" + d.Delegation
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimFunc(c, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}

// Cell readers: each sets one field from a trimmed cell and returns a
// message when the value cannot be understood. Normalize checks the rest.

func setBirthDate(d *model.Deputy, v string) string {
	if v == "" {
		d.BirthDate = nil
		return ""
	}
	t, ok := parseDate(v)
	if !ok {
		return "不是有效的日期（请写成 1970-01-02）"
	}
	d.BirthDate = &t
	return ""
}

// parseDate reads 1970-01-02, 1970/1/2, 1970年1月2日, 1970.01.02, 19700102,
// a year and month (day 1), or an Excel serial day number. 1970.1 is
// refused: Excel shows the number 1970.10 that way.
func parseDate(v string) (time.Time, bool) {
	v = width.Narrow.String(v)
	if n, err := strconv.Atoi(v); err == nil {
		return parseNumericDate(n)
	}
	if len(v) == 6 && v[4] == '.' {
		// Excel shows the number 1970.10 as 1970.1: the month is unknowable.
		return time.Time{}, false
	}
	if i := strings.IndexAny(v, " T"); i > 0 { // 1970/1/2 0:00 from a CSV
		v = v[:i]
	}
	v = strings.TrimSuffix(strings.TrimSuffix(v, "日"), "号")
	parts := strings.FieldsFunc(v, func(r rune) bool {
		return r == '-' || r == '/' || r == '.' || r == '年' || r == '月'
	})
	if len(parts) == 2 {
		parts = append(parts, "1")
	}
	if len(parts) != 3 || len(parts[0]) != 4 {
		return time.Time{}, false
	}
	var n [3]int
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || len(p) > 4 {
			return time.Time{}, false
		}
		n[i] = x
	}
	return validDate(n[0], n[1], n[2])
}

// parseNumericDate reads a whole number: 19700102, or an Excel serial day
// (what a date cell holds).
func parseNumericDate(n int) (time.Time, bool) {
	switch {
	case n >= 10000101 && n <= 99991231:
		return validDate(n/10000, n/100%100, n%100)
	case n <= 0 || n > 2958465: // 9999-12-31, Excel's last day
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(float64(n), false)
	if err != nil {
		return time.Time{}, false
	}
	return validDate(t.Year(), int(t.Month()), t.Day())
}

func validDate(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func setGrassroots(d *model.Deputy, v string) string {
	switch strings.ToUpper(width.Narrow.String(v)) {
	case "是", "Y", "YES", "1", "√", "✓", "✔", "TRUE", "基层", "基层代表":
		d.Grassroots = true
	case "", "否", "N", "NO", "0", "×", "✗", "✘", "X", "FALSE":
		d.Grassroots = false
	default:
		return "应为“是”或“否”"
	}
	return ""
}

// setPhone undoes what Excel does to a phone typed into a number cell
// (13800138000 shown as 1.38E+10 and stored as 1.3800138E10), and the
// full-width digits of some input methods; Normalize validates the rest.
func setPhone(d *model.Deputy, v string) string {
	v = width.Narrow.String(v)
	d.Phone = v
	if !strings.ContainsAny(v, ".eE") {
		return ""
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f <= 0 || f >= 1e15 {
		return ""
	}
	if m, _, ok := strings.Cut(strings.ToUpper(v), "E"); ok && significantDigits(m) <= 6 {
		// Excel shows 13800138000 as 1.38001E+10 and saves a CSV that way:
		// the last digits are gone, and guessing them would text a stranger.
		d.Phone = ""
		return "被 Excel 显示成了科学计数法，后几位已丢失，请把该列设为“文本”后重新填写"
	}
	d.Phone = strconv.FormatFloat(f, 'f', 0, 64)
	return ""
}

func significantDigits(mantissa string) int {
	return len(strings.Trim(strings.NewReplacer(".", "", "+", "", "-", "").Replace(mantissa), "0"))
}

func setTags(d *model.Deputy, v string) string {
	d.Tags = strings.FieldsFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("、,，;；|/", r)
	})
	return ""
}

// Reading rows.

// sheetRows yields a spreadsheet's rows with their row numbers (1-based,
// counting empty rows); io.EOF after the last.
type sheetRows interface {
	next() (row int, cells []string, err error)
	close() error
}

// fileFormat returns "xlsx" or "csv" from a file name's extension.
func fileFormat(name string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".xlsx":
		return "xlsx", nil
	case ".csv":
		return "csv", nil
	default:
		return "", fmt.Errorf("%s: 只支持 .xlsx 和 .csv，请在 Excel 中另存为 .xlsx (%w: unsupported file type %q)",
			name, ErrImportFile, ext)
	}
}

func openSheet(rd io.Reader, filename string) (sheetRows, error) {
	format, err := fileFormat(filename)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("core: import %s: read: %w", filename, err)
	}
	if format == "csv" {
		return openCSV(b, filename)
	}
	return openXLSX(b, filename)
}

// maxUnzippedSize caps what an uploaded .xlsx may expand to (a zip bomb
// guard); a registry of 100,000 rows is far below it.
const maxUnzippedSize = 512 << 20

// oleHeader starts legacy .xls files and password-protected workbooks.
var oleHeader = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func openXLSX(b []byte, filename string) (sheetRows, error) {
	if bytes.HasPrefix(b, oleHeader) {
		return nil, fmt.Errorf("%s: 这是旧版 .xls 或设置了密码的 Excel 文件，请在 Excel 中另存为 .xlsx（不设密码）后重新导入 (%w: legacy .xls or encrypted workbook)",
			filename, ErrImportFile)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		RawCellValue:   true, // numbers as stored: phones and serial dates are read by hand
		UnzipSizeLimit: maxUnzippedSize,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: 文件已损坏或不是 Excel 文件，请在 Excel 中另存为 .xlsx 后重新导入 (%w: not a valid .xlsx file: %v)",
			filename, ErrImportFile, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fmt.Errorf("%s: 文件中没有工作表 (%w: no worksheet)", filename, ErrImportFile)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: 文件已损坏，无法读取工作表“%s” (%w: %v)", filename, sheets[0], ErrImportFile, err)
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
}

func (x *xlsxRows) next() (int, []string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return x.n + 1, nil, err
		}
		return 0, nil, io.EOF
	}
	x.n++
	cells, err := x.rows.Columns()
	return x.n, cells, err
}

func (x *xlsxRows) close() error {
	err := x.rows.Close()
	return errors.Join(err, x.f.Close())
}

// openCSV reads UTF-8 (with or without BOM) or, failing that, GB18030:
// Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK.
func openCSV(b []byte, filename string) (sheetRows, error) {
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if !utf8.Valid(b) {
		u, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil {
			return nil, fmt.Errorf("%s: 无法识别文件编码，请在 Excel 中另存为 .xlsx (%w: neither UTF-8 nor GB18030: %v)",
				filename, ErrImportFile, err)
		}
		b = u
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, fmt.Errorf("%s: 不是文本格式的 CSV 文件，请在 Excel 中另存为 .xlsx (%w: binary data in CSV)",
			filename, ErrImportFile)
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvRows{r: cr, nextLine: 1}, nil
}

type csvRows struct {
	r        *csv.Reader
	row      int
	nextLine int // the line the next record starts on, absent blank lines
}

// next numbers records as Excel shows them: csv.Reader skips blank lines,
// and a quoted cell may span several lines.
func (c *csvRows) next() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		return c.row + 1, nil, err
	}
	line, _ := c.r.FieldPos(0)
	c.row += 1 + max(line-c.nextLine, 0)
	c.nextLine = line + 1
	for _, f := range rec {
		c.nextLine += strings.Count(f, "\n")
	}
	return c.row, rec, nil
}

func (c *csvRows) close() error { return nil }
