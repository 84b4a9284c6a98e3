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
	"os"
	"regexp"
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

// consoleBenchRequests is how many times each route is requested.
const consoleBenchRequests = 50

// BenchmarkConsole times every console page and API list on a registry at
// the scale of issue 18: 5,000 deputies (nine in ten bound); 200,000
// deliveries over 21 campaigns (100,000 of them in one, for the progress
// page and its unfiltered first page); 100 meetings with their RSVP tables;
// 20,000 suggestions (a quarter drafted by deputies) with their deputies,
// steps and ratings; 50,000 opinions; 50,000 messages; 100 stations with
// 20,000 public opinions; 50 surveys; 1,000 materials; 100,000 audit
// entries. Each route is requested 50 times in a row and its p50/p99 printed
// next to a minimal reference list served in the same run; the figures go
// to docs/benchmarks.md, the benchmark asserts no timing.
//
//	go test ./handlers -run '^$' -bench Console -benchtime 1x -timeout 30m
//
// CONSOLE_ROUTES, a regular expression, keeps only the routes it matches.
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
			if re := os.Getenv("CONSOLE_ROUTES"); re != "" {
				keep := regexp.MustCompile(re)
				routes = slices.DeleteFunc(routes, func(r string) bool { return !keep.MatchString(r) })
			}
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
		"/admin/suggestions/review",
		"/api/v1/suggestions?source=deputy",
		"/admin/messages",
		"/api/v1/messages",
		"/admin/public-opinions",
		"/api/v1/public-opinions",
		"/admin/stations",
		"/api/v1/stations",
		"/admin/surveys",
		"/api/v1/surveys",
		"/api/v1/meetings",
		"/admin/materials",
		"/api/v1/materials",
		"/admin/audit",
		"/api/v1/audit",
		"/api/v1/dashboard",
		"/admin/campaigns/" + big + "/progress",
	}
}

// seedConsoleBench fills db in bulk: multi-row INSERTs in one transaction
// rather than the services' one-row paths, so a dialect seeds in seconds.
func seedConsoleBench(b testing.TB, db *storage.DB) consoleFixture {
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
	ids := benchIDs(b, db, `SELECT id FROM deputies ORDER BY id`, 5000)
	fx := consoleFixture{deputy: ids[2500]}
	fx.bigCampaign = seedCampaigns(b, db, ids, now)
	fx.meeting = seedMeetings(b, db, ids, now)
	fx.suggestion = seedSuggestions(b, db, ids, now)
	fx.opinion = seedOpinions(b, db, ids, now)
	seedMessages(b, db, ids, now)
	seedStations(b, db, ids, now)
	seedSurveys(b, db, ids, now)
	seedMaterials(b, db, now)
	seedAudit(b, db, now)
	return fx
}

// seedCampaigns writes 21 campaigns: one big one of 100,000 deliveries
// (the 5,000 deputies twenty times over, under twenty sources, as a daily
// series over twenty days would leave them) and twenty of 5,000, one a day
// over the last twenty days. Today's share is 10,000: the dashboard counts
// today's deliveries, and 5,000 deputies do not get 200,000 pushes a day.
func seedCampaigns(b testing.TB, db *storage.DB, ids []int64, now time.Time) int64 {
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
	// Written in bulk, past storage: the kept counts are recounted.
	if _, err := db.RecountCampaigns(ctx); err != nil {
		b.Fatal(err)
	}
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

// seedMeetings writes 100 meetings (the others invite 300 deputies each); the first invites every deputy and
// has a third of them answered.
func seedMeetings(b testing.TB, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	var first int64
	var rows [][]any
	for k := range 100 {
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

// seedSuggestions writes 20,000 suggestions over 30 host units, each with
// its lead deputy and two seconders and its handling steps. Three in four
// come from staff (assigned, handling, replied, concluded, rehandling; the
// replied and concluded rated by their lead deputies); one in four was
// drafted by a deputy (draft, submitted, returned, merged, or accepted and
// assigned).
func seedSuggestions(b testing.TB, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	const n = 20000
	deadline := now.AddDate(0, 3, 0).Format("2006-01-02")
	staffStatus := []string{model.SuggestionAssigned, model.SuggestionHandling, model.SuggestionReplied, model.SuggestionConcluded,
		model.SuggestionHandling, model.SuggestionReplied, model.SuggestionRehandling, model.SuggestionAssigned}
	deputyStatus := []string{model.SuggestionDraft, model.SuggestionSubmitted, model.SuggestionReturned, model.SuggestionMerged,
		model.SuggestionAssigned, model.SuggestionSubmitted}
	status := func(i int) (string, string) {
		if i%4 == 3 {
			return model.SourceDeputy, deputyStatus[(i/4)%len(deputyStatus)]
		}
		return model.SourceStaff, staffStatus[i%len(staffStatus)]
	}
	rows := make([][]any, n)
	for i := range rows {
		src, st := status(i)
		at := now.Add(-time.Duration(n-i) * 10 * time.Minute)
		var replied, submitted any
		replyCat, replyText := "", ""
		if st == model.SuggestionReplied || st == model.SuggestionConcluded {
			replied, replyCat, replyText = at.Add(time.Hour), "B", "已列入明年计划，逐步解决。"
		}
		if src == model.SourceDeputy && st != model.SuggestionDraft {
			submitted = at
		}
		rows[i] = []any{fmt.Sprintf("第%05d号", i+1), fmt.Sprintf("关于改善农村公路的建议（%d）", i+1), "", "十四届人大三次会议",
			ids[i%len(ids)], fmt.Sprintf("省直单位%02d", i%30), "", st, deadline, replyCat, replyText, replied, "", src, submitted, at, at}
	}
	bulkInsert(b, db, `INSERT INTO suggestions (number, title, summary, session, lead_deputy_id, host_unit, co_units, status, deadline,
		reply_category, reply_text, replied_at, rehandle_reason, source, submitted_at, created_at, updated_at) VALUES `, rows)
	sids := benchIDs(b, db, `SELECT id FROM suggestions ORDER BY id`, n)
	var people, steps, ratings [][]any
	for i, sid := range sids {
		src, st := status(i)
		at := now.Add(-time.Duration(n-i) * 10 * time.Minute)
		lead := ids[i%len(ids)]
		people = append(people, []any{sid, lead, "lead"}, []any{sid, ids[(i+1)%len(ids)], "seconder"}, []any{sid, ids[(i+2)%len(ids)], "seconder"})
		if src == model.SourceDeputy {
			if st == model.SuggestionDraft {
				continue
			}
			steps = append(steps, []any{sid, at, model.StepSubmitted, "代表", ""})
			switch st {
			case model.SuggestionReturned:
				steps = append(steps, []any{sid, at.Add(time.Hour), model.StepReturned, "工作人员", "请补充调研情况"})
				continue
			case model.SuggestionMerged:
				steps = append(steps, []any{sid, at.Add(time.Hour), model.StepMerged, "工作人员", "并入第00001号"})
				continue
			case model.SuggestionSubmitted:
				continue
			}
		}
		steps = append(steps, []any{sid, at, model.StepAssigned, "工作人员", fmt.Sprintf("省直单位%02d", i%30)})
		if st == model.SuggestionReplied || st == model.SuggestionConcluded {
			steps = append(steps, []any{sid, at.Add(time.Hour), model.StepReplied, fmt.Sprintf("省直单位%02d", i%30), "B"})
			result := []string{model.RatingSatisfied, model.RatingBasic, model.RatingDissatisfied}[i%3]
			ratings = append(ratings, []any{sid, lead, model.ContactPhone, model.RatingSatisfied, result, "", now})
		}
		if st == model.SuggestionConcluded {
			steps = append(steps, []any{sid, at.Add(2 * time.Hour), model.StepConcluded, "工作人员", ""})
		}
	}
	bulkInsert(b, db, `INSERT INTO suggestion_deputies (suggestion_id, deputy_id, role) VALUES `, people)
	bulkInsert(b, db, `INSERT INTO suggestion_steps (suggestion_id, at, kind, actor, note) VALUES `, steps)
	bulkInsert(b, db, `INSERT INTO suggestion_ratings (suggestion_id, deputy_id, contact, attitude, result, reason, rated_at) VALUES `, ratings)
	// The bulk statements bypass storage, which keeps the counts: they are
	// rebuilt as `deputybot migrate recount` does.
	if _, err := db.RecountSuggestions(context.Background()); err != nil {
		b.Fatal(err)
	}
	return sids[0]
}

// benchIDs reads the ids a query returns and checks there are want.
func benchIDs(b testing.TB, db *storage.DB, q string, want int) []int64 {
	b.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), q)
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
	if err := rows.Err(); err != nil || len(ids) != want {
		b.Fatalf("%s: %d rows, want %d, %v", q, len(ids), want, err)
	}
	return ids
}

// seedOpinions writes 50,000 opinions, ten per deputy, over the last 35 days.
func seedOpinions(b testing.TB, db *storage.DB, ids []int64, now time.Time) int64 {
	b.Helper()
	const n = 50000
	cats := []string{"legislative", "supervision", "social", "other"}
	statuses := []string{"received", "answered", "closed"}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("YJ2026-%05d", i+1), ids[i%len(ids)], cats[i%4], "建议增加农村公交班次，方便群众出行。", statuses[i%3], "", "wechat",
			now.Add(-time.Duration(n-i) * time.Minute)}
	}
	bulkInsert(b, db, `INSERT INTO opinions (receipt, deputy_id, category, body, status, staff_reply, channel, created_at) VALUES `, rows)
	return benchIDs(b, db, `SELECT id FROM opinions ORDER BY id`, n)[0]
}

// seedMessages writes 50,000 messages (留言), three in five from bound
// deputies and the rest from the public, over the last 35 days, most of
// them answered or closed.
func seedMessages(b testing.TB, db *storage.DB, ids []int64, now time.Time) {
	b.Helper()
	const n = 50000
	statuses := []string{model.MessageReplied, model.MessageClosed, model.MessageReplied, model.MessageUnread, model.MessageClosed}
	rows := make([][]any, n)
	for i := range rows {
		at := now.Add(-time.Duration(n-i) * time.Minute)
		openid, deputy := fmt.Sprintf("o-public-%05d", i%20000), any(nil)
		if i%5 < 3 {
			k := (i * 7) % len(ids)
			if k%10 == 9 {
				k--
			}
			openid, deputy = fmt.Sprintf("o-console-%05d", k), ids[k]
		}
		st := statuses[i%len(statuses)]
		var replied, closed any
		switch st {
		case model.MessageReplied:
			replied = at.Add(time.Hour)
		case model.MessageClosed:
			replied, closed = at.Add(time.Hour), at.Add(2*time.Hour)
		}
		rows[i] = []any{fmt.Sprintf("LY2026-%05d", i+1), openid, deputy, model.MessageText, "我们村的路灯坏了很久，请帮忙反映。", st, at, replied, closed}
	}
	bulkInsert(b, db, `INSERT INTO messages (receipt, openid, deputy_id, kind, body, status, created_at, replied_at, closed_at) VALUES `, rows)
}

// seedStations writes 100 liaison stations of ten deputies each and
// 20,000 public opinions left at them over the last 20 days.
func seedStations(b testing.TB, db *storage.DB, ids []int64, now time.Time) {
	b.Helper()
	var stations, members, ops [][]any
	for k := range 100 {
		stations = append(stations, []any{fmt.Sprintf("第%03d代表联络站", k+1), "济南市历下区", fmt.Sprintf("代表团%02d", k%16), "张主任", "0531-8888000", now, now})
	}
	bulkInsert(b, db, `INSERT INTO stations (name, address, delegation, contact_name, contact_phone, created_at, updated_at) VALUES `, stations)
	sids := benchIDs(b, db, `SELECT id FROM stations ORDER BY id`, 100)
	for k, sid := range sids {
		for j := range 10 {
			members = append(members, []any{sid, ids[k*10+j]})
		}
	}
	bulkInsert(b, db, `INSERT INTO station_deputies (station_id, deputy_id) VALUES `, members)
	const n = 20000
	for i := range n {
		st := model.PublicOpinionStatuses[i%len(model.PublicOpinionStatuses)]
		ops = append(ops, []any{fmt.Sprintf("QY2026-%05d", i+1), sids[i%len(sids)], fmt.Sprintf("o-public-%05d", i%20000),
			model.PublicOpinionCategories[i%len(model.PublicOpinionCategories)], "小区门口的路口需要红绿灯。", "王先生", "", st,
			now.Add(-time.Duration(n-i) * 90 * time.Second)})
	}
	bulkInsert(b, db, `INSERT INTO public_opinions (receipt, station_id, openid, category, body, name, phone, status, created_at) VALUES `, ops)
}

// seedSurveys writes 50 surveys of five questions, each answered by a
// thousand deputies (only the participation: the list counts it).
func seedSurveys(b testing.TB, db *storage.DB, ids []int64, now time.Time) {
	b.Helper()
	var surveys, questions, parts [][]any
	for k := range 50 {
		opens := now.AddDate(0, 0, -2*k-3)
		surveys = append(surveys, []any{fmt.Sprintf("代表履职情况问卷（第%d期）", k+1), "请如实填写。", k % 2, opens, opens.AddDate(0, 0, 7), opens})
	}
	bulkInsert(b, db, `INSERT INTO surveys (title, intro, anonymous, opens_at, closes_at, created_at) VALUES `, surveys)
	svids := benchIDs(b, db, `SELECT id FROM surveys ORDER BY id`, 50)
	for k, sv := range svids {
		for q := range 5 {
			questions = append(questions, []any{sv, q + 1, "single", fmt.Sprintf("第%d题", q+1), `["满意","基本满意","不满意"]`})
		}
		for j := range 1000 {
			parts = append(parts, []any{sv, ids[(k*100+j)%len(ids)], now})
		}
	}
	bulkInsert(b, db, `INSERT INTO survey_questions (survey_id, position, kind, text, options) VALUES `, questions)
	bulkInsert(b, db, `INSERT INTO survey_participants (survey_id, deputy_id, answered_at) VALUES `, parts)
}

// seedMaterials writes 1,000 published study materials (without their
// search index: the lists time the unfiltered page).
func seedMaterials(b testing.TB, db *storage.DB, now time.Time) {
	b.Helper()
	rows := make([][]any, 1000)
	for i := range rows {
		at := now.Add(-time.Duration(1000-i) * time.Hour)
		rows[i] = []any{fmt.Sprintf("学习材料（第%d篇）", i+1), "摘要", "", "正文", at, at, model.MaterialPublished, "法律法规", "bench", at}
	}
	bulkInsert(b, db, `INSERT INTO materials (title, summary, link, body, published_at, created_at, status, category, created_by, updated_at) VALUES `, rows)
}

// seedAudit writes 100,000 audit entries over the last 100 days.
func seedAudit(b testing.TB, db *storage.DB, now time.Time) {
	b.Helper()
	const n = 100000
	actions := []string{"deputy.update", "campaign.create", "meeting.create", "suggestion.reply", "opinion.reply", "message.reply"}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{now.Add(-time.Duration(n-i) * 86 * time.Second), nil, "工作人员", actions[i%len(actions)], fmt.Sprintf("x/%d", i), "更新", "console"}
	}
	bulkInsert(b, db, `INSERT INTO audit_log (at, staff_id, staff_name, action, object, summary, via) VALUES `, rows)
}

// bulkInsert writes rows with multi-row INSERTs of 500 rows (head ends in
// VALUES), in one transaction.
func bulkInsert(b testing.TB, db *storage.DB, head string, rows [][]any) {
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

func newConsoleBench(b testing.TB, db *storage.DB) *consoleBench {
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

// run requests each route consoleBenchRequests times and prints a table
// of p50 and p99 per route against the reference.
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
	}
	// Printed rather than logged: the testing package cuts a benchmark's
	// log to its first lines.
	fmt.Print(table.String())
	b.ReportMetric(float64(worst)/float64(time.Millisecond), "worst-p99-ms")
	b.ReportMetric(float64(ref)/float64(time.Millisecond), "ref-p99-ms")
	b.ReportMetric(float64(worst)/float64(ref), "worst-p99/ref")
}

func (cb *consoleBench) get(b testing.TB, path string) {
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
