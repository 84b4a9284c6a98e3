package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"deputybot/core"
	"deputybot/handlers"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// consoleBudget is the limit on any page or API response.
const consoleBudget = 300 * time.Millisecond

// consoleBenchRequests is how many times each route is requested.
const consoleBenchRequests = 50

// BenchmarkConsole times the main console pages and API lists on a full
// registry: 5,000 deputies (nine in ten bound) and 200,000 deliveries over 21 campaigns
// (100,000 of them in one, for the progress page), meetings with their RSVP
// tables, suggestions with replies and ratings, and opinions. Each route is
// requested 50 times in a row; a p99 over 300 ms fails the benchmark.
//
//	go test ./handlers -run '^$' -bench Console -benchtime 1x -timeout 30m
func BenchmarkConsole(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			t0 := time.Now()
			fx := seedConsoleBench(b, db)
			b.Logf("%s: seeded in %s", d, time.Since(t0).Round(time.Millisecond))
			cb := newConsoleBench(b, db)
			cb.ref = newConsoleReference(b, db)
			routes := fx.routes()
			for b.Loop() { // seeded once, however many rounds
				cb.run(b, routes)
			}
		})
	}
}

// consoleFixture holds the ids of the seeded rows the routes name.
type consoleFixture struct {
	deputy, bigCampaign, meeting, suggestion, opinion int64
}

func (fx consoleFixture) routes() []string {
	big := fmt.Sprint(fx.bigCampaign)
	return []string{
		"/admin/",
		"/admin/deputies",
		"/admin/deputies?q=" + url.QueryEscape("王"),
		fmt.Sprintf("/admin/deputies/%d", fx.deputy),
		"/admin/campaigns",
		"/admin/campaigns/" + big,
		"/admin/campaigns/" + big + "?status=sent&page=200",
		"/admin/meetings",
		fmt.Sprintf("/admin/meetings/%d", fx.meeting),
		"/admin/suggestions",
		fmt.Sprintf("/admin/suggestions/%d", fx.suggestion),
		"/admin/suggestions/rates",
		"/admin/opinions",
		fmt.Sprintf("/admin/opinions/%d", fx.opinion),
		"/api/v1/deputies",
		"/api/v1/deputies?q=" + url.QueryEscape("王") + "&per_page=500",
		"/api/v1/campaigns",
		"/api/v1/campaigns/" + big,
		"/api/v1/campaigns/" + big + "/deliveries",
		"/api/v1/campaigns/" + big + "/deliveries?status=sent&page=200",
		"/api/v1/suggestions",
		"/api/v1/suggestions/rates",
		"/api/v1/opinions",
		fmt.Sprintf("/api/v1/meetings/%d", fx.meeting),
	}
}

// seedConsoleBench fills db in bulk: multi-row INSERTs in one transaction
// rather than the services' one-row paths, so a dialect seeds in seconds.
func seedConsoleBench(b *testing.B, db *storage.DB) consoleFixture {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	ds := core.SampleDeputies(5000, 1)
	for i := range ds {
		if i%10 != 9 { // nine in ten bound
			ds[i].OpenID = fmt.Sprintf("o-console-%05d", i)
			ds[i].BoundAt = &now
		}
	}
	if _, err := db.UpsertDeputies(ctx, ds); err != nil {
		b.Fatal(err)
	}
	ids := benchDeputyIDs(b, db)
	fx := consoleFixture{deputy: ids[2500]}
	fx.bigCampaign = seedCampaigns(b, db, ids, now)
	fx.meeting = seedMeetings(b, db, ids, now)
	fx.suggestion = seedSuggestions(b, db, ids, now)
	fx.opinion = seedOpinions(b, db, ids, now)
	return fx
}

func benchDeputyIDs(b *testing.B, db *storage.DB) []int64 {
	b.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT id FROM deputies ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != 5000 {
		b.Fatalf("deputies: %d, %v", len(ids), err)
	}
	return ids
}

// seedCampaigns writes 21 campaigns: one big one of 100,000 deliveries
// (the 5,000 deputies twenty times over, under twenty sources, as a daily
// series over twenty days would leave them) and twenty of 5,000, one a day
// over the last twenty days. Today's share is 10,000: the dashboard counts
// today's deliveries, and 5,000 deputies do not get 200,000 pushes a day.
func seedCampaigns(b *testing.B, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	var big int64
	var rows [][]any
	for c := range 21 {
		n := model.Notice{Kind: "general_notice", Title: fmt.Sprintf("全省代表学习班通知（第%d期）", c+1), Body: "定于3月10日在济南举办……"}
		camp := model.Campaign{Audience: model.Audience{All: true}}
		if err := db.CreateCampaign(ctx, &n, &camp); err != nil {
			b.Fatal(err)
		}
		status, sources := model.CampaignDone, 1
		if c == 20 {
			big, status, sources = camp.ID, model.CampaignSending, 20
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE campaigns SET status = ?, expanded_at = ? WHERE id = ?`, status, now, camp.ID); err != nil {
			b.Fatal(err)
		}
		for s := range sources {
			day := now.AddDate(0, 0, -max(s, c%20))
			for i, id := range ids {
				st, reason, errcode := benchDeliveryStatus(i + s)
				var sent any
				if st != model.DeliveryQueued && st != model.DeliverySkipped && st != model.DeliveryRetry {
					sent = day
				}
				rows = append(rows, []any{fmt.Sprintf("c%d-%d", camp.ID, s), camp.ID, n.ID, id, fmt.Sprintf("o-console-%05d", i),
					st, reason, errcode, "template", 1, day, day, sent})
			}
		}
	}
	bulkInsert(b, db, `INSERT INTO deliveries (source, campaign_id, notice_id, deputy_id, openid, status, reason, errcode,
		channel, attempts, next_at, created_at, sent_at) VALUES `, rows)
	return big
}

func benchDeliveryStatus(i int) (status, reason string, errcode int) {
	switch k := i % 100; {
	case k < 55:
		return model.DeliverySent, "", 0
	case k < 70:
		return model.DeliveryDelivered, "", 0
	case k < 80:
		return model.DeliveryRead, "", 0
	case k < 85:
		return model.DeliveryFailed, "用户拒收（43101）", 43101
	case k < 90:
		return model.DeliverySkipped, "未绑定", 0
	case k < 95:
		return model.DeliveryQueued, "", 0
	default:
		return model.DeliveryRetry, "系统繁忙", -1
	}
}

// seedMeetings writes ten meetings; the first invites every deputy and
// has a third of them answered.
func seedMeetings(b *testing.B, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	var first int64
	var rows [][]any
	for k := range 10 {
		m := model.Meeting{Kind: "inspection", Title: fmt.Sprintf("集中视察（第%d次）", k+1), StartsAt: now.Add(time.Duration(k+7) * 24 * time.Hour),
			Place: "济南", RSVPDeadline: now.Add(time.Duration(k+5) * 24 * time.Hour)}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			b.Fatal(err)
		}
		invitees := ids[:300]
		if k == 0 {
			first, invitees = m.ID, ids
		}
		for i, id := range invitees {
			status, reason := model.RSVPPending, ""
			var answered any
			switch i % 6 {
			case 0, 1:
				status, answered = model.RSVPAttend, now
			case 2:
				status, reason, answered = model.RSVPLeave, "另有公务", now
			}
			rows = append(rows, []any{m.ID, id, status, reason, "wechat", answered, now})
		}
	}
	bulkInsert(b, db, `INSERT INTO invitations (meeting_id, deputy_id, status, reason, channel, answered_at, invited_at) VALUES `, rows)
	return first
}

// seedSuggestions writes 1,000 suggestions over 30 host units; a third
// replied, a tenth concluded, with ratings by their lead deputies.
func seedSuggestions(b *testing.B, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	deadline := now.AddDate(0, 3, 0)
	batch := make([]model.NewSuggestion, 1000)
	for i := range batch {
		batch[i] = model.NewSuggestion{Suggestion: &model.Suggestion{Number: fmt.Sprintf("第%04d号", i+1),
			Title: fmt.Sprintf("关于改善农村公路的建议（%d）", i+1), Session: "十四届人大三次会议", LeadDeputyID: ids[i*5],
			HostUnit: fmt.Sprintf("省直单位%02d", i%30), Deadline: &deadline}, Seconders: []int64{ids[i*5+1], ids[i*5+2]}}
	}
	if err := db.CreateSuggestions(ctx, batch); err != nil {
		b.Fatal(err)
	}
	var ratings [][]any
	for i, n := range batch {
		s := n.Suggestion
		var status string
		switch i % 10 {
		case 0:
			status = model.SuggestionConcluded
		case 1, 2, 3:
			status = model.SuggestionReplied
		default:
			continue
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE suggestions SET status = ?, reply_category = 'B', reply_text = ?,
			replied_at = ? WHERE id = ?`, status, "已列入明年计划，逐步解决。", now, s.ID); err != nil {
			b.Fatal(err)
		}
		result := []string{model.RatingSatisfied, model.RatingBasic, model.RatingDissatisfied}[i%3]
		ratings = append(ratings, []any{s.ID, s.LeadDeputyID, model.ContactPhone, model.RatingSatisfied, result, "", now})
	}
	bulkInsert(b, db, `INSERT INTO suggestion_ratings (suggestion_id, deputy_id, contact, attitude, result, reason, rated_at) VALUES `, ratings)
	return batch[0].Suggestion.ID
}

// seedOpinions writes 5,000 opinions, one per deputy.
func seedOpinions(b *testing.B, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	cats := []string{"legislative", "supervision", "social", "other"}
	statuses := []string{"received", "answered", "closed"}
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{fmt.Sprintf("YJ2026-%05d", i+1), id, cats[i%4], "建议增加农村公交班次，方便群众出行。", statuses[i%3], "", "wechat",
			now.Add(-time.Duration(len(ids)-i) * time.Minute)}
	}
	bulkInsert(b, db, `INSERT INTO opinions (receipt, deputy_id, category, body, status, staff_reply, channel, created_at) VALUES `, rows)
	var first int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT MIN(id) FROM opinions`).Scan(&first); err != nil {
		b.Fatal(err)
	}
	return first
}

// bulkInsert writes rows with multi-row INSERTs of 500 rows (head ends in
// VALUES), in one transaction.
func bulkInsert(b *testing.B, db *storage.DB, head string, rows [][]any) {
	b.Helper()
	if len(rows) == 0 {
		return
	}
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
	for chunk := range slices.Chunk(rows, 500) {
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, len(chunk)*len(rows[0]))
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatalf("%s…: %v", head[:min(len(head), 40)], err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// consoleBench is the real console and API over the seeded database, an
// admin signed in to the console and an admin API token.
type consoleBench struct {
	srv     *httptest.Server
	console *http.Client
	token   string
	ref     string // the reference list's URL
}

// newConsoleReference serves the least a list page can do, measured in the
// same run as the routes: 50 deliveries read in primary-key order, encoded
// as JSON — no filter, no session, no token, no template, no count. Each
// route's p99 is reported against its p99.
func newConsoleReference(b *testing.B, db *storage.DB) string {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.SQL().QueryContext(r.Context(), `SELECT id, deputy_id, openid, status, reason FROM deliveries
			ORDER BY id LIMIT 50`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		type item struct {
			ID, Deputy             int64
			OpenID, Status, Reason string
		}
		var out []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.ID, &it.Deputy, &it.OpenID, &it.Status, &it.Reason); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out = append(out, it)
		}
		if len(out) != 50 {
			http.Error(w, "fewer than 50 deliveries", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	b.Cleanup(srv.Close)
	return srv.URL + "/ref/deliveries"
}

func newConsoleBench(b *testing.B, db *storage.DB) *consoleBench {
	b.Helper()
	ctx := context.Background()
	staff := core.NewStaff(db)
	staff.HashCost = bcrypt.MinCost
	a, _, err := staff.Create(ctx, core.NewAccount{Username: "bench", Name: "压测", Role: model.RoleAdmin, Password: testPassword})
	if err != nil {
		b.Fatal(err)
	}
	cb := &consoleBench{}
	if cb.token, _, err = staff.CreateToken(ctx, a, "压测"); err != nil {
		b.Fatal(err)
	}
	cb.srv = httptest.NewUnstartedServer(nil)
	log := slog.New(slog.DiscardHandler)
	d := handlers.AdminDeps{SessionStore: db.Sessions(), Log: log, PublicURL: "http://" + cb.srv.Listener.Addr().String(),
		Services: core.New(db, core.Options{})}
	cb.srv.Config.Handler = handlers.New(handlers.Deps{Log: log, DB: db, Admin: handlers.Admin(d), API: handlers.API(d)})
	cb.srv.Start()
	b.Cleanup(cb.srv.Close)
	jar, _ := cookiejar.New(nil)
	cb.console = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"username": {"bench"}, "password": {testPassword}}
	resp, err := cb.console.PostForm(cb.srv.URL+"/admin/login", form)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("login: %d", resp.StatusCode)
	}
	return cb
}

// run requests each route consoleBenchRequests times, logs a table of
// p50 and p99 per route and fails on a p99 over the budget.
func (cb *consoleBench) run(b *testing.B, routes []string) {
	b.Helper()
	var table strings.Builder
	fmt.Fprintf(&table, "\n%s\n%-62s %9s %9s %9s %7s\n", b.Name(), "route", "p50", "p99", "max", "p99/ref")
	timed := func(path string) []time.Duration {
		times := make([]time.Duration, consoleBenchRequests)
		for i := range times {
			t0 := time.Now()
			cb.get(b, path)
			times[i] = time.Since(t0)
		}
		slices.Sort(times)
		return times
	}
	// The reference before and after the routes; the faster of the two is
	// the yardstick, so that the ratio errs against deputybot.
	refTimes := timed(cb.ref)
	var worst time.Duration
	type result struct {
		path          string
		p50, p99, max time.Duration
	}
	var results []result
	for _, path := range routes {
		times := timed(path)
		results = append(results, result{path, percentile(times, 50), percentile(times, 99), times[len(times)-1]})
	}
	refAfter := timed(cb.ref)
	ref := min(percentile(refTimes, 99), percentile(refAfter, 99))
	fmt.Fprintf(&table, "%-62s %9s %9s %9s %7s\n", "reference: 50 deliveries by primary key, JSON",
		ms(percentile(refTimes, 50)), ms(ref), ms(max(refTimes[len(refTimes)-1], refAfter[len(refAfter)-1])), "1.0")
	for _, r := range results {
		path, p99 := r.path, r.p99
		fmt.Fprintf(&table, "%-62s %9s %9s %9s %7.1f\n", path, ms(r.p50), ms(p99), ms(r.max), float64(p99)/float64(ref))
		worst = max(worst, p99)
		if p99 > consoleBudget {
			b.Errorf("%s: p99 %s, over the %s budget", path, ms(p99), consoleBudget)
		}
	}
	// Printed rather than logged: the testing package cuts a benchmark's
	// log to its first lines.
	fmt.Print(table.String())
	b.ReportMetric(float64(worst)/float64(time.Millisecond), "worst-p99-ms")
	b.ReportMetric(float64(ref)/float64(time.Millisecond), "ref-p99-ms")
	b.ReportMetric(float64(worst)/float64(ref), "worst-p99/ref")
}

func (cb *consoleBench) get(b *testing.B, path string) {
	target := cb.srv.URL + path
	if strings.HasPrefix(path, "http") {
		target = path // the reference
	}
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	c := cb.console
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+cb.token)
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
}

// percentile returns the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	k := (len(sorted)*p + 99) / 100
	return sorted[max(k-1, 0)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
