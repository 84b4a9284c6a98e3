package cli

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheExportCommandsCSVNeutralizesFormulas: deputybot export deputies
// FILE.csv writes =1+2 as '=1+2 and keeps phones as text.
func TestTheExportCommandsCSVNeutralizesFormulas(t *testing.T) {
	env := sqliteEnv(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	registry := "姓名,代表团,职业,手机号\r\n王芳,济南市代表团,=1+2,13800000041\r\n@李强,济南市代表团,-1,13800000042\r\n"
	if err := os.WriteFile(in, []byte(registry), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, env, "import", "deputies", in); code != exitOK || !strings.Contains(out, "2 created") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	exported := filepath.Join(dir, "out.csv")
	if code, out, errs := run(t, env, "export", "deputies", exported); code != exitOK || !strings.Contains(out, "exported 2") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	b, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows %v", len(rows), err)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[0]] = r
	}
	job, phone := -1, -1
	for i, h := range rows[0] {
		switch h {
		case "职业":
			job = i
		case "手机号":
			phone = i
		}
	}
	if got := byName["王芳"][job]; got != "'=1+2" {
		t.Errorf("职业 reads %q, want '=1+2", got)
	}
	if r := byName["'@李强"]; r == nil || r[job] != "'-1" {
		t.Errorf("the second row reads %q", r)
	}
	if got := byName["王芳"][phone]; got != "\t13800000041" {
		t.Errorf("手机号 reads %q", got)
	}
	if code, out, _ := run(t, env, "import", "deputies", exported); code != exitOK || !strings.Contains(out, "2 unchanged") {
		t.Fatalf("export then import does not round-trip: %d %q", code, out)
	}
}
