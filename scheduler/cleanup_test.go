package scheduler

import (
	"context"
	"testing"
	"time"

	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestCleanupDeletesRowsPastTheirRetention(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock(at("2026-08-01 03:40"))
		db.SetClock(clk.Now)
		// Old rows, written 117 days before the run.
		if _, _, err := db.ClaimInbound(ctx, "msg-old", "o-1", "text", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveConversation(ctx, &storage.Conversation{OpenID: "o-1", Flow: "rsvp", Step: "ask", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.KVSet(ctx, "old", "v", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordJobRun(ctx, storage.JobRun{Job: "cleanup", ScheduledAt: clk.Now(), Status: storage.JobOK, FinishedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		// Recent rows, written a day before the run (job_runs: 76 days).
		clk.Set(at("2026-09-11 03:40"))
		if _, err := db.RecordJobRun(ctx, storage.JobRun{Job: "cleanup", ScheduledAt: clk.Now(), Status: storage.JobOK, FinishedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		clk.Set(at("2026-11-25 03:40"))
		if _, _, err := db.ClaimInbound(ctx, "msg-new", "o-2", "text", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveConversation(ctx, &storage.Conversation{OpenID: "o-2", Flow: "rsvp", Step: "ask", ExpiresAt: clk.Now().Add(48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.KVSet(ctx, "live", "v", 48*time.Hour); err != nil {
			t.Fatal(err)
		}

		clk.Set(at("2026-11-26 03:40"))
		s := newScheduler(t, db, clk, CleanupJob(db, Retention{}))
		run, err := s.RunNow(ctx, "cleanup")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"wechat_inbound": 1, "conversations": 1, "job_runs": 1, "kv": 1}
		for table, n := range want {
			if run.Counts[table] != n {
				t.Fatalf("counts %v, want %v", run.Counts, want)
			}
		}
		for _, table := range []string{"wechat_inbound", "conversations"} {
			if n, err := db.CountRows(ctx, table); err != nil || n != 1 {
				t.Fatalf("%s keeps %d rows, want 1 (%v)", table, n, err)
			}
		}
		if _, err := db.KVGet(ctx, "live"); err != nil {
			t.Fatalf("a live kv entry went: %v", err)
		}
		if rs := runs(t, db, "cleanup"); len(rs) != 2 {
			t.Fatalf("job runs left: %+v", rs)
		}
	})
}
