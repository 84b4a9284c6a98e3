package scheduler

import (
	"context"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
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
		if err := db.SaveConversation(ctx, &model.Conversation{OpenID: "o-1", Flow: "rsvp", Step: "ask", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.KVSet(ctx, "old", "v", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: clk.Now(), Status: model.JobOK, FinishedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		// Recent rows, written a day before the run (job_runs: 76 days).
		clk.Set(at("2026-09-11 03:40"))
		if _, err := db.RecordJobRun(ctx, model.JobRun{Job: "cleanup", ScheduledAt: clk.Now(), Status: model.JobOK, FinishedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		clk.Set(at("2026-11-25 03:40"))
		if _, _, err := db.ClaimInbound(ctx, "msg-new", "o-2", "text", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveConversation(ctx, &model.Conversation{OpenID: "o-2", Flow: "rsvp", Step: "ask", ExpiresAt: clk.Now().Add(48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.KVSet(ctx, "live", "v", 48*time.Hour); err != nil {
			t.Fatal(err)
		}

		clk.Set(at("2026-11-26 03:40"))
		s := newScheduler(t, db, clk, CleanupJob(servicesOn(db, clk), core.Retention{}))
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

func TestCleanupPrunesParkedConversationsBindAttemptsReportsAndSessions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clk := newClock(at("2026-10-01 09:00"))
		db.SetClock(clk.Now)
		write := func(openid string, msgid int64, sessionFor time.Duration) {
			t.Helper()
			if err := db.SaveConversation(ctx, &model.Conversation{OpenID: openid, Flow: "rsvp", Step: "ask", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			c, err := db.GetConversation(ctx, openid)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.ParkConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
			if err := db.AddBindFailure(ctx, openid); err != nil {
				t.Fatal(err)
			}
			if err := db.RecordTemplateReport(ctx, msgid, openid, "success"); err != nil {
				t.Fatal(err)
			}
			if err := db.Sessions().CommitCtx(ctx, "tok-"+openid, []byte("{}"), clk.Now().Add(sessionFor)); err != nil {
				t.Fatal(err)
			}
		}
		// 56 days before the run: parked, attempts, reports and the
		// session (12 hours) all past their retention.
		write("o-old", 1001, 12*time.Hour)
		// 2 days before: all within, and the session still valid.
		clk.Set(at("2026-11-24 09:00"))
		write("o-new", 1002, 7*24*time.Hour)

		clk.Set(at("2026-11-26 03:40"))
		s := newScheduler(t, db, clk, CleanupJob(servicesOn(db, clk), core.Retention{}))
		run, err := s.RunNow(ctx, "cleanup")
		if err != nil {
			t.Fatal(err)
		}
		// Sessions are also pruned as new ones are written, so the old one
		// may be gone already: what counts is that only the live one is left.
		if n, err := db.CountRows(ctx, "sessions"); err != nil || n != 1 {
			t.Fatalf("sessions keeps %d rows, want 1 (%v)", n, err)
		}
		for _, table := range []string{"parked_conversations", "bind_attempts", "template_reports"} {
			if run.Counts[table] != 1 {
				t.Fatalf("%s: %d deleted, want 1 (counts %v)", table, run.Counts[table], run.Counts)
			}
			if n, err := db.CountRows(ctx, table); err != nil || n != 1 {
				t.Fatalf("%s keeps %d rows, want 1 (%v)", table, n, err)
			}
		}
		if _, err := db.TakeParked(ctx, "o-new"); err != nil {
			t.Fatalf("the recent parked conversation went: %v", err)
		}
		if _, ok, err := db.Sessions().FindCtx(ctx, "tok-o-new"); err != nil || !ok {
			t.Fatalf("the live session went: %v %v", ok, err)
		}
	})
}
