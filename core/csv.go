package core

import (
	"encoding/csv"
	"io"
	"strings"
)

// csvFormulaStarts are the first characters that make a spreadsheet read
// a cell as a formula (=, +, -, @) or strip them and then do so (tab,
// carriage return): OWASP's list for CSV injection.
const csvFormulaStarts = "=+-@\t\r"

// CSVCell makes v safe to open in a spreadsheet: a value starting with
// one of =, +, -, @, tab or carriage return gets a leading apostrophe,
// so that =HYPERLINK(…) or +cmd|… shows as text instead of running.
func CSVCell(v string) string {
	if v != "" && strings.IndexByte(csvFormulaStarts, v[0]) >= 0 {
		return "'" + v
	}
	return v
}

// uncsvCell undoes CSVCell on import, so that an export imports back
// unchanged.
func uncsvCell(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.IndexByte(csvFormulaStarts, v[1]) >= 0 {
		return v[1:]
	}
	return v
}

// CSVWriter writes CSV for Excel: UTF-8 with a byte-order mark (or Excel
// reads it as GBK), CRLF line ends, and every cell through CSVCell. Every
// CSV deputybot produces goes through it (a test in the module root
// refuses csv.NewWriter anywhere else).
type CSVWriter struct {
	cw *csv.Writer
}

// NewCSVWriter starts a CSV file on w.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{cw: cw}, nil
}

// Write writes one row, each cell neutralized by CSVCell.
func (c *CSVWriter) Write(cells []string) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		rec[i] = CSVCell(v)
	}
	return c.cw.Write(rec)
}

// WritePhones writes one row like Write, except that the cells at the
// phone columns that hold only digits get a leading tab instead: Excel
// then keeps 13800138000 as text, where it would otherwise show 1.38E+10
// and save the file back with the last digits lost. A tab before digits
// runs nothing; any other phone value is neutralized like every cell.
func (c *CSVWriter) WritePhones(cells []string, phone func(col int) bool) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		if phone(i) && v != "" && strings.Trim(v, "0123456789") == "" {
			rec[i] = "\t" + v
			continue
		}
		rec[i] = CSVCell(v)
	}
	return c.cw.Write(rec)
}

// Flush writes what is buffered and returns the first error of the file.
func (c *CSVWriter) Flush() error {
	c.cw.Flush()
	return c.cw.Error()
}
