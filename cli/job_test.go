package cli

import (
	"regexp"
	"strings"
	"testing"
)

func TestJobListAndRun(t *testing.T) {
	env := sqliteEnv(t)
	code, out, errs := run(t, env, "job", "list")
	if code != exitOK || !regexp.MustCompile(`(?m)^cleanup\s+40 3 \* \* \*\s+never\s+-\s+delete`).MatchString(out) {
		t.Fatalf("list before any run: %d %q %q", code, out, errs)
	}
	code, out, errs = run(t, env, "job", "run", "cleanup")
	if code != exitOK || !strings.HasPrefix(out, "cleanup: ok in ") {
		t.Fatalf("run: %d %q %q", code, out, errs)
	}
	for _, table := range []string{"conversations", "job_runs", "kv", "wechat_inbound"} {
		if !regexp.MustCompile(`(?m)^  ` + table + ` +0$`).MatchString(out) {
			t.Fatalf("run output lacks the %s count: %q", table, out)
		}
	}
	code, out, errs = run(t, env, "job", "list")
	if code != exitOK || !regexp.MustCompile(`(?m)^cleanup\s+40 3 \* \* \*\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+ok\s`).MatchString(out) {
		t.Fatalf("list after a run: %d %q %q", code, out, errs)
	}
}

func TestJobRunOfAnUnknownJobListsTheJobs(t *testing.T) {
	env := sqliteEnv(t)
	code, _, errs := run(t, env, "job", "run", "clenaup")
	if code != exitUsage || !strings.Contains(errs, `no job "clenaup"`) || !strings.Contains(errs, "cleanup") {
		t.Fatalf("unknown job: %d %q", code, errs)
	}
	if code, _, errs = run(t, env, "job", "run"); code != exitUsage || !strings.Contains(errs, "Usage") {
		t.Fatalf("no job name: %d %q", code, errs)
	}
}
