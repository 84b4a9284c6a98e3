// Package templates holds every text deputybot says to deputies, as Go
// text/template definitions. The defaults are embedded; a directory of
// *.tmpl files can redefine any of them without a rebuild.
package templates

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var defaults embed.FS

var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
}

// Set is a parsed set of message templates.
type Set struct {
	t *template.Template
}

// Load parses the embedded templates, then every *.tmpl in dir (if dir is
// not empty), whose {{define}} blocks replace the defaults of the same name.
func Load(dir string) (*Set, error) {
	t, err := template.New("").Option("missingkey=error").Funcs(funcs).ParseFS(defaults, "*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.tmpl"))
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		if len(files) == 0 {
			if _, err := os.Stat(dir); err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
		}
		for _, f := range files {
			if t, err = t.ParseFiles(f); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", f, err)
			}
		}
	}
	return &Set{t: t}, nil
}

// Default returns the embedded templates; it panics only if they do not
// parse, which a test guards.
func Default() *Set {
	s, err := Load("")
	if err != nil {
		panic(err)
	}
	return s
}

// Render executes the named template with data and trims surrounding space.
func (s *Set) Render(name string, data any) (string, error) {
	var b strings.Builder
	if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("templates: %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// Has reports whether a template called name exists.
func (s *Set) Has(name string) bool { return s.t.Lookup(name) != nil }
