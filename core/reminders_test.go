package core_test

import (
	"context"
	"deputybot/model"
	"deputybot/notify"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func remindersOf(t *testing.T, db *storage.DB, deputyID int64) int {
	t.Helper()
	ds, err := db.ListDeliveries(context.Background(), model.DeliveryFilter{DeputyID: deputyID})
	if err != nil {
		t.Fatal(err)
	}
	return len(ds)
}

func TestRemindersGoOncePerOccasion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		mk := func(name, phone string) model.Deputy {
			d := model.Deputy{Name: name, Level: model.LevelProvincial, Phone: phone, OpenID: "o-" + phone}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		attending, silent := mk("参加者", "13600000001"), mk("未回复者", "13600000002")
		meetings := core.New(db, core.Options{Now: func() time.Time { return now }}).Meetings
		m := model.Meeting{Kind: "research", Title: "专题调研", StartsAt: now.Add(60 * time.Hour), RSVPDeadline: now.Add(30 * time.Hour)}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		staff := core.CLIActor(model.Account{}, "test")
		if _, err := meetings.Invite(ctx, staff, m.ID, model.Audience{DeputyIDs: []int64{attending.ID, silent.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := meetings.RSVP(ctx, core.DeputyActor(attending, core.ViaWeChat), m.ID, model.RSVPAttend, ""); err != nil {
			t.Fatal(err)
		}
		rem := core.NewReminders(db, time.UTC)
		baseA, baseS := remindersOf(t, db, attending.ID), remindersOf(t, db, silent.ID)
		for i := 0; i < 2; i++ { // a second run (a catch-up) sends nothing more
			counts, err := rem.Meetings(ctx, core.SystemActor("meeting-reminders"), now)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 && (counts["meeting_3d"] != 1 || counts["rsvp"] != 1) {
				t.Fatalf("counts %v", counts)
			}
		}
		if got := remindersOf(t, db, attending.ID) - baseA; got != 1 {
			t.Fatalf("the attending deputy got %d reminders, want 1 (3 days before)", got)
		}
		if got := remindersOf(t, db, silent.ID) - baseS; got != 1 {
			t.Fatalf("the silent deputy got %d RSVP reminders, want 1", got)
		}

		sugs := core.NewSuggestions(db)
		sugs.Now = func() time.Time { return now }
		sg := model.Suggestion{Number: "第0901号", Title: "测评提醒", LeadDeputyID: silent.ID, HostUnit: "省教育厅"}
		if err := sugs.Create(ctx, &sg, nil); err != nil {
			t.Fatal(err)
		}
		if err := sugs.RecordStep(ctx, &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, Actor: "省教育厅", ReplyCategory: "A", Note: "已办"}); err != nil {
			t.Fatal(err)
		}
		base := remindersOf(t, db, silent.ID)
		for _, days := range []int{1, 4, 4, 7, 10} {
			if _, err := rem.Ratings(ctx, core.SystemActor("rating-reminders"), now.Add(time.Duration(days)*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if got := remindersOf(t, db, silent.ID) - base; got != 2 {
			t.Fatalf("%d rating reminders, want at most 2", got)
		}
	})
}

func TestTheStudySeriesAnnouncesOneMaterialEachRun(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	for i, title := range []string{"宪法", "代表法", "监督法"} {
		m := model.Material{Title: title, Summary: "学习材料", PublishedAt: now.Add(time.Duration(i-3) * time.Hour)}
		if err := db.CreateMaterial(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	out := notify.New(db, notify.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rem := core.NewReminders(db, time.UTC)
	var titles []string
	for i := 0; i < 4; i++ {
		c, err := rem.AnnounceNextMaterial(ctx, core.SystemActor("study-series"), now, out)
		if err != nil {
			t.Fatal(err)
		}
		if c["announced"] == 1 {
			m, _ := db.NextUnannouncedMaterial(ctx, now)
			titles = append(titles, m.Title)
		}
	}
	// After each announcement the next one in line is the following material.
	if strings.Join(titles, ",") != "代表法,监督法," {
		t.Fatalf("announced in order, then nothing: %q", titles)
	}
}
