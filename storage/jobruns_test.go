package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestJobRuns(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 3, 30, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })

		if _, err := db.LastJobRun(ctx, "cleanup"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a job that never ran gives %v, want ErrNotFound", err)
		}
		r, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now})
		if err != nil || r.ID == 0 || r.Status != model.JobRunning || r.Kind != model.JobScheduled {
			t.Fatalf("record: %+v, %v", r, err)
		}
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now, Kind: model.JobManual}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("a second run while one is running gives %v, want ErrConflict", err)
		}
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "digest", ScheduledAt: now}); err != nil {
			t.Fatalf("another job may run meanwhile: %v", err)
		}

		now = now.Add(2 * time.Second)
		r.Status, r.Counts, r.Note = model.JobOK, map[string]int{"kv": 3, "conversations": 0}, strings.Repeat("长", 2*model.JobNoteMax)
		if err := db.FinishJobRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		last, err := db.LastJobRun(ctx, "cleanup")
		if err != nil {
			t.Fatal(err)
		}
		if last.ID != r.ID || last.Status != model.JobOK || last.Counts["kv"] != 3 || !last.FinishedAt.Equal(now) ||
			!last.ScheduledAt.Equal(now.Add(-2*time.Second)) || utf8.RuneCountInString(last.Note) != model.JobNoteMax {
			t.Fatalf("last run: %+v", last)
		}
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now, Kind: model.JobManual}); err != nil {
			t.Fatalf("a run after the previous one finished: %v", err)
		}
		skipped, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now, Status: model.JobSkipped, FinishedAt: now, Note: "already running"})
		if err != nil {
			t.Fatalf("a skipped run is recorded even while one is running: %v", err)
		}

		runs, err := db.ListJobRuns(ctx, "cleanup", 10)
		if err != nil || len(runs) != 3 || runs[0].ID != skipped.ID || runs[2].ID != r.ID {
			t.Fatalf("list: %+v, %v", runs, err)
		}
		if all, err := db.ListJobRuns(ctx, "", 0); err != nil || len(all) != 4 {
			t.Fatalf("list of every job: %d runs, %v", len(all), err)
		}

		// A process died with two runs running: the next leader marks them failed.
		if n, err := db.InterruptJobRuns(ctx, now.Add(time.Second), "interrupted"); err != nil || n != 2 {
			t.Fatalf("interrupt: %d, %v; want 2", n, err)
		}
		if last, _ := db.LastJobRun(ctx, "digest"); last.Status != model.JobFailed || last.Note != "interrupted" || last.FinishedAt.IsZero() {
			t.Fatalf("an interrupted run: %+v", last)
		}

		now = now.Add(91 * 24 * time.Hour)
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneJobRuns(ctx, now.Add(-90*24*time.Hour)); err != nil || n != 4 {
			t.Fatalf("prune: %d, %v; want 4", n, err)
		}
	})
}

func TestAStaleRunningRunDoesNotBlockTheJobForEver(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 3, 30, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(model.JobRunStale + time.Minute)
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: now}); err != nil {
			t.Fatalf("a run after a stale one: %v", err)
		}
	})
}

func TestRetentionPrunes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 3, 30, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		for _, c := range []model.Conversation{
			{OpenID: "o-old", Flow: "rsvp", Step: "ask", ExpiresAt: now.Add(-48 * time.Hour)},
			{OpenID: "o-live", Flow: "rsvp", Step: "ask", ExpiresAt: now.Add(time.Hour)},
		} {
			if err := db.SaveConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.PruneConversations(ctx, now.Add(-24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("prune conversations: %d, %v; want 1", n, err)
		}
		if _, err := db.GetConversation(ctx, "o-live"); err != nil {
			t.Fatalf("a live conversation was pruned: %v", err)
		}

		for k, ttl := range map[string]time.Duration{"a": time.Minute, "b": time.Hour, "c": 0} {
			if err := db.KVSet(ctx, k, "v", ttl); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(2 * time.Minute)
		if n, err := db.PruneKV(ctx, now); err != nil || n != 1 {
			t.Fatalf("prune kv: %d, %v; want 1", n, err)
		}
		for _, k := range []string{"b", "c"} {
			if _, err := db.KVGet(ctx, k); err != nil {
				t.Fatalf("kv %s was pruned: %v", k, err)
			}
		}
	})
}
