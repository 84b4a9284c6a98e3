package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

func TestMaterialsImport(t *testing.T) {
	env := sqliteEnv(t)
	dsn := strings.TrimPrefix(env[0], "DEPUTYBOT_DATABASE_DSN=")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "标题,摘要,链接,分类\n宪法学习辅导,宪法要点,https://www.npc.gov.cn/xf.html,政治理论\n"+
		",无标题,https://a.cn,\n代表法解读,,ftp://x,法律法规\n监督法,,https://a.cn/j,八卦\n宪法学习辅导,重复,https://a.cn/2,\n")
	code, out, errs := run(t, env, "materials", "import", bad)
	for _, want := range []string{"第3行 标题: 不能为空", `第4行 原文链接: "ftp://x" 应为`, "第5行 分类", "第6行 标题: \"宪法学习辅导\" 与第2行重复", "未导入任何数据"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if code != exitFailure || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}

	good := write("good.csv", "\uFEFF说明：学习材料导入\n标题,摘要,链接,分类\n宪法学习辅导,宪法要点,https://www.npc.gov.cn/xf.html,政治理论\n代表法解读,,https://www.npc.gov.cn/dbf.html,法律法规\n")
	if code, out, errs := run(t, env, "materials", "import", good, "--as", "nobody"); code != exitUsage || !strings.Contains(errs, "no such enabled account") {
		t.Fatalf("--as nobody: %d %s %s", code, out, errs)
	}
	code, out, errs = run(t, env, "materials", "import", good)
	if code != exitOK || !strings.Contains(out, "2 rows: 2 created, 0 unchanged") {
		t.Fatalf("%d %s %s", code, out, errs)
	}
	code, out, _ = run(t, env, "materials", "import", good)
	if code != exitOK || !strings.Contains(out, "2 rows: 0 created, 2 unchanged") {
		t.Fatalf("again: %d %s", code, out)
	}
	code, out, errs = run(t, env, "materials", "import", bad, "--skip-invalid", "--draft")
	if code != exitOK || !strings.Contains(out, "5 rows: 0 created, 1 unchanged (already there), 4 skipped") {
		t.Fatalf("skip invalid: %d %s %s", code, out, errs)
	}

	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := core.New(db, core.Options{})
	rows, total, err := svc.Materials.List(ctx, core.CLIActor(model.Account{}, "t"), model.MaterialFilter{Status: model.MaterialPublished})
	if err != nil || total != 2 || rows[0].Category == "" {
		t.Fatalf("%d published: %+v %v", total, rows, err)
	}
	es, _, _ := db.ListAudit(ctx, model.AuditFilter{})
	imports := 0
	for _, e := range es {
		if e.Action == "material.import" {
			imports++
			if !strings.Contains(e.StaffName, "命令行") {
				t.Errorf("the import is recorded as %q", e.StaffName)
			}
		}
	}
	if imports != 1 {
		t.Fatalf("%d import entries, want 1 (the runs that changed nothing record nothing)", imports)
	}
}
