package templates_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"deputybot/templates"
)

func TestDefaultTemplatesRender(t *testing.T) {
	s := templates.Default()
	tests := []struct {
		name string
		data any
		want string
	}{
		{"welcome", map[string]any{"Name": ""}, "回复“绑定”"},
		{"welcome", map[string]any{"Name": "王芳"}, "王芳代表"},
		{"bind.ok", map[string]any{"Name": "王芳"}, "绑定成功"},
		{"bind.mismatch", map[string]any{"Left": 3, "Name": "王芳"}, "还可尝试 3 次"},
	}
	for _, tt := range tests {
		got, err := s.Render(tt.name, tt.data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s renders %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
	if _, err := s.Render("bind.mismatch", map[string]any{}); err == nil {
		t.Error("a missing field should be an error, not an empty value")
	}
}

func TestADirectoryOverridesOneTemplate(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "custom.tmpl"), []byte(`{{define "cancelled"}}好的，已退出。{{end}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := templates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Render("cancelled", nil); got != "好的，已退出。" {
		t.Fatalf("override gives %q", got)
	}
	if got, _ := s.Render("bind.ask_name", nil); !strings.Contains(got, "姓名") {
		t.Fatalf("other templates lost: %q", got)
	}
	if _, err := templates.Load(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing directory should be an error")
	}
}
