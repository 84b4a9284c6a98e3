package wechatsim

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkTemplateSend measures accepted template sends per second through
// the HTTP API, with TEMPLATESENDJOBFINISH reports going to a callback.
func BenchmarkTemplateSend(b *testing.B) {
	for _, reports := range []bool{false, true} {
		b.Run(fmt.Sprintf("reports=%v", reports), func(b *testing.B) {
			s, _, api, _ := newTestSim(b, ModeSafe)
			s.SetJobFinishReports(reports)
			for i := 0; i < 100; i++ {
				s.User(fmt.Sprintf("d%d", i)).Follow(context.Background())
			}
			tok := token(b, api)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			var n atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					body := fmt.Sprintf(`{"touser":"d%d","template_id":"T","url":"https://example.org/h5/%d",`+
						`"data":{"thing1":{"value":"常委会会议"},"time2":{"value":"3月5日"}},"client_msg_id":"c%d"}`, i%100, i, i)
					resp, err := client.Post(api.URL+pathTemplate+"?access_token="+tok, "application/json", bytes.NewBufferString(body))
					if err != nil {
						b.Error(err)
						return
					}
					resp.Body.Close()
				}
			})
			_ = s.Flush(context.Background())
			b.StopTimer()
			if got := s.TemplateSends(); got != b.N {
				b.Fatalf("TemplateSends = %d, want %d", got, b.N)
			}
		})
	}
}
