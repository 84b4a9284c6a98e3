package notify_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// BenchmarkBroadcast measures a campaign to many deputies (200,000 by
// default, BENCH_RECIPIENTS to change) on each database: the expansion
// time, then the dispatch rate with the rate limiter off against wechatsim
// (in the same process, over HTTP), CPU per 1,000 messages and the peak Go
// heap during the run (the simulator's own records included).
//
//	go test ./notify -run '^$' -bench Broadcast -benchtime 1x -timeout 60m
func BenchmarkBroadcast(b *testing.B) {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("BENCH_RECIPIENTS")); err == nil && v > 0 {
		n = v
	}
	for _, d := range storagetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchBroadcast(b, storagetest.Open(b, d), n)
			}
		})
	}
}

func benchBroadcast(b *testing.B, db *storage.DB, n int) {
	ctx := context.Background()
	r := newRig(b, db, notify.Config{BatchSize: 500, Workers: 32, DailyQuota: 2 * n}, 10*time.Second)
	r.sim.SetJobFinishReports(false)
	r.sim.SetDailyQuota(2 * n)
	deputies := make([]model.Deputy, 0, 5000)
	openids := make([]string, 0, 5000)
	flush := func() {
		if _, err := db.UpsertDeputies(ctx, deputies); err != nil {
			b.Fatal(err)
		}
		r.sim.AddFollowers(openids...)
		deputies, openids = deputies[:0], openids[:0]
	}
	for i := 1; i <= n; i++ {
		openid := fmt.Sprintf("o-bench-%07d", i)
		deputies = append(deputies, model.Deputy{Name: fmt.Sprintf("代表%07d", i), Delegation: "济南市代表团",
			Level: model.LevelProvincial, Phone: fmt.Sprintf("13%09d", i), OpenID: openid})
		openids = append(openids, openid)
		if len(deputies) == cap(deputies) {
			flush()
		}
	}
	flush()
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.ResetTimer()
	c, err := r.out.CreateCampaign(ctx, general("全体代表通知"), model.Audience{All: true}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if _, err := r.out.ExpandDue(ctx); err != nil {
		b.Fatal(err)
	}
	expand := time.Since(t0)
	u0 := cpuSeconds()
	t1 := time.Now()
	for {
		k, err := r.disp.DispatchOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	dispatch := time.Since(t1)
	cpu := cpuSeconds() - u0
	close(stop)
	b.StopTimer()
	counts, _ := db.CampaignCounts(ctx, c.ID)
	if counts[model.DeliverySent] != n {
		b.Fatalf("counts %v, want %d sent", counts, n)
	}
	b.ReportMetric(expand.Seconds(), "expand-s")
	b.ReportMetric(float64(n)/dispatch.Seconds(), "msgs/s")
	b.ReportMetric(cpu/float64(n)*1000, "cpu-s/1k")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
