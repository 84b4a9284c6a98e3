package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"deputybot/model"
)

// auditActionRE finds the action of an audit entry written in the code:
// the string argument of an audit call, or an action variable's value.
var auditActionRE = regexp.MustCompile(`(?:audit\([^"\n]*|action(?:, verb)? :?= )"([a-z_]+\.[a-z_.]+)"`)

// TestEveryAuditActionReadsInChinese: the audit log shows each action in
// Chinese (代表名册 · 修改), never its code, so every action the code
// writes must have a label.
func TestEveryAuditActionReadsInChinese(t *testing.T) {
	seen := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range auditActionRE.FindAllStringSubmatch(string(b), -1) {
			seen++
			if label := model.AuditActionLabel(m[1]); regexp.MustCompile(`[a-z]`).MatchString(label) {
				t.Errorf("%s: audit action %s reads %q: give it a label in model/audit.go", path, m[1], label)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("found only %d audit actions: is the pattern still right?", seen)
	}
}
