package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// startSimProcess runs `deputybot sim` with args in the test and returns
// its base URL; the sim stops when the test ends.
func startSimProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"sim", "--addr", "127.0.0.1:0", "--mode", "plain", "--app-id", "wxsimtest",
			"--app-secret", "sec", "--callback", "http://127.0.0.1:1/wechat"}, args...), &out, &errb, nil)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("sim did not stop")
		}
	})
	apiBase := regexp.MustCompile(`DEPUTYBOT_WECHAT_API_BASE=(\S+)`)
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case code := <-done:
			t.Fatalf("sim exited with %d: %s", code, errb.String())
		default:
		}
		if m := apiBase.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("sim did not start: %s", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSimFaultsRefuseOrLeaveSendsUnansweredAndCountsThem(t *testing.T) {
	const path = "/cgi-bin/message/template/send"
	for _, tc := range []struct {
		name                string
		args                []string
		refused, unanswered int64
		accepted            int
	}{
		{"refused", []string{"--fault-rate", "1", "--fault-code", "-1"}, 3, 0, 0},
		// Carried out, then no answer: the caller times out, the messages went.
		{"unanswered", []string{"--timeout-rate", "1"}, 0, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := startSimProcess(t, append(tc.args, "--fault-path", path)...)
			resp, err := http.Post(base+"/admin/follow-many?prefix=o-&from=1&to=3", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			client, err := bot.NewClient(bot.ClientConfig{AppID: "wxsimtest", AppSecret: "sec", APIBase: base,
				Timeout: 300 * time.Millisecond}, storagetest.Open(t, storage.SQLite))
			if err != nil {
				t.Fatal(err)
			}
			for _, to := range []string{"o-1", "o-2", "o-3"} {
				msg := bot.TemplateMessage{ToUser: to, TemplateID: "TPL", ClientMsgID: "d-" + to,
					Data: []bot.TemplateField{{Key: "thing1", Value: "通知"}}}
				if _, err := client.SendTemplate(context.Background(), msg); err == nil {
					t.Fatalf("a send to %s succeeded; want the injected fault", to)
				}
			}
			var c simCounts
			// The unanswered count moves when the sim sees the caller gone.
			for deadline := time.Now().Add(5 * time.Second); ; {
				resp, err := http.Get(base + "/admin/counts?brief=1")
				if err != nil {
					t.Fatal(err)
				}
				c = simCounts{}
				err = json.NewDecoder(resp.Body).Decode(&c)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if c.TemplateUnanswered >= tc.unanswered || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if c.TemplateRequests != 3 || c.TemplateRefused != tc.refused || c.TemplateUnanswered != tc.unanswered ||
				c.TemplateSends != tc.accepted {
				t.Fatalf("counts %+v; want 3 requests, %d refused, %d unanswered, %d accepted", c, tc.refused, tc.unanswered, tc.accepted)
			}
		})
	}
}
