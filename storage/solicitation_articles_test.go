package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestSolicitationArticlesAreWrittenWithTheDraftAndReplacedWhole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		draft := make([]model.SolicitationArticle, 250) // more than one insert batch
		for i := range draft {
			draft[i] = model.SolicitationArticle{Number: i + 1, Heading: fmt.Sprintf("第%d条", i+1), Body: fmt.Sprintf("正文%d", i+1)}
		}
		sol := model.Solicitation{Title: "《XX省数据条例（草案）》征求意见", Articles: len(draft), OpensAt: now, ClosesAt: now.Add(time.Hour), Draft: draft}
		if err := db.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetSolicitation(ctx, sol.ID)
		if err != nil || got.Articles != 250 || got.Texts != 250 {
			t.Fatalf("read back %+v %v", got, err)
		}
		list, err := db.SolicitationArticles(ctx, sol.ID)
		if err != nil || len(list) != 250 || list[0].Number != 1 || list[249].Body != "正文250" || list[9].Heading != "第10条" {
			t.Fatalf("articles: %d %v", len(list), err)
		}

		dup := []model.SolicitationArticle{{Number: 1, Heading: "第一条", Body: "甲"}, {Number: 1, Heading: "第一条", Body: "乙"}}
		if err := db.SetSolicitationArticles(ctx, sol.ID, dup); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("an article number twice: %v", err)
		}
		if list, _ := db.SolicitationArticles(ctx, sol.ID); len(list) != 250 {
			t.Fatalf("a refused replacement left %d articles", len(list))
		}
		if err := db.SetSolicitationArticles(ctx, sol.ID, dup[:1]); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.GetSolicitation(ctx, sol.ID); got.Articles != 1 || got.Texts != 1 {
			t.Fatalf("after replacing: %+v", got)
		}
		if err := db.SetSolicitationArticles(ctx, 9999, dup[:1]); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a missing solicitation: %v", err)
		}

		plain := model.Solicitation{Title: "只有条数", Articles: 30, OpensAt: now, ClosesAt: now.Add(time.Hour)}
		if err := db.CreateSolicitation(ctx, &plain); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.GetSolicitation(ctx, plain.ID); got.Articles != 30 || got.Texts != 0 {
			t.Fatalf("a solicitation with a count only: %+v", got)
		}
	})
}

func TestOpinionsCarryTheDeputysDelegation(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := model.Deputy{Name: "王芳", Delegation: "济南市代表团", Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		o := model.Opinion{DeputyID: d.ID, Category: model.OpinionSocial, Body: "x"}
		if err := db.CreateOpinion(ctx, &o); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetOpinion(ctx, o.ID)
		if err != nil || got.DeputyName != "王芳" || got.DeputyDelegation != "济南市代表团" {
			t.Fatalf("%+v %v", got, err)
		}
	})
}
