package main

import (
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// transitional lists the packages still waiting for the use-case layer:
// they may import storage until their actions move into core. It is
// empty: every surface reaches the database through core
// (docs/architecture.md), and it stays empty.
var transitional = []string{}

// TestTheLayersImportOneWay enforces docs/architecture.md's rules on the
// production code (tests may build fixtures through storage):
// handlers/… and bot/ never import storage, nothing imports cli, model
// imports nothing of deputybot, storage imports only model, core reaches
// no surface.
func TestTheLayersImportOneWay(t *testing.T) {
	pkgs := map[string][]string{} // import path -> deputybot imports
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files here
		}
		ip := "deputybot"
		if path != "." {
			ip += "/" + filepath.ToSlash(path)
		}
		for _, imp := range p.Imports {
			if imp == "deputybot" || strings.HasPrefix(imp, "deputybot/") {
				pkgs[ip] = append(pkgs[ip], imp)
			}
		}
		if _, ok := pkgs[ip]; !ok {
			pkgs[ip] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages: is the test running from the module root?", len(pkgs))
	}
	surface := func(p string) bool {
		return p == "deputybot/bot" || p == "deputybot/handlers" || strings.HasPrefix(p, "deputybot/handlers/") || strings.HasPrefix(p, "deputybot/bot/")
	}
	for p, imps := range pkgs {
		for _, imp := range imps {
			switch {
			case imp == "deputybot/cli" && p != "deputybot":
				t.Errorf("%s imports deputybot/cli: only main may (the command line wires the rest)", p)
			case imp == "deputybot/storage" && surface(p) && !slices.Contains(transitional, p):
				t.Errorf("%s imports deputybot/storage: surfaces reach the database only through core", p)
			case p == "deputybot/model":
				t.Errorf("model imports %s: the model depends on nothing of deputybot", imp)
			case p == "deputybot/storage" && imp != "deputybot/model":
				t.Errorf("storage imports %s: storage depends only on the model", imp)
			case p == "deputybot/core" && (surface(imp) || imp == "deputybot/scheduler" || imp == "deputybot/cli"):
				t.Errorf("core imports %s: use cases never reach a surface", imp)
			}
		}
	}
	for _, p := range transitional {
		if slices.Contains(pkgs[p], "deputybot/storage") {
			t.Logf("still importing storage (transitional): %s", p)
		}
	}
}
