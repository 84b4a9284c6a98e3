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

// BenchmarkConversationTurn measures one turn of a conversation through
// the whole handler: each deputy answers an invitation with 请假 and then
// its reason (two turns, the second finishing the flow), 8 deputies at once.
//
//	go test ./bot -run '^$' -bench ConversationTurn -benchtime 2000x
func BenchmarkConversationTurn(b *testing.B) {
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storagetest.Open(b, d)
			r := newRig(b, db, rigOptions{mode: wechatsim.ModeSafe})
			ctx := context.Background()
			const clients = 8
			type member struct {
				u  *wechatsim.User
				id int64
			}
			var ms []member
			for i := 0; i < clients; i++ {
				openid := fmt.Sprintf("o-turn-%d", i)
				dep := boundDeputy(b, r, fmt.Sprintf("对话代表%d", i), fmt.Sprintf("1360000%04d", i), openid)
				ms = append(ms, member{r.sim.User(openid), dep.ID})
			}
			ids := make([]int64, len(ms))
			for i, m := range ms {
				ids[i] = m.id
			}
			mt := invite(b, db, "学习班", time.Now().Add(72*time.Hour), time.Now().Add(48*time.Hour), ids...)
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for _, m := range ms {
				wg.Add(1)
				go func(m member) {
					defer wg.Done()
					for {
						i := next.Add(2) - 2
						if i+1 >= int64(b.N) {
							return
						}
						if err := db.AddPendingAsk(ctx, m.id, "rsvp", mt.ID, "学习班"); err != nil {
							b.Error(err)
							return
						}
						for k, line := range []string{"请假", "外出调研"} {
							t0 := time.Now()
							rep, err := m.u.SendText(ctx, line)
							lat[i+int64(k)] = time.Since(t0)
							if err != nil || rep.Msg == nil {
								b.Errorf("turn %q: %v", line, err)
								return
							}
						}
					}
				}(m)
			}
			wg.Wait()
			b.StopTimer()
			lat = lat[:b.N-b.N%2]
			if len(lat) == 0 {
				return
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
