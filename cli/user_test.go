package cli

import (
	"regexp"
	"strings"
	"testing"
)

func TestUserAndTokenCommands(t *testing.T) {
	env := sqliteEnv(t)
	code, out, errs := run(t, env, "user", "add", "zhangwei", "--role", "staff", "--name", "张伟")
	pw := regexp.MustCompile(`password \(shown once[^)]*\): (\S+)`).FindStringSubmatch(out)
	if code != exitOK || pw == nil || len(pw[1]) != 16 {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	if code, _, errs = run(t, env, "user", "add", "zhangwei", "--role", "staff"); code != exitUsage || !strings.Contains(errs, "已被使用") {
		t.Fatalf("a taken username: %d %q", code, errs)
	}
	if code, _, errs = run(t, env, "user", "add", "x1", "--role", "root"); code != exitUsage || !strings.Contains(errs, "角色") {
		t.Fatalf("a bad role: %d %q", code, errs)
	}
	if code, _, errs = run(t, env, "user", "add", "x2"); code != exitUsage || !strings.Contains(errs, "--role") {
		t.Fatalf("no role: %d %q", code, errs)
	}

	old := stdin
	t.Cleanup(func() { stdin = old })
	stdin = strings.NewReader("a-chosen-password\n")
	if code, out, errs = run(t, env, "user", "add", "jtt", "--role", "unit", "--unit", "省交通运输厅", "--password-stdin"); code != exitOK || strings.Contains(out, "password") {
		t.Fatalf("user add --password-stdin: %d %q %q", code, out, errs)
	}
	stdin = strings.NewReader("short\n")
	if code, _, errs = run(t, env, "user", "passwd", "jtt", "--password-stdin"); code != exitUsage || !strings.Contains(errs, "至少 10 位") {
		t.Fatalf("a short password: %d %q", code, errs)
	}
	if code, out, _ = run(t, env, "user", "passwd", "jtt"); code != exitOK || !strings.Contains(out, "new password for jtt") {
		t.Fatalf("user passwd: %d %q", code, out)
	}

	code, out, errs = run(t, env, "token", "create", "jtt", "--name", "建议办理系统")
	if code != exitOK || !regexp.MustCompile(`\ndbt_[A-Z2-7]{26}\n`).MatchString(out) {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}
	if code, _, errs = run(t, env, "token", "create", "jtt"); code != exitUsage || !strings.Contains(errs, "令牌名称") {
		t.Fatalf("token without a name: %d %q", code, errs)
	}
	if code, _, _ = run(t, env, "user", "disable", "jtt"); code != exitOK {
		t.Fatalf("user disable: %d", code)
	}
	if code, _, errs = run(t, env, "token", "create", "jtt", "--name", "x"); code != exitFailure || !strings.Contains(errs, "disabled") {
		t.Fatalf("token for a disabled account: %d %q", code, errs)
	}
	if code, _, errs = run(t, env, "user", "disable", "nobody"); code != exitFailure || !strings.Contains(errs, "no account") {
		t.Fatalf("disable nobody: %d %q", code, errs)
	}
	code, out, _ = run(t, env, "user", "list")
	if code != exitOK || !regexp.MustCompile(`jtt\s+unit\s+disabled`).MatchString(out) || !strings.Contains(out, "zhangwei") {
		t.Fatalf("user list: %d %q", code, out)
	}
}
