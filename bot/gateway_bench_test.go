package bot_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// BenchmarkCallback drives safe-mode text messages from bound deputies
// through the real /wechat handler (verify, decrypt, dedupe, router,
// encrypted reply) over HTTP, with 32 concurrent senders, on each database.
// It reports requests/s and latency percentiles.
//
//	go test ./bot -run '^$' -bench Callback -benchtime 3000x
func BenchmarkCallback(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			benchCallback(b, storagetest.Open(b, d), 32)
		})
	}
}

func benchCallback(b *testing.B, db *storage.DB, clients int) {
	r := newRig(b, db, rigOptions{mode: wechatsim.ModeSafe})
	ctx := context.Background()
	users := make([]*wechatsim.User, clients)
	for i := range users {
		openid := fmt.Sprintf("o-bench-%d", i)
		d := addDeputy(b, db, fmt.Sprintf("代表%d", i), fmt.Sprintf("1390000%04d", i))
		if err := db.BindDeputy(ctx, d.ID, openid); err != nil {
			b.Fatal(err)
		}
		users[i] = r.sim.User(openid)
		if _, err := users[i].Follow(ctx); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(u *wechatsim.User) {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				rep, err := u.SendText(ctx, "帮助")
				lat[i] = time.Since(t0)
				if err != nil || rep.Msg == nil {
					failed.Add(1)
				}
			}
		}(users[c])
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests got no reply", n, b.N)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
