package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCSVGoesThroughTheNeutralizingWriter keeps formula injection
// out of every CSV export, present and future: production code writes CSV
// only through core.CSVWriter, which neutralizes cells a spreadsheet would
// run (=, +, -, @, tab, carriage return). See docs/security.md, threats.
func TestEveryCSVGoesThroughTheNeutralizingWriter(t *testing.T) {
	const allowed = "core/csv.go"
	var seen bool
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), "csv.NewWriter(") {
			return nil
		}
		if filepath.ToSlash(path) == allowed {
			seen = true
			return nil
		}
		t.Errorf("%s writes CSV with csv.NewWriter: use core.NewCSVWriter, which neutralizes formulas", path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seen {
		t.Fatalf("%s no longer holds the CSV writer: is the test running from the module root?", allowed)
	}
}
