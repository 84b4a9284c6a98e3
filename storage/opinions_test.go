package storage_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// addTestDeputies stores n deputies and returns their ids.
func addTestDeputies(t *testing.T, db *storage.DB, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		d := model.Deputy{Name: fmt.Sprintf("代表%d", i+1), Level: model.LevelProvincial}
		if err := db.CreateDeputy(context.Background(), &d); err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	return ids
}

var receiptRE = regexp.MustCompile(`^YJ\d{4}-\d{5}$`)

func TestOpinionReceiptsCountPerChinaYear(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		dep := addTestDeputies(t, db, 1)[0]
		steps := []struct {
			name string
			now  time.Time
			want string
		}{
			{"the year's first opinion is number 1", time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC), "YJ2026-00001"},
			{"the next one is number 2", time.Date(2026, 3, 1, 2, 0, 1, 0, time.UTC), "YJ2026-00002"},
			{"New Year in Beijing is still 2026 in UTC", time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), "YJ2027-00001"},
			{"the new year keeps counting", time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), "YJ2027-00002"},
		}
		for _, st := range steps {
			db.SetClock(func() time.Time { return st.now })
			o := model.Opinion{DeputyID: dep, Category: model.OpinionSocial, Body: "建议增设公交线路"}
			if err := db.CreateOpinion(ctx, &o); err != nil {
				t.Fatal(err)
			}
			if o.Receipt != st.want || !receiptRE.MatchString(o.Receipt) {
				t.Errorf("%s: receipt %q, want %q", st.name, o.Receipt, st.want)
			}
			got, err := db.GetOpinionByReceipt(ctx, st.want)
			if err != nil || got.ID != o.ID || got.Status != model.OpinionReceived || got.Channel != model.OpinionViaWeChat ||
				got.DeputyName != "代表1" || !got.CreatedAt.Equal(st.now) {
				t.Errorf("%s: read back %+v, %v", st.name, got, err)
			}
		}
	})
}

func TestConcurrentOpinionsGetDistinctReceipts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 4)
		db.SetClock(func() time.Time { return time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC) })
		const n = 24
		receipts := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				o := model.Opinion{DeputyID: deps[i%len(deps)], Category: model.OpinionOther, Body: fmt.Sprintf("意见%d", i)}
				errs[i] = db.CreateOpinion(ctx, &o)
				receipts[i] = o.Receipt
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("submission %d: %v", i, errs[i])
			}
			if seen[receipts[i]] {
				t.Fatalf("receipt %s handed out twice", receipts[i])
			}
			seen[receipts[i]] = true
		}
		for i := 1; i <= n; i++ {
			if want := fmt.Sprintf("YJ2026-%05d", i); !seen[want] {
				t.Errorf("receipts skip %s: %v", want, receipts)
			}
		}
	})
}

func TestOpinionReplyCloseAndLists(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		deps := addTestDeputies(t, db, 2)
		now := time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		sol := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", Link: "https://example.org/draft", Articles: 40,
			OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour)}
		if err := db.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		first := model.Opinion{DeputyID: deps[0], Category: model.OpinionSolicitation, SolicitationID: sol.ID,
			Article: "第十二条", Body: "建议明确数据分类分级标准", Channel: model.OpinionViaConsole}
		second := model.Opinion{DeputyID: deps[0], Category: model.OpinionLegislative, Body: "建议制定养老服务条例"}
		other := model.Opinion{DeputyID: deps[1], Category: model.OpinionSupervision, Body: "监督食品安全"}
		for _, o := range []*model.Opinion{&first, &second, &other} {
			now = now.Add(time.Minute)
			if err := db.CreateOpinion(ctx, o); err != nil {
				t.Fatal(err)
			}
		}

		mine, err := db.OpinionsOfDeputy(ctx, deps[0], 0)
		if err != nil || len(mine) != 2 || mine[0].ID != second.ID || mine[1].SolicitationTitle != sol.Title ||
			mine[1].Article != "第十二条" || mine[1].Channel != model.OpinionViaConsole {
			t.Fatalf("deputy's opinions, newest first: %+v, %v", mine, err)
		}
		onDraft, total, err := db.ListOpinions(ctx, model.OpinionFilter{SolicitationID: sol.ID})
		if err != nil || total != 1 || onDraft[0].ID != first.ID {
			t.Fatalf("opinions on the draft: %+v (%d), %v", onDraft, total, err)
		}
		got, _ := db.GetSolicitation(ctx, sol.ID)
		if got.Opinions != 1 || got.Articles != 40 || got.Link != sol.Link {
			t.Fatalf("solicitation read back %+v", got)
		}

		now = now.Add(time.Hour)
		if err := db.ReplyOpinion(ctx, second.ID, "已转交省民政厅研究"); err != nil {
			t.Fatal(err)
		}
		replied, _ := db.GetOpinion(ctx, second.ID)
		if replied.Status != model.OpinionAnswered || replied.StaffReply != "已转交省民政厅研究" ||
			replied.RepliedAt == nil || !replied.RepliedAt.Equal(now) {
			t.Fatalf("after reply %+v", replied)
		}
		if err := db.CloseOpinion(ctx, second.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.CloseOpinion(ctx, second.ID); err != nil {
			t.Fatalf("closing twice: %v", err)
		}
		if err := db.ReplyOpinion(ctx, second.ID, "补充答复"); err != nil {
			t.Fatal(err)
		}
		closed, _ := db.GetOpinion(ctx, second.ID)
		if closed.Status != model.OpinionClosed || closed.StaffReply != "补充答复" {
			t.Fatalf("a reply to a concluded opinion keeps it concluded: %+v", closed)
		}
		answered, total, _ := db.ListOpinions(ctx, model.OpinionFilter{Status: model.OpinionClosed})
		if total != 1 || answered[0].ID != second.ID {
			t.Fatalf("closed opinions %+v", answered)
		}

		missing := []struct {
			name string
			err  error
		}{
			{"reply to a missing opinion", db.ReplyOpinion(ctx, 9999, "x")},
			{"close a missing opinion", db.CloseOpinion(ctx, 9999)},
			{"opinion of a missing deputy", db.CreateOpinion(ctx, &model.Opinion{DeputyID: 9999, Category: model.OpinionOther, Body: "x"})},
			{"opinion on a missing solicitation", db.CreateOpinion(ctx, &model.Opinion{DeputyID: deps[0], Category: model.OpinionSolicitation, SolicitationID: 9999, Body: "x"})},
		}
		for _, m := range missing {
			if !errors.Is(m.err, model.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", m.name, m.err)
			}
		}
		if _, err := db.GetOpinion(ctx, 9999); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("missing opinion: %v", err)
		}
	})
}

func TestOpenSolicitations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		for _, s := range []model.Solicitation{
			{Title: "已截止", OpensAt: base.AddDate(0, -1, 0), ClosesAt: base},
			{Title: "进行中，晚截止", OpensAt: base.AddDate(0, 0, -1), ClosesAt: base.AddDate(0, 0, 20)},
			{Title: "进行中，早截止", OpensAt: base, ClosesAt: base.AddDate(0, 0, 10)},
			{Title: "未开始", OpensAt: base.Add(time.Second), ClosesAt: base.AddDate(0, 1, 0)},
		} {
			if err := db.CreateSolicitation(ctx, &s); err != nil {
				t.Fatal(err)
			}
		}
		open, err := db.OpenSolicitations(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, s := range open {
			titles = append(titles, s.Title)
			if !s.OpenAt(base) {
				t.Errorf("%s listed as open but OpenAt says no", s.Title)
			}
		}
		if fmt.Sprint(titles) != "[进行中，早截止 进行中，晚截止]" {
			t.Fatalf("open at the boundary instant: %v", titles)
		}
		all, _ := db.ListSolicitations(ctx)
		if len(all) != 4 || all[0].Title != "未开始" {
			t.Fatalf("all solicitations, latest opening first: %+v", all)
		}
	})
}
