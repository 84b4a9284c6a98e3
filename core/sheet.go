package core

import (
	"bytes"
	"io"

	"github.com/xuri/excelize/v2"
)

// sheetWriter is the one way core writes a workbook: sheet by sheet, row
// by row, each sheet opening with a bold, frozen header row. Every export
// (lists, sign-in sheets, records, the deputy roster) goes through it.
type sheetWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

type sheetColumn struct {
	name  string
	width float64 // 0: the default
}

func newSheetWriter(name string, cols []sheetColumn) (*sheetWriter, error) {
	f := excelize.NewFile()
	sh := &sheetWriter{f: f, row: 1}
	if err := sh.start(name, cols); err != nil {
		_ = f.Close()
		return nil, err
	}
	return sh, nil
}

func (sh *sheetWriter) start(name string, cols []sheetColumn) error {
	if err := sh.f.SetSheetName(sh.f.GetSheetName(0), name); err != nil {
		return err
	}
	return sh.header(name, cols)
}

// nextSheet finishes the sheet being written and starts another.
func (sh *sheetWriter) nextSheet(name string, cols []sheetColumn) error {
	if err := sh.sw.Flush(); err != nil {
		return err
	}
	if _, err := sh.f.NewSheet(name); err != nil {
		return err
	}
	sh.row = 1
	return sh.header(name, cols)
}

// header opens the named sheet for streaming and writes its header row.
func (sh *sheetWriter) header(name string, cols []sheetColumn) error {
	bold, err := sh.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	if sh.sw, err = sh.f.NewStreamWriter(name); err != nil {
		return err
	}
	if err := sh.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		if c.width > 0 {
			if err := sh.sw.SetColWidth(i+1, i+1, c.width); err != nil {
				return err
			}
		}
		header[i] = excelize.Cell{StyleID: bold, Value: c.name}
	}
	return sh.sw.SetRow("A1", header)
}

// add writes the next row; text stays text (a number like 0123 as typed).
func (sh *sheetWriter) add(opts excelize.RowOpts, vals ...string) error {
	row := make([]any, len(vals))
	for i, v := range vals {
		row[i] = excelize.Cell{Value: v}
	}
	return sh.addCells(opts, row...)
}

// addCells writes the next row of typed values (numbers, dates,
// excelize.Cell with a style); no values leaves the row empty.
func (sh *sheetWriter) addCells(opts excelize.RowOpts, vals ...any) error {
	sh.row++
	if len(vals) == 0 {
		return nil
	}
	cell, err := excelize.CoordinatesToCellName(1, sh.row)
	if err != nil {
		return err
	}
	return sh.sw.SetRow(cell, vals, opts)
}

// style registers a cell style for addCells.
func (sh *sheetWriter) style(st *excelize.Style) (int, error) { return sh.f.NewStyle(st) }

// writeTo finishes the workbook into w.
func (sh *sheetWriter) writeTo(w io.Writer) error {
	defer sh.f.Close()
	if err := sh.sw.Flush(); err != nil {
		return err
	}
	_, err := sh.f.WriteTo(w)
	return err
}

// bytes finishes the workbook.
func (sh *sheetWriter) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := sh.writeTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// abort drops the workbook unwritten.
func (sh *sheetWriter) abort() { _ = sh.f.Close() }
