package core

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestStaffControlsAreAuditedAsTheOperator covers the actions the command
// line shares with the console: each success writes one audit entry
// naming the operator, each refusal none and changes nothing.
func TestStaffControlsAreAuditedAsTheOperator(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := New(db, Options{Loc: time.UTC})
		ops := CLIActor(model.Account{}, "ops")
		reader := CLIActor(model.Account{ID: 7, Username: "r", Name: "只读员", Role: model.RoleReadonly}, "ops")
		wang := accessDeputy(t, db, "王芳", "13800131234", "o-wang")

		t.Run("a campaign is paused, resumed and cancelled, each once", func(t *testing.T) {
			n := model.Notice{Kind: model.KindGeneral, Title: "接待日"}
			c := model.Campaign{Audience: model.Audience{All: true}, SendAt: time.Now().Add(48 * time.Hour), Status: model.CampaignScheduled}
			if err := db.CreateCampaign(ctx, &n, &c); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Campaigns.Pause(ctx, reader, c.ID, ""); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("a read-only account paused: %v", err)
			}
			got, err := svc.Campaigns.Pause(ctx, ops, c.ID, "")
			if err != nil || got.Status != model.CampaignPaused || got.Reason != "由 命令行（ops） 暂停" {
				t.Fatalf("pause: %+v %v", got, err)
			}
			if _, err := svc.Campaigns.Pause(ctx, ops, c.ID, ""); !errors.Is(err, model.ErrConflict) || !strings.Contains(Message(err), "已暂停") {
				t.Fatalf("pausing twice: %v", err)
			}
			if got, err = svc.Campaigns.Resume(ctx, ops, c.ID); err != nil || got.Status != model.CampaignScheduled {
				t.Fatalf("resume before its time: %+v %v", got, err)
			}
			if got, err = svc.Campaigns.Cancel(ctx, ops, c.ID); err != nil || got.Status != model.CampaignCancelled {
				t.Fatalf("cancel: %+v %v", got, err)
			}
			if _, err := svc.Campaigns.Resume(ctx, ops, c.ID); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("resuming a cancelled campaign: %v", err)
			}
			if _, err := svc.Campaigns.Cancel(ctx, ops, c.ID+100); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("cancelling no campaign: %v", err)
			}
			for _, action := range []string{"campaign.pause", "campaign.resume", "campaign.cancel"} {
				es := auditOf(t, db, action)
				if len(es) != 1 || es[0].StaffName != "命令行（ops）" || es[0].Via != ViaCLI || !strings.Contains(es[0].Summary, "接待日") {
					t.Fatalf("%s: %+v", action, es)
				}
			}
		})

		t.Run("a binding is removed once; a code is issued without showing it", func(t *testing.T) {
			if _, err := svc.Binding.Unbind(ctx, reader, wang.ID); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("a read-only account unbound: %v", err)
			}
			if _, err := svc.Binding.Unbind(ctx, ops, wang.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Binding.Unbind(ctx, ops, wang.ID); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("unbinding twice: %v", err)
			}
			if d, _ := db.GetDeputy(ctx, wang.ID); d.OpenID != "" {
				t.Fatalf("still bound: %+v", d)
			}
			if es := auditOf(t, db, "deputy.unbind"); len(es) != 1 || es[0].Object != "deputy/"+itoa(wang.ID) {
				t.Fatalf("unbind audit: %+v", es)
			}
			_, code, _, err := svc.Binding.IssueCode(ctx, ops, wang.ID, time.Hour)
			if err != nil || len(code) != 6 {
				t.Fatalf("code %q %v", code, err)
			}
			if es := auditOf(t, db, "deputy.bind_code"); len(es) != 1 || strings.Contains(es[0].Summary, code) {
				t.Fatalf("bind code audit: %+v", es)
			}
		})

		t.Run("an import is audited with its counts; a refused file writes nothing", func(t *testing.T) {
			csv := "姓名,代表团,手机号\n李强,济南市代表团,13900135678\n"
			if _, err := svc.Deputies.ImportAs(ctx, reader, strings.NewReader(csv), "名册.csv", ImportOptions{}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("a read-only account imported: %v", err)
			}
			if _, err := svc.Deputies.ImportAs(ctx, ops, strings.NewReader("姓名,手机号\n赵敏,abc\n"), "坏.csv", ImportOptions{}); err == nil {
				t.Fatal("a bad file was imported")
			}
			rep, err := svc.Deputies.ImportAs(ctx, ops, strings.NewReader(csv), "名册.csv", ImportOptions{})
			if err != nil || rep.Created != 1 {
				t.Fatalf("import: %+v %v", rep, err)
			}
			if es := auditOf(t, db, "deputy.import"); len(es) != 1 || !strings.Contains(es[0].Summary, "名册.csv：共 1 行，新增 1") {
				t.Fatalf("import audit: %+v", es)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
