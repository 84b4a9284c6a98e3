package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// threats are the threats docs/security.md's table must have a row for,
// as issue 16 lists them.
var threats = []string{
	"forged callback", "replay", "binding brute force", "login brute force", "CSRF", "XSS",
	"SQL injection", "IDOR across units", "link forgery", "formula injection", "upload bombs", "PII in logs",
}

// TestTheThreatTableNamesTestsThatExist keeps docs/security.md's threat
// table true: a row for every threat, each with its defence and at least
// one test, and every test the section names is a test function in this
// repository (so a renamed or deleted test cannot leave the table
// claiming a proof that is gone).
func TestTheThreatTableNamesTestsThatExist(t *testing.T) {
	doc, err := os.ReadFile("docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Threats\n")
	if !ok {
		t.Fatal("docs/security.md has no ## Threats section")
	}
	section, _, _ = strings.Cut(section, "\n## ")

	defined := testFunctions(t)
	named := regexp.MustCompile("`(Test[A-Za-z0-9_]+)`")
	rows := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if !strings.HasPrefix(line, "| ") || len(cells) != 3 || cells[0] == "threat" {
			continue
		}
		if strings.TrimSpace(cells[1]) == "" {
			t.Errorf("threat %q: no defence", cells[0])
		}
		if !named.MatchString(cells[2]) {
			t.Errorf("threat %q: no test named", cells[0])
		}
		rows[cells[0]] = line
	}
	for _, threat := range threats {
		if rows[threat] == "" {
			t.Errorf("the threat table has no row %q", threat)
		}
	}
	if len(rows) != len(threats) {
		t.Errorf("the threat table has %d rows, want one per threat (%d)", len(rows), len(threats))
	}
	for _, m := range named.FindAllStringSubmatch(section, -1) {
		if !defined[m[1]] {
			t.Errorf("docs/security.md names %s, which is no test function in this repository", m[1])
		}
	}
}

// testFunctions returns the names of every top-level test function in the
// repository's _test.go files.
func testFunctions(t *testing.T) map[string]bool {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(t \*testing\.T\)`)
	out := map[string]bool{}
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
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !out["TestTheThreatTableNamesTestsThatExist"] {
		t.Fatal("the walk did not find this test: is it running from the module root?")
	}
	return out
}
