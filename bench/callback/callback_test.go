package callback_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// rounds interleaves the reference and deputybot, so that a burst of other
// work on the machine falls on both.
const rounds = 4

// BenchmarkCallback sends safe-mode text messages ("帮助") from bound
// deputies at 8, 32 and 128 concurrent clients, through wechatsim's user
// side over HTTP, to deputybot's full /wechat stack (verify, decrypt, the
// router: one read of conversation and deputy, the follower touch at most
// once a minute, the dedupe record written with the reply in one
// statement — reads and writes shared with the callbacks arriving at the
// same time — encrypted reply) and to a minimal reference handler (verify, decrypt, one INSERT IGNORE,
// "success") on the same database, in alternating rounds. b.N is the
// number of requests each handler gets per client count.
//
//	go test ./bench/callback -run '^$' -bench Callback -benchtime 4000x
func BenchmarkCallback(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			bot := newSim(b, deputybotServer(b, db))
			ref := newSim(b, newReference(b, db))
			users := boundUsers(b, db, 128, bot, ref)
			for _, clients := range []int{8, 32, 128} {
				b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
					benchCallback(b, users, clients)
				})
			}
		})
	}
}

// pair is one deputy as seen by each simulator.
type pair struct{ bot, ref *wechatsim.User }

// boundUsers creates n deputies bound to openids that follow the account,
// in the database and in both simulators.
func boundUsers(b *testing.B, db *storage.DB, n int, bot, ref *wechatsim.Sim) []pair {
	ctx := context.Background()
	out := make([]pair, n)
	for i := range out {
		openid := fmt.Sprintf("o-bench-%d", i)
		d := model.Deputy{Name: fmt.Sprintf("代表%d", i), Delegation: "济南市代表团", Level: model.LevelProvincial,
			Phone: fmt.Sprintf("1390000%04d", i)}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			b.Fatal(err)
		}
		if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
			b.Fatal(err)
		}
		if err := db.RecordFollow(ctx, openid, true); err != nil {
			b.Fatal(err)
		}
		bot.AddFollowers(openid)
		ref.AddFollowers(openid)
		out[i] = pair{bot.User(openid), ref.User(openid)}
	}
	return out
}

func benchCallback(b *testing.B, users []pair, clients int) {
	ctx := context.Background()
	var ours, ref run
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r == rounds-1 {
			n = b.N - n*(rounds-1)
		}
		ref.add(load(clients, n, func(c, _ int) error {
			rep, err := users[c].ref.SendText(ctx, "帮助")
			if err == nil && rep.Msg != nil {
				err = errors.New("reference answered more than success")
			}
			return err
		}))
		ours.add(load(clients, n, func(c, _ int) error {
			rep, err := users[c].bot.SendText(ctx, "帮助")
			if err == nil && rep.Msg == nil {
				err = errors.New("no reply")
			}
			return err
		}))
	}
	b.StopTimer()
	if ours.failed > 0 || ref.failed > 0 {
		b.Fatalf("failed requests: deputybot %d (%v), reference %d (%v)", ours.failed, ours.firstErr, ref.failed, ref.firstErr)
	}
	b.ReportMetric(ours.rate(), "req/s")
	b.ReportMetric(ours.pct(0.5), "p50-ms")
	b.ReportMetric(ours.pct(0.99), "p99-ms")
	b.ReportMetric(ours.pct(1), "max-ms")
	b.ReportMetric(ref.rate(), "ref-req/s")
	b.ReportMetric(ref.pct(0.99), "ref-p99-ms")
	b.ReportMetric(ours.rate()/ref.rate(), "ratio")
	b.Logf("%d clients, %d requests each\n  deputybot: %s\n  reference: %s\n  ratio %.2f", clients, b.N, &ours, &ref, ours.rate()/ref.rate())
}
