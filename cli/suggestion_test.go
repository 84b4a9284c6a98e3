package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

// TestSuggestionReviewListsAndDecidesThroughCore submits three deputies'
// suggestions as they would in the chat, then reviews them with the
// command: accepted and assigned, returned with a reason, merged into the
// accepted one; each decision is written, audited as its operator, and a
// refused one changes nothing.
func TestSuggestionReviewListsAndDecidesThroughCore(t *testing.T) {
	env := append(sqliteEnv(t), "USER=ops-alice")
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, env, args...)
		if code != exitOK {
			t.Fatalf("%v: %d %q %q", args, code, out, errs)
		}
		return out
	}
	mustRun("user", "add", "reader", "--role", "readonly", "--name", "只读员")
	mustRun("user", "add", "liaison", "--role", "staff", "--name", "联络处")
	mustRun("import", "deputies", filepath.Join("..", "testdata", "deputies-sample.xlsx"))

	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite", strings.TrimPrefix(env[0], "DEPUTYBOT_DATABASE_DSN="))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ds, _, err := db.ListDeputies(ctx, model.DeputyFilter{})
	if err != nil || len(ds) < 3 {
		t.Fatalf("deputies: %d %v", len(ds), err)
	}
	svc := core.New(db, core.Options{})
	var sgs []model.Suggestion
	for i, title := range []string{"关于增加农村公交班次的建议", "关于改善乡村道路照明的建议", "关于延长农村公交末班车的建议"} {
		sg, err := svc.Suggestions.SubmitAs(ctx, core.DeputyActor(ds[i], core.ViaWeChat), core.SuggestionDraft{
			Title: title, Content: "部分乡镇群众出行不便。\n建议有关部门研究解决。", Category: "交通运输"})
		if err != nil {
			t.Fatal(err)
		}
		sgs = append(sgs, sg)
	}
	status := func(id int64) model.Suggestion {
		t.Helper()
		sg, err := db.GetSuggestion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sg
	}
	reviews := func() []model.AuditEntry {
		t.Helper()
		es, _, err := db.ListAudit(ctx, model.AuditFilter{Action: "suggestion.review"})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}

	t.Run("without an id it lists those waiting for review", func(t *testing.T) {
		out := mustRun("suggestion", "review")
		wantLines(t, out, `^3 deputies' suggestions`)
		for _, sg := range sgs {
			wantLines(t, out, fmt.Sprintf(`(?m)^  %d\s+%s .*%s$`, sg.ID, sg.Number, sg.Title))
		}
		if out := mustRun("suggestion", "review", "--status", "returned"); !strings.HasPrefix(out, "no deputy's suggestion is") {
			t.Fatalf("returned list: %q", out)
		}
	})

	t.Run("bad arguments and refusals change nothing", func(t *testing.T) {
		id := fmt.Sprint(sgs[0].ID)
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{id}, exitUsage, "exactly one of"},
			{[]string{id, "--accept", "省交通运输厅", "--return", "不清楚"}, exitUsage, "exactly one of"},
			{[]string{"--accept", "省交通运输厅"}, exitUsage, "give the id"},
			{[]string{"abc", "--accept", "省交通运输厅"}, exitUsage, "neither a suggestion's number nor its id"},
			{[]string{"--status", "assigned"}, exitUsage, "--status"},
			{[]string{id, "--accept", "省交通运输厅", "--as", "reader"}, exitFailure, "只读"},
			{[]string{id, "--accept", " "}, exitUsage, "承办单位"},
			{[]string{fmt.Sprint(sgs[1].ID), "--return", ""}, exitUsage, "退回理由"},
			{[]string{fmt.Sprint(sgs[2].ID), "--merge-into", sgs[0].Number}, exitUsage, "尚未交办"},
			{[]string{"9999", "--accept", "省交通运输厅"}, exitFailure, "没有找到"},
		} {
			code, out, errs := run(t, env, append([]string{"suggestion", "review"}, c.args...)...)
			if code != c.code || !strings.Contains(errs, c.want) {
				t.Errorf("%v: %d %q %q, want %d and %q", c.args, code, out, errs, c.code, c.want)
			}
		}
		for _, sg := range sgs {
			if got := status(sg.ID).Status; got != model.SuggestionSubmitted {
				t.Errorf("suggestion %d is %s after refusals", sg.ID, got)
			}
		}
		if n := len(reviews()); n != 0 {
			t.Fatalf("%d review audit entries after refusals", n)
		}
	})

	t.Run("accept assigns, return returns, merge merges, each audited", func(t *testing.T) {
		out := mustRun("suggestion", "review", fmt.Sprint(sgs[0].ID), "--accept", "省交通运输厅、省财政厅")
		wantLines(t, out, `accepted and assigned: host 省交通运输厅, co-handling 省财政厅`)
		if sg := status(sgs[0].ID); sg.Status != model.SuggestionAssigned || sg.HostUnit != "省交通运输厅" || sg.CoUnits != "省财政厅" {
			t.Fatalf("accepted: %s %q %q", sg.Status, sg.HostUnit, sg.CoUnits)
		}
		out = mustRun("suggestion", "review", fmt.Sprint(sgs[1].ID), "--return", "请补充具体路段", "--as", "liaison")
		wantLines(t, out, `returned to the deputy`)
		if sg := status(sgs[1].ID); sg.Status != model.SuggestionReturned {
			t.Fatalf("returned: %s", sg.Status)
		}
		out = mustRun("suggestion", "review", sgs[2].Number, "--merge-into", sgs[0].Number)
		wantLines(t, out, fmt.Sprintf(`merged into suggestion %d`, sgs[0].ID))
		if sg := status(sgs[2].ID); sg.Status != model.SuggestionMerged {
			t.Fatalf("merged: %s", sg.Status)
		}
		if code, _, errs := run(t, env, "suggestion", "review", fmt.Sprint(sgs[0].ID), "--accept", "省财政厅"); code != exitFailure || !strings.Contains(errs, "只能审查待审查的建议") {
			t.Fatalf("accepting twice: %d %q", code, errs)
		}
		if out := mustRun("suggestion", "review"); !strings.HasPrefix(out, "no deputy's suggestion is") {
			t.Fatalf("waiting list after review: %q", out)
		}
		wantLines(t, mustRun("suggestion", "review", "--status", "returned"), fmt.Sprintf(`(?m)^  %d\s+%s `, sgs[1].ID, sgs[1].Number))

		want := map[string]string{ // object → who
			fmt.Sprintf("suggestion/%d", sgs[0].ID): "ops-alice",
			fmt.Sprintf("suggestion/%d", sgs[1].ID): "联络处",
			fmt.Sprintf("suggestion/%d", sgs[2].ID): "ops-alice",
		}
		es := reviews()
		if len(es) != len(want) {
			t.Fatalf("%d review audit entries: %+v", len(es), es)
		}
		for _, e := range es {
			if w, ok := want[e.Object]; !ok || !strings.Contains(e.StaffName, w) || e.Via != core.ViaCLI {
				t.Errorf("audit entry %+v, want %q via cli", e, w)
			}
		}
	})
}
