package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestWhatDeputiesSendIsAuditedAsTheirs checks the actions the chat and
// the H5 pages take for a deputy: each refusal writes nothing, each
// success one audit entry naming the deputy and the surface.
func TestWhatDeputiesSendIsAuditedAsTheirs(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := New(db, Options{Loc: time.UTC})
		wang := accessDeputy(t, db, "王芳", "13800131234", "o-wang")
		li := accessDeputy(t, db, "李强", "13900135678", "o-li")
		asWang, asLi := DeputyActor(wang, ViaWeChat), DeputyActor(li, ViaH5)
		one := func(action string) model.AuditEntry {
			t.Helper()
			es := auditOf(t, db, action)
			if len(es) != 1 {
				t.Fatalf("%d %s entries, want 1: %+v", len(es), action, es)
			}
			return es[0]
		}

		t.Run("a rating: refused before the reply and for a deputy not on it, then audited", func(t *testing.T) {
			sg := model.Suggestion{Number: "1", Title: "关于农村饮水的建议", HostUnit: "省水利厅", LeadDeputyID: wang.ID}
			if err := svc.Suggestions.Create(ctx, &sg, nil); err != nil {
				t.Fatal(err)
			}
			ok := Rating{Contact: "当面沟通", Attitude: "满意", Result: "满意"}
			if _, err := svc.Suggestions.CanRate(ctx, asWang, sg.ID); !errors.Is(err, ErrNotRateable) {
				t.Fatalf("before the reply: %v", err)
			}
			if _, err := svc.Suggestions.RateAs(ctx, asWang, sg.ID, ok); !errors.Is(err, ErrNotRateable) {
				t.Fatalf("rated before the reply: %v", err)
			}
			st := model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, Actor: "省水利厅", ReplyCategory: "A", Note: "已解决"}
			if err := svc.Suggestions.RecordStep(ctx, &st); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Suggestions.CanRate(ctx, asLi, sg.ID); !errors.Is(err, ErrNotOnSuggestion) {
				t.Fatalf("a deputy not on it: %v", err)
			}
			if _, err := svc.Suggestions.RateAs(ctx, asLi, sg.ID, ok); !errors.Is(err, ErrNotOnSuggestion) {
				t.Fatalf("a deputy not on it rated: %v", err)
			}
			if n := len(auditOf(t, db, "suggestion.rate")); n != 0 {
				t.Fatalf("refusals audited: %d", n)
			}
			if _, err := svc.Suggestions.CanRate(ctx, asWang, sg.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Suggestions.RateAs(ctx, asWang, sg.ID, ok); err != nil {
				t.Fatal(err)
			}
			e := one("suggestion.rate")
			if e.StaffName != "代表 王芳" || e.Via != ViaWeChat || !strings.Contains(e.Summary, "第0001号") {
				t.Fatalf("audit: %+v", e)
			}
		})

		t.Run("an opinion: invalid is refused unaudited, valid audited without its text", func(t *testing.T) {
			if _, err := svc.Opinions.SubmitAs(ctx, asLi, model.Opinion{Category: model.OpinionSocial}); err == nil {
				t.Fatal("an empty opinion was stored")
			}
			if _, err := svc.Opinions.SubmitAs(ctx, PublicActor("o-x", ViaWeChat), model.Opinion{Category: model.OpinionSocial, Body: "x"}); err == nil {
				t.Fatal("a follower who is not a deputy submitted as one")
			}
			receipt, err := svc.Opinions.SubmitAs(ctx, asLi, model.Opinion{Category: model.OpinionSocial, Body: "建议增加农村公交班次"})
			if err != nil {
				t.Fatal(err)
			}
			e := one("opinion.submit")
			if e.StaffName != "代表 李强" || e.Via != ViaH5 || e.Object != "opinion/"+receipt || strings.Contains(e.Summary, "公交") {
				t.Fatalf("audit: %+v", e)
			}
		})

		t.Run("a survey: closed and already answered are refused, the answers audited", func(t *testing.T) {
			sv := model.Survey{Title: "培训需求", Anonymous: true, OpensAt: svc.Now().Add(-time.Hour), ClosesAt: svc.Now().Add(time.Hour),
				Questions: []model.SurveyQuestion{{Kind: model.QuestionScale, Text: "评价"}}}
			if err := svc.Surveys.Create(ctx, &sv); err != nil {
				t.Fatal(err)
			}
			next, ok, err := svc.Surveys.NextFor(ctx, asWang)
			if err != nil || !ok || next.ID != sv.ID {
				t.Fatalf("next: %+v %v %v", next, ok, err)
			}
			if _, err := svc.Surveys.CanAnswer(ctx, asWang, sv.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Surveys.SubmitAs(ctx, asWang, sv.ID, map[int64]string{sv.Questions[0].ID: "9"}); err == nil {
				t.Fatal("a score of 9 was stored")
			}
			if _, err := svc.Surveys.SubmitAs(ctx, asWang, sv.ID, map[int64]string{sv.Questions[0].ID: "5"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Surveys.CanAnswer(ctx, asWang, sv.ID); !errors.Is(err, model.ErrAlreadyAnswered) {
				t.Fatalf("answering an anonymous survey again: %v", err)
			}
			if _, ok, err := svc.Surveys.NextFor(ctx, asWang); err != nil || ok {
				t.Fatalf("an answered anonymous survey is offered again: %v %v", ok, err)
			}
			e := one("survey.answer")
			if e.StaffName != "代表 王芳" || !strings.Contains(e.Summary, "培训需求") {
				t.Fatalf("audit: %+v", e)
			}
			svc.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
			defer svc.SetClock(time.Now)
			if _, err := svc.Surveys.CanAnswer(ctx, asLi, sv.ID); !errors.Is(err, model.ErrSurveyClosed) {
				t.Fatalf("a closed survey: %v", err)
			}
		})

		t.Run("a member logs their own contact; someone else cannot", func(t *testing.T) {
			editor := StaffActor(model.Account{ID: 3, Username: "liaison", Name: "联络处", Role: model.RoleStaff}, ViaConsole)
			m, err := svc.Liaison.CreateMemberAs(ctx, editor, model.CommitteeMember{Name: "周委员"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.Liaison.LinkAs(ctx, editor, m.ID, []int64{wang.ID}); err != nil {
				t.Fatal(err)
			}
			if err := db.BindMember(ctx, m.ID, "o-zhou"); err != nil {
				t.Fatal(err)
			}
			c := model.MemberContact{DeputyID: wang.ID, Kind: "电话", OnDate: svc.Now().Add(-24 * time.Hour)}
			if err := svc.Liaison.LogOwnContact(ctx, asLi, &c); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("a deputy who is no member: %v", err)
			}
			m.OpenID = "o-zhou"
			if err := svc.Liaison.LogOwnContact(ctx, MemberActor(m, "o-zhou", ViaWeChat), &c); err != nil {
				t.Fatal(err)
			}
			if e := one("liaison.contact"); e.StaffName != "委员 周委员" || e.Via != ViaWeChat {
				t.Fatalf("audit: %+v", e)
			}
		})
	})
}
