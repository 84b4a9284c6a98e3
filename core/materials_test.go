package core_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// keysOf lists the field keys of a validation error, in order.
func keysOf(err error) string {
	fe, ok := core.Fields(err)
	if !ok {
		return fmt.Sprintf("not a validation error: %v", err)
	}
	var keys []string
	for _, e := range fe {
		keys = append(keys, e.Key)
	}
	return strings.Join(keys, ",")
}

func auditCount(t *testing.T, db *storage.DB, action string) int {
	t.Helper()
	es, _, err := db.ListAudit(context.Background(), model.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestMaterialLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := testkit.NewClock()
		db.SetClock(clock.Now)
		svc := core.New(db, core.Options{Now: clock.Now})
		staff := core.CLIActor(model.Account{}, "tester")
		jinan := model.Deputy{Name: "济南代表", Delegation: "济南市代表团", Level: model.LevelProvincial, OpenID: "o-jn"}
		qingdao := model.Deputy{Name: "青岛代表", Delegation: "青岛市代表团", Level: model.LevelProvincial, OpenID: "o-qd"}
		for _, d := range []*model.Deputy{&jinan, &qingdao} {
			if err := db.CreateDeputy(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		dep := core.DeputyActor(jinan, core.ViaWeChat)
		pdf, err := svc.Files.Upload(ctx, staff, "预算法.pdf", bytes.NewReader(core.SamplePDF("budget")))
		if err != nil {
			t.Fatal(err)
		}

		t.Run("bad input names every field and stores nothing", func(t *testing.T) {
			_, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: " ", Link: "javascript:alert(1)",
				VideoLink: "ftp://x", Category: "娱乐", AttachmentIDs: []int64{pdf.ID, 999}})
			if got := keysOf(err); got != "title,link,video_link,category,attachment_ids" {
				t.Fatalf("keys %s (%v)", got, err)
			}
			if rowCount(t, db, "materials") != 0 {
				t.Fatal("a refused material was stored")
			}
		})

		m, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: " 中华人民共和国预算法解读 ", Summary: "预算法要点。",
			Body: "# 预算法\n\n预算应当公开。", Category: "法律法规", AttachmentIDs: []int64{pdf.ID}})
		if err != nil || m.Status != model.MaterialDraft || m.Title != "中华人民共和国预算法解读" || len(m.Attachments) != 1 {
			t.Fatalf("create: %+v %v", m, err)
		}

		t.Run("a draft is not for deputies", func(t *testing.T) {
			if list, _ := svc.Materials.ForDeputy(ctx, dep, "", 5); len(list) != 0 {
				t.Fatalf("draft listed: %+v", list)
			}
			if _, _, err := svc.Materials.Study(ctx, dep, m.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("studied a draft: %v", err)
			}
			if _, _, err := svc.Files.Open(ctx, dep, pdf.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("a draft's attachment opened: %v", err)
			}
		})

		t.Run("an audience naming no one, or reaching no one, is refused", func(t *testing.T) {
			_, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{Audience: &model.Audience{}})
			if keysOf(err) != "audience" {
				t.Fatalf("empty audience: %v", err)
			}
			_, err = svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{Audience: &model.Audience{Delegations: []string{"烟台市代表团"}}})
			if fe, _ := core.Fields(err); len(fe) != 1 || !strings.Contains(fe[0].Msg, "没有代表") {
				t.Fatalf("audience of no one: %v", err)
			}
			_, err = svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{SendAt: "2020-01-01 09:00", Audience: &model.Audience{All: true}})
			if keysOf(err) != "send_at" {
				t.Fatalf("past send_at: %v", err)
			}
			if got, _ := svc.Materials.Get(ctx, staff, m.ID); got.Status != model.MaterialDraft {
				t.Fatalf("a refused publication changed the status to %s", got.Status)
			}
		})

		t.Run("publishing to a delegation pushes to it alone", func(t *testing.T) {
			p, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{Audience: &model.Audience{Delegations: []string{"济南市代表团"}}})
			if err != nil || p.CampaignID == 0 || p.Material.Status != model.MaterialPublished {
				t.Fatalf("publish: %+v %v", p, err)
			}
			c, err := db.GetCampaign(ctx, p.CampaignID)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.GetNotice(ctx, c.NoticeID)
			if err != nil || n.Kind != model.KindMaterial || n.RefKind != "material" || n.RefID != m.ID || n.Fields["title"] != m.Title ||
				fmt.Sprint(c.Audience.Delegations) != "[济南市代表团]" {
				t.Fatalf("notice %+v campaign %+v %v", n, c, err)
			}
		})

		t.Run("a deputy lists, searches, reads and studies it once", func(t *testing.T) {
			list, err := svc.Materials.ForDeputy(ctx, dep, "", 5)
			if err != nil || len(list) != 1 || list[0].ID != m.ID {
				t.Fatalf("list %+v %v", list, err)
			}
			if found, _ := svc.Materials.ForDeputy(ctx, dep, "预算", 5); len(found) != 1 {
				t.Fatalf("search 预算 found %d", len(found))
			}
			if found, _ := svc.Materials.ForDeputy(ctx, dep, "监督法", 5); len(found) != 0 {
				t.Fatalf("search 监督法 found %d", len(found))
			}
			if _, err := svc.Materials.Read(ctx, dep, m.ID); err != nil {
				t.Fatal(err)
			}
			for _, s := range []int{30, 120} {
				if _, err := svc.Materials.AddReading(ctx, dep, m.ID, s); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := svc.Materials.AddReading(ctx, dep, m.ID, 3600); keysOf(err) != "seconds" {
				t.Fatalf("an hour in one report: %v", err)
			}
			for i, wantFirst := range []bool{true, false} {
				_, first, err := svc.Materials.StudyNth(ctx, dep, "", 1, 5)
				if err != nil || first != wantFirst {
					t.Fatalf("study %d: first %v, %v", i, first, err)
				}
			}
			_, _, err = svc.Materials.StudyNth(ctx, dep, "", 9, 5)
			if fe, _ := core.Fields(err); !core.IsBadNumber(err) || !strings.Contains(fe[0].Msg, "已学1") {
				t.Fatalf("已学9: %v", err)
			}
			if _, _, err := svc.Files.Open(ctx, dep, pdf.ID); err != nil {
				t.Fatalf("a published material's attachment: %v", err)
			}
			st, err := svc.Materials.Stats(ctx, staff, m.ID)
			if err != nil || st.Opened != 1 || st.Studied != 1 || st.AvgReadSeconds != 150 {
				t.Fatalf("stats %+v %v", st, err)
			}
			if auditCount(t, db, "material.study") != 1 {
				t.Fatal("studying twice was audited twice")
			}
		})

		t.Run("a scheduled publication shows from its time on", func(t *testing.T) {
			later, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "监督法解读", Link: "https://www.npc.gov.cn/jdf.html"})
			if err != nil {
				t.Fatal(err)
			}
			at := clock.Now().Add(48 * time.Hour).In(svc.Location()).Format("2006-01-02 15:04")
			p, err := svc.Materials.Publish(ctx, staff, later.ID, core.PublishInput{SendAt: at, Audience: &model.Audience{All: true}})
			if err != nil || !p.Material.Scheduled(clock.Now()) {
				t.Fatalf("%+v %v", p, err)
			}
			// Its push waits for the same time.
			if c, err := db.GetCampaign(ctx, p.CampaignID); err != nil || !c.SendAt.Equal(p.Material.PublishedAt) ||
				!c.SendAt.After(clock.Now().Add(47*time.Hour)) {
				t.Fatalf("campaign %+v (%v): want it sent at %v", c, err, p.Material.PublishedAt)
			}
			if list, _ := svc.Materials.ForDeputy(ctx, dep, "", 5); len(list) != 1 {
				t.Fatalf("a scheduled material is listed early: %d", len(list))
			}
			clock.Advance(49 * time.Hour)
			if list, _ := svc.Materials.ForDeputy(ctx, dep, "", 5); len(list) != 2 || list[0].ID != later.ID {
				t.Fatalf("after its time: %+v", list)
			}
		})

		t.Run("an archived material can be neither changed nor published", func(t *testing.T) {
			if _, err := svc.Materials.Archive(ctx, staff, m.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{}); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("publish archived: %v", err)
			}
			if _, err := svc.Materials.Update(ctx, staff, m.ID, core.MaterialInput{Title: "新"}); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("update archived: %v", err)
			}
			if list, _ := svc.Materials.ForDeputy(ctx, dep, "", 5); len(list) != 1 {
				t.Fatalf("archived still listed: %d", len(list))
			}
		})

		t.Run("staff search ranks title matches first", func(t *testing.T) {
			for _, in := range []core.MaterialInput{{Title: "代表履职手册", Body: "其中一章讲预算审查。"}, {Title: "预算审查监督", Body: "正文"}} {
				mm, err := svc.Materials.Create(ctx, staff, in)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Materials.Publish(ctx, staff, mm.ID, core.PublishInput{}); err != nil {
					t.Fatal(err)
				}
			}
			rows, total, err := svc.Materials.List(ctx, staff, model.MaterialFilter{Q: "预算"})
			if err != nil || total != 3 || rows[0].Title != "预算审查监督" || rows[2].Title != "代表履职手册" {
				t.Fatalf("%d rows, %v: %+v", total, err, rows)
			}
			if _, _, err := svc.Materials.List(ctx, staff, model.MaterialFilter{Status: "lost"}); keysOf(err) != "status" {
				t.Fatalf("bad status: %v", err)
			}
			if rows, _, _ := svc.Materials.List(ctx, staff, model.MaterialFilter{Status: model.MaterialArchived}); len(rows) != 1 {
				t.Fatalf("archived: %d", len(rows))
			}
		})
		for _, a := range []string{"material.create", "material.publish", "material.archive", "file.upload"} {
			if auditCount(t, db, a) == 0 {
				t.Errorf("no audit entry %s", a)
			}
		}
	})
}

func TestMaterialCategoriesAreEditable(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	svc := core.New(db, core.Options{})
	staff := core.CLIActor(model.Account{}, "tester")
	ctx := context.Background()
	got, err := svc.Materials.SetCategories(ctx, staff, []string{" 政治理论 ", "法律法规", "政治理论", "", "纪律教育"})
	if err != nil || fmt.Sprint(got) != "[政治理论 法律法规 纪律教育]" {
		t.Fatalf("%v %v", got, err)
	}
	if list, _ := svc.Materials.Categories(ctx, staff); fmt.Sprint(list) != fmt.Sprint(got) {
		t.Fatalf("stored %v", list)
	}
	if _, err := svc.Materials.SetCategories(ctx, staff, []string{" "}); keysOf(err) != "categories" {
		t.Fatalf("none left: %v", err)
	}
	if _, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "x", Category: "履职知识"}); keysOf(err) != "category" {
		t.Fatalf("a removed category: %v", err)
	}
}
