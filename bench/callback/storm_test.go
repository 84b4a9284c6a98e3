package callback_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// stormClients is how many TEMPLATESENDJOBFINISH posts are in flight at
// once, as WeChat reports a campaign's sends in parallel.
const stormClients = 64

// BenchmarkStatusStorm posts TEMPLATESENDJOBFINISH events ("success"),
// signed and encrypted as WeChat does (wechatsim's user side, Deliver),
// as fast as the handler absorbs them, for deliveries seeded in bulk in
// the sent state: 2×N rows (N = BENCH_STORM_EVENTS, default 20,000), the
// first half reported to the reference handler (verify, decrypt, INSERT
// IGNORE, one UPDATE), the second to deputybot's full stack, in
// alternating rounds. It reports events/s and checks that every row
// ended delivered. The -benchtime is ignored beyond 1x: one storm is the
// measurement.
//
//	go test ./bench/callback -run '^$' -bench StatusStorm -benchtime 1x
func BenchmarkStatusStorm(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("BENCH_STORM_EVENTS")); err == nil && v > 0 {
		n = v
	}
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			bot := newSim(b, deputybotServer(b, db))
			ref := newSim(b, newReference(b, db))
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				base := seedSent(b, db, 2*n)
				b.StartTimer()
				benchStorm(b, db, n, base, bot, ref)
			}
		})
	}
}

// seedSent writes n deliveries in the sent state, openids o-storm-<i> and
// msgids base+i, with multi-row INSERTs; it returns base.
func seedSent(b *testing.B, db *storage.DB, n int) int64 {
	ctx := context.Background()
	now := time.Now().UTC()
	sqlDB := db.SQL()
	res, err := sqlDB.ExecContext(ctx, `INSERT INTO notices (kind, title, body, fields, created_at) VALUES (?, ?, ?, ?, ?)`,
		"general_notice", "全体代表通知", "正文", "{}", now)
	if err != nil {
		b.Fatal(err)
	}
	notice, _ := res.LastInsertId()
	base := 3_000_000_000 + notice*10_000_000
	const batch = 1000
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		var q strings.Builder
		q.WriteString(`INSERT INTO deliveries (source, notice_id, deputy_id, openid, status, msgid, next_at, created_at, sent_at) VALUES `)
		args := make([]any, 0, 9*(to-from))
		for i := from; i < to; i++ {
			if i > from {
				q.WriteString(",")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, fmt.Sprintf("storm%d", notice), notice, i+1, fmt.Sprintf("o-storm-%d", i),
				model.DeliverySent, base+int64(i), now, now, now)
		}
		if _, err := sqlDB.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	return base
}

func jobFinishXML(openid string, msgid int64, at time.Time) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[gh_deputybotsim]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"+
		"<MsgID>%d</MsgID><Status><![CDATA[success]]></Status></xml>", openid, at.Unix(), msgid))
}

func benchStorm(b *testing.B, db *storage.DB, n int, base int64, bot, ref *wechatsim.Sim) {
	ctx := context.Background()
	post := func(sim *wechatsim.Sim, offset int) func(_, i int) error {
		return func(_, i int) error {
			k := offset + i
			openid := fmt.Sprintf("o-storm-%d", k)
			rep, err := sim.User(openid).Deliver(ctx, jobFinishXML(openid, base+int64(k), time.Now()))
			if err == nil && rep.Msg != nil {
				err = fmt.Errorf("answered %q, want success", rep.Body)
			}
			return err
		}
	}
	var ours, refRun run
	for r := range rounds {
		from, to := r*n/rounds, (r+1)*n/rounds
		refRun.add(load(stormClients, to-from, post(ref, from)))
		ours.add(load(stormClients, to-from, post(bot, n+from)))
	}
	b.StopTimer()
	if ours.failed > 0 || refRun.failed > 0 {
		b.Fatalf("failed posts: deputybot %d (%v), reference %d (%v)", ours.failed, ours.firstErr, refRun.failed, refRun.firstErr)
	}
	count := func(from, to int64) int {
		var k int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE status = ? AND msgid >= ? AND msgid < ?`,
			model.DeliveryDelivered, from, to).Scan(&k); err != nil {
			b.Fatal(err)
		}
		return k
	}
	refRows, ourRows := count(base, base+int64(n)), count(base+int64(n), base+int64(2*n))
	if refRows != n || ourRows != n {
		b.Fatalf("rows delivered: deputybot %d, reference %d, want %d each", ourRows, refRows, n)
	}
	b.ReportMetric(ours.rate(), "events/s")
	b.ReportMetric(ours.pct(0.5), "p50-ms")
	b.ReportMetric(ours.pct(0.99), "p99-ms")
	b.ReportMetric(refRun.rate(), "ref-events/s")
	b.ReportMetric(ours.rate()/refRun.rate(), "ratio")
	b.Logf("%d events each, %d in flight; rows delivered: deputybot %d, reference %d\n  deputybot: %s\n  reference: %s\n  ratio %.2f",
		n, stormClients, ourRows, refRows, &ours, &refRun, ours.rate()/refRun.rate())
}
