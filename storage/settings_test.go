package storage_test

import (
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestSettingsAreStoredAndRemoved(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		if m, err := db.TemplateSettings(ctx); err != nil || len(m) != 0 {
			t.Fatalf("before any save: %v %v", m, err)
		}
		in := map[string]model.TemplateSetting{"general_notice": {ID: "TPL", Fields: map[string]string{"thing1": "title"}}}
		if err := db.SaveTemplateSettings(ctx, in); err != nil {
			t.Fatal(err)
		}
		if m, err := db.TemplateSettings(ctx); err != nil || m["general_notice"].Fields["thing1"] != "title" {
			t.Fatalf("after a save: %v %v", m, err)
		}
		if err := db.SaveTemplateSettings(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if m, _ := db.TemplateSettings(ctx); len(m) != 0 {
			t.Fatalf("after removing: %v", m)
		}
		if _, err := db.MenuSetting(ctx); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("no menu: %v", err)
		}
		if err := db.SaveMenuSetting(ctx, []byte(`{"button":[]}`)); err != nil {
			t.Fatal(err)
		}
		if m, err := db.MenuSetting(ctx); err != nil || string(m) != `{"button":[]}` {
			t.Fatalf("menu %s %v", m, err)
		}
	})
}

func TestADeputysInvitationsAndRatingsAreListedLatestFirst(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		d := model.Deputy{Name: "王芳", Delegation: "济南市代表团", Level: model.LevelProvincial}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		for i, title := range []string{"上月的视察", "下周的会议"} {
			m := model.Meeting{Kind: "meeting", Title: title, StartsAt: now.Add(time.Duration(i*30-20) * 24 * time.Hour), RSVPDeadline: now}
			if err := db.CreateMeeting(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Invite(ctx, m.ID, []int64{d.ID}); err != nil {
				t.Fatal(err)
			}
		}
		invs, err := db.InvitationsOfDeputy(ctx, d.ID, 10)
		if err != nil || len(invs) != 2 || invs[0].Meeting.Title != "下周的会议" || invs[1].Meeting.Title != "上月的视察" {
			t.Fatalf("invitations %+v %v", invs, err)
		}
		if invs, _ := db.InvitationsOfDeputy(ctx, d.ID, 1); len(invs) != 1 {
			t.Fatalf("limit 1 gives %d", len(invs))
		}
		s := model.Suggestion{Number: "第0001号", Title: "关于农村公路的建议", LeadDeputyID: d.ID, HostUnit: "省交通运输厅", Status: model.SuggestionReplied}
		if err := db.CreateSuggestion(ctx, &s, nil); err != nil {
			t.Fatal(err)
		}
		r := model.SuggestionRating{SuggestionID: s.ID, DeputyID: d.ID, Contact: model.ContactFace,
			Attitude: model.RatingSatisfied, Result: model.RatingBasic, RatedAt: now}
		if err := db.UpsertRating(ctx, &r, nil); err != nil {
			t.Fatal(err)
		}
		rs, err := db.RatingsOfDeputy(ctx, d.ID, 10)
		if err != nil || len(rs) != 1 || rs[0].Number != "第0001号" || rs[0].Result != model.RatingBasic || !rs[0].RatedAt.Equal(now) {
			t.Fatalf("ratings %+v %v", rs, err)
		}
	})
}
