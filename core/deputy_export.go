package core

import (
	"context"
	"deputybot/model"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// exportPage is how many deputies an export reads at a time.
const exportPage = 1000

// colKind says how a column is written to .xlsx.
type colKind int

const (
	colText  colKind = iota
	colDate          // a real date cell shown as yyyy-mm-dd
	colPhone         // a text cell, so Excel keeps every digit
)

// deputyColumn is one column of the deputy spreadsheet. Import and export
// share this table, so what is exported imports back unchanged.
type deputyColumn struct {
	name  string
	width float64
	kind  colKind
	get   func(d *model.Deputy) string
	// set reads a trimmed cell into d and returns a message when the value
	// cannot be understood; nil marks a read-only column import ignores.
	set func(d *model.Deputy, v string) string
}

var deputyColumns = []deputyColumn{
	{name: "姓名", width: 10, get: func(d *model.Deputy) string { return d.Name },
		set: func(d *model.Deputy, v string) string { d.Name = v; return "" }},
	{name: "性别", width: 6, get: func(d *model.Deputy) string { return d.Gender },
		set: func(d *model.Deputy, v string) string { d.Gender = v; return "" }},
	{name: "民族", width: 8, get: func(d *model.Deputy) string { return d.Ethnicity },
		set: func(d *model.Deputy, v string) string { d.Ethnicity = v; return "" }},
	{name: "出生日期", width: 12, kind: colDate, get: formatBirthDate, set: setBirthDate},
	{name: "代表团", width: 16, get: func(d *model.Deputy) string { return d.Delegation },
		set: func(d *model.Deputy, v string) string { d.Delegation = v; return "" }},
	{name: "代表层级", width: 13, get: func(d *model.Deputy) string { return LevelLabel(d.Level) },
		set: func(d *model.Deputy, v string) string { d.Level = v; return "" }},
	{name: "是否基层代表", width: 13, get: func(d *model.Deputy) string { return yesNo(d.Grassroots) }, set: setGrassroots},
	{name: "职业", width: 32, get: func(d *model.Deputy) string { return d.Occupation },
		set: func(d *model.Deputy, v string) string { d.Occupation = v; return "" }},
	{name: "专业小组", width: 16, get: func(d *model.Deputy) string { return d.ProfessionalGroup },
		set: func(d *model.Deputy, v string) string { d.ProfessionalGroup = v; return "" }},
	{name: "手机号", width: 14, kind: colPhone, get: func(d *model.Deputy) string { return d.Phone }, set: setPhone},
	{name: "标签", width: 24, get: func(d *model.Deputy) string { return strings.Join(d.Tags, "、") }, set: setTags},
	{name: "状态", width: 8, get: func(d *model.Deputy) string { return StatusLabel(d.Status) }},
	{name: "绑定微信", width: 10, get: func(d *model.Deputy) string { return yesNo(d.OpenID != "") }},
}

// columnIndex returns the index of the named column in deputyColumns, or -1.
func columnIndex(name string) int {
	for i, c := range deputyColumns {
		if c.name == name {
			return i
		}
	}
	return -1
}

func formatBirthDate(d *model.Deputy) string {
	if d.BirthDate == nil {
		return ""
	}
	return d.BirthDate.Format(time.DateOnly)
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// Export writes the deputies matching f (Limit, Offset and AfterID are
// ignored) as "xlsx" or "csv", reading them a page at a time, and returns
// how many it wrote.
func (r *Registry) Export(ctx context.Context, w io.Writer, format string, f model.DeputyFilter) (int, error) {
	dw, err := newDeputyWriter(w, format)
	if err != nil {
		return 0, err
	}
	f.Limit, f.Offset, f.AfterID = exportPage, 0, 0
	n := 0
	for {
		page, _, err := r.db.ListDeputies(ctx, f)
		if err != nil {
			dw.abort()
			return n, fmt.Errorf("core: export: %w", err)
		}
		for i := range page {
			if err := dw.write(&page[i]); err != nil {
				dw.abort()
				return n, fmt.Errorf("core: export: %w", err)
			}
		}
		n += len(page)
		if len(page) < exportPage {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	if err := dw.finish(); err != nil {
		return n, fmt.Errorf("core: export: %w", err)
	}
	return n, nil
}

// ExportFile exports to path, in the format its extension names (.xlsx or
// .csv). The file appears only once complete.
func (r *Registry) ExportFile(ctx context.Context, path string, f model.DeputyFilter) (int, error) {
	var n int
	err := writeFileAtomic(path, func(w io.Writer, format string) error {
		var err error
		n, err = r.Export(ctx, w, format, f)
		return err
	})
	return n, err
}

// WriteDeputies writes ds in the export layout as "xlsx" or "csv"; the
// sample generator uses it.
func WriteDeputies(w io.Writer, format string, ds []model.Deputy) error {
	dw, err := newDeputyWriter(w, format)
	if err != nil {
		return err
	}
	for i := range ds {
		if err := dw.write(&ds[i]); err != nil {
			dw.abort()
			return err
		}
	}
	return dw.finish()
}

// WriteDeputiesFile writes ds to path, in the format its extension names.
func WriteDeputiesFile(path string, ds []model.Deputy) error {
	return writeFileAtomic(path, func(w io.Writer, format string) error {
		return WriteDeputies(w, format, ds)
	})
}

// writeFileAtomic writes through a temporary file renamed into place, so
// a failed export never leaves half a spreadsheet behind.
func writeFileAtomic(path string, write func(w io.Writer, format string) error) error {
	format, err := fileFormat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".deputies-*.tmp")
	if err != nil {
		return fmt.Errorf("core: export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp, format); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("core: export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("core: export: %w", err)
	}
	return nil
}

// deputyWriter writes deputies one row at a time.
type deputyWriter interface {
	write(d *model.Deputy) error
	finish() error // completes the file
	abort()        // releases resources after a failure
}

func newDeputyWriter(w io.Writer, format string) (deputyWriter, error) {
	switch format {
	case "xlsx":
		return newXLSXWriter(w)
	case "csv":
		return newCSVWriter(w)
	}
	return nil, fmt.Errorf("core: export: unknown format %q (use xlsx or csv)", format)
}

type csvWriter struct {
	cw *CSVWriter
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	cw, err := NewCSVWriter(w)
	if err != nil {
		return nil, err
	}
	header := make([]string, len(deputyColumns))
	for i, c := range deputyColumns {
		header[i] = c.name
	}
	return &csvWriter{cw: cw}, cw.Write(header)
}

func (c *csvWriter) write(d *model.Deputy) error {
	rec := make([]string, len(deputyColumns))
	for i, col := range deputyColumns {
		rec[i] = col.get(d)
	}
	return c.cw.WritePhones(rec, func(i int) bool { return deputyColumns[i].kind == colPhone })
}

func (c *csvWriter) finish() error { return c.cw.Flush() }

func (c *csvWriter) abort() {}

type xlsxWriter struct {
	out                  io.Writer
	sh                   *sheetWriter
	textStyle, dateStyle int
}

const exportSheet = "代表名单"

func newXLSXWriter(out io.Writer) (*xlsxWriter, error) {
	cols := make([]sheetColumn, len(deputyColumns))
	for i, c := range deputyColumns {
		cols[i] = sheetColumn{c.name, c.width}
	}
	sh, err := newSheetWriter(exportSheet, cols)
	if err != nil {
		return nil, fmt.Errorf("core: export: xlsx: %w", err)
	}
	x := &xlsxWriter{out: out, sh: sh}
	if x.textStyle, err = sh.style(&excelize.Style{NumFmt: 49}); err != nil { // "@": text
		sh.abort()
		return nil, fmt.Errorf("core: export: xlsx: %w", err)
	}
	dateFmt := "yyyy-mm-dd"
	if x.dateStyle, err = sh.style(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		sh.abort()
		return nil, fmt.Errorf("core: export: xlsx: %w", err)
	}
	return x, nil
}

func (x *xlsxWriter) write(d *model.Deputy) error {
	vals := make([]any, len(deputyColumns))
	for i, c := range deputyColumns {
		switch c.kind {
		case colDate:
			if d.BirthDate != nil {
				y, m, day := d.BirthDate.Date()
				vals[i] = excelize.Cell{StyleID: x.dateStyle, Value: time.Date(y, m, day, 0, 0, 0, 0, time.UTC)}
			}
		case colPhone:
			vals[i] = excelize.Cell{StyleID: x.textStyle, Value: c.get(d)}
		default:
			vals[i] = c.get(d)
		}
	}
	return x.sh.addCells(excelize.RowOpts{}, vals...)
}

func (x *xlsxWriter) finish() error {
	if err := x.sh.writeTo(x.out); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func (x *xlsxWriter) abort() { x.sh.abort() }
