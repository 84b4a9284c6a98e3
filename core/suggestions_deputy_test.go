package core_test

import (
	"errors"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// deliveriesOf counts the deliveries of notices of kind to deputy.
func (w *signupWorld) deliveriesOf(t *testing.T, kind string, deputy int64) int {
	t.Helper()
	return w.count(t, `SELECT COUNT(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id
		WHERE n.kind = ? AND d.deputy_id = ?`, kind, deputy)
}

func (w *signupWorld) auditCount(t *testing.T) int {
	t.Helper()
	return w.count(t, `SELECT COUNT(*) FROM audit_log`)
}

func draftOf(cosigners ...string) core.SuggestionDraft {
	return core.SuggestionDraft{Title: "关于增加农村公交班次的建议", Content: "建议增加农村公交班次，方便群众出行。",
		Category: "交通运输", Cosigners: cosigners}
}

func TestADeputysSuggestionWithOneCosignerIsAcceptedAssignedAndRated(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		sv := w.svc.Suggestions
		author, cosigner := core.DeputyActor(w.a, core.ViaWeChat), core.DeputyActor(w.b, core.ViaWeChat)

		draft, err := sv.SaveDraftAs(ctx, author, core.SuggestionDraft{Title: "关于增加农村公交班次的建议", Cosigners: []string{w.b.Name}})
		if err != nil || draft.Status != model.SuggestionDraft || !strings.HasPrefix(draft.Number, "JY2026-") {
			t.Fatalf("save draft: %+v %v", draft, err)
		}
		if items, _, err := sv.ListAs(ctx, staffActor(model.RoleStaff), model.SuggestionFilter{}); err != nil || len(items) != 0 {
			t.Fatalf("staff's list shows a deputy's draft: %+v %v", items, err)
		}
		if _, err := sv.GetAs(ctx, staffActor(model.RoleStaff), draft.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("staff read a deputy's draft: %v", err)
		}
		in := draftOf(w.b.Name)
		in.ID = draft.ID
		sg, err := sv.SubmitAs(ctx, author, in)
		if err != nil || sg.Status != model.SuggestionSubmitted || sg.SubmittedAt == nil {
			t.Fatalf("submit: %+v %v", sg, err)
		}
		if n := w.deliveriesOf(t, model.KindCosign, w.b.ID); n != 1 {
			t.Fatalf("the co-signer got %d invitations, want 1", n)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM pending_asks WHERE deputy_id = ? AND flow = ? AND ref_id = ?`,
			w.b.ID, core.FlowCosign, sg.ID); n != 1 {
			t.Fatalf("the co-signer has %d open asks, want 1", n)
		}
		if _, err := sv.CosignAs(ctx, cosigner, sg.ID, true); err != nil {
			t.Fatalf("cosign: %v", err)
		}
		if _, err := sv.CosignAs(ctx, cosigner, sg.ID, false); err == nil {
			t.Fatal("a second answer to the same invitation was taken")
		}
		if n := w.deliveriesOf(t, model.KindProgress, w.a.ID); n != 1 {
			t.Fatalf("the author was told %d times of the co-signer's answer, want 1", n)
		}

		staff := staffActor(model.RoleStaff)
		list, total, err := sv.ListAs(ctx, staff, model.SuggestionFilter{
			Status: model.SuggestionSubmitted, Source: model.SourceDeputy})
		if err != nil || total != 1 || list[0].ID != sg.ID {
			t.Fatalf("submitted list: %+v %d %v", list, total, err)
		}
		before := w.auditCount(t)
		got, err := sv.ReviewAs(ctx, staff, sg.ID, core.ReviewAction{Action: core.ReviewAccept, Units: []string{"省交通运输厅", "省财政厅"}})
		if err != nil || got.Status != model.SuggestionAssigned || got.HostUnit != "省交通运输厅" || got.CoUnits != "省财政厅" {
			t.Fatalf("accept: %+v %v", got, err)
		}
		if w.auditCount(t) != before+1 {
			t.Fatalf("accepting wrote %d audit entries, want 1", w.auditCount(t)-before)
		}
		if len(got.Deputies) != 2 || got.Deputies[1].DeputyID != w.b.ID || got.Deputies[1].Role != model.RoleSecond {
			t.Fatalf("the confirmed co-signer is not a seconder: %+v", got.Deputies)
		}
		if n := w.deliveriesOf(t, model.KindProgress, w.a.ID); n != 2 {
			t.Fatalf("the author was told %d times, want 2 (co-signed, assigned)", n)
		}
		if _, err := sv.ReviewAs(ctx, staff, sg.ID, core.ReviewAction{Action: core.ReviewReturn, Reason: "重复"}); err == nil {
			t.Fatal("an accepted suggestion was reviewed again")
		}

		unit := core.StaffActor(model.Account{ID: 9, Username: "jt", Role: model.RoleUnit, Unit: "省交通运输厅"}, core.ViaAPI)
		if _, err := sv.RecordStepAs(ctx, unit, sg.ID, &model.SuggestionStep{Kind: "replied", Actor: "省交通运输厅",
			ReplyCategory: "A", Note: "已增加班次。"}); err != nil {
			t.Fatalf("the unit's reply: %v", err)
		}
		for _, d := range []model.Deputy{w.a, w.b} {
			if n := w.deliveriesOf(t, model.KindRatingRequest, d.ID); n != 1 {
				t.Fatalf("%s got %d rating requests, want 1", d.Name, n)
			}
		}
		mine, err := sv.OfDeputy(ctx, w.a.ID)
		if err != nil || len(mine) != 1 || !mine[0].CanRate() {
			t.Fatalf("我的建议 after the reply: %+v %v", mine, err)
		}
	})
}

func TestAReturnedSuggestionIsEditedAndResubmittedAndOneIsMerged(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		sv := w.svc.Suggestions
		author, staff := core.DeputyActor(w.a, core.ViaH5), staffActor(model.RoleStaff)
		sg, err := sv.SubmitAs(ctx, author, draftOf())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			name   string
			action core.ReviewAction
			key    string
		}{
			{"a return without a reason", core.ReviewAction{Action: core.ReviewReturn, Reason: "  "}, "reason"},
			{"an acceptance without a unit", core.ReviewAction{Action: core.ReviewAccept}, "units"},
			{"a merge into itself", core.ReviewAction{Action: core.ReviewMerge, Into: sg.ID}, "into"},
			{"a merge into nothing", core.ReviewAction{Action: core.ReviewMerge, Into: 9999}, "into"},
			{"an unknown action", core.ReviewAction{Action: "approve"}, "action"},
		} {
			before := w.auditCount(t)
			_, err := sv.ReviewAs(ctx, staff, sg.ID, r.action)
			verr, ok := core.Fields(err)
			if !ok || verr[0].Key != r.key {
				t.Errorf("%s: %v, want a field error on %s", r.name, err, r.key)
			}
			if w.auditCount(t) != before {
				t.Errorf("%s was audited", r.name)
			}
		}
		if _, err := sv.ReviewAs(ctx, author, sg.ID, core.ReviewAction{Action: core.ReviewReturn, Reason: "x"}); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("a deputy reviewed: %v", err)
		}
		back, err := sv.ReviewAs(ctx, staff, sg.ID, core.ReviewAction{Action: core.ReviewReturn, Reason: "请补充具体线路和班次"})
		if err != nil || back.Status != model.SuggestionReturned || back.ReviewNote != "请补充具体线路和班次" {
			t.Fatalf("return: %+v %v", back, err)
		}
		if n := w.deliveriesOf(t, model.KindProgress, w.a.ID); n != 1 {
			t.Fatalf("the author was told %d times of the return, want 1", n)
		}
		drafts, err := sv.DraftsOf(ctx, author)
		if err != nil || len(drafts) != 1 || drafts[0].Status != model.SuggestionReturned {
			t.Fatalf("drafts after the return: %+v %v", drafts, err)
		}
		in := draftOf()
		in.ID, in.Content = sg.ID, "建议增加济南至章丘农村公交班次，早晚高峰各加两班。"
		again, err := sv.SubmitAs(ctx, author, in)
		if err != nil || again.Status != model.SuggestionSubmitted || again.Summary != in.Content || again.ReviewNote != "" {
			t.Fatalf("resubmit: %+v %v", again, err)
		}

		// A suggestion being handled to merge into.
		target := &model.Suggestion{Number: "第0001号", Title: "关于改善农村交通的建议", HostUnit: "省交通运输厅", LeadDeputyID: w.c.ID}
		if err := sv.CreateAs(ctx, staff, target, nil); err != nil {
			t.Fatal(err)
		}
		merged, err := sv.ReviewAs(ctx, staff, sg.ID, core.ReviewAction{Action: core.ReviewMerge, Into: target.ID})
		if err != nil || merged.Status != model.SuggestionMerged || merged.MergedInto != target.ID {
			t.Fatalf("merge: %+v %v", merged, err)
		}
		joined, err := sv.Get(ctx, target.ID)
		if err != nil || len(joined.Deputies) != 2 || joined.Deputies[1].DeputyID != w.a.ID {
			t.Fatalf("the author did not join the suggestion merged into: %+v %v", joined.Deputies, err)
		}
		overall, _, err := sv.Rates(ctx, model.SuggestionRatesFilter{})
		if err != nil || overall.Total != 1 {
			t.Fatalf("rates count %d suggestions, want only the one being handled: %v", overall.Total, err)
		}
	})
}

func TestBadCosignersAndATerminatedDeputysDraftAreRefusedAndNothingIsStored(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		sv := w.svc.Suggestions
		author := core.DeputyActor(w.a, core.ViaWeChat)
		before, audits := w.count(t, `SELECT COUNT(*) FROM suggestions`), w.auditCount(t)
		for _, c := range []struct {
			name, cosigner, says string
		}{
			{"someone who is not a deputy", "王五", "不是代表名册中的代表"},
			{"the author", w.a.Name, "领衔代表不能附议自己的建议"},
			{"a deputy whose term has ended", w.ended.Name, "代表资格已终止"},
		} {
			_, err := sv.SubmitAs(ctx, author, draftOf(c.cosigner))
			verr, ok := core.Fields(err)
			if !ok || verr[0].Key != "cosigners" || !strings.Contains(verr[0].Msg, c.says) {
				t.Errorf("co-signed by %s: %v, want %q", c.name, err, c.says)
			}
		}
		long := draftOf()
		long.Title = strings.Repeat("长", core.MaxSuggestionTitle+1)
		if _, err := sv.SubmitAs(ctx, author, long); err == nil || !strings.Contains(err.Error(), "最多 100 字") {
			t.Errorf("an over-long title: %v", err)
		}
		bad := draftOf()
		bad.Content = "内容\xff"
		if _, err := sv.SubmitAs(ctx, author, bad); err == nil {
			t.Error("invalid UTF-8 was taken")
		}
		if after := w.count(t, `SELECT COUNT(*) FROM suggestions`); after != before || w.auditCount(t) != audits {
			t.Fatalf("refusals stored %d suggestions and %d audit entries", after-before, w.auditCount(t)-audits)
		}

		// A draft written in office is kept after the term ends, but not submitted.
		draft, err := sv.SaveDraftAs(ctx, core.DeputyActor(w.c, core.ViaWeChat), draftOf())
		if err != nil {
			t.Fatal(err)
		}
		w.c.Status = model.StatusEnded
		in := draftOf()
		in.ID = draft.ID
		if _, err := sv.SubmitAs(ctx, core.DeputyActor(w.c, core.ViaWeChat), in); !errors.Is(err, model.ErrForbidden) ||
			!strings.Contains(core.Message(err), "草稿仍然保留") {
			t.Fatalf("a terminated deputy submitted: %v", err)
		}
		kept, err := sv.Get(ctx, draft.ID)
		if err != nil || kept.Status != model.SuggestionDraft {
			t.Fatalf("the terminated deputy's draft: %+v %v", kept, err)
		}
	})
}
