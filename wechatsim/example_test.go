package wechatsim_test

import (
	"context"
	"net/http/httptest"
	"time"

	"deputybot/wechatsim"
)

// Typical wiring in a deputybot test: the bot's wechat.api_base points at the
// simulator's server, and the simulator calls the bot's /wechat handler.
func Example() {
	sim := wechatsim.New(wechatsim.Config{
		AppID: "wx0123456789abcdef", AppSecret: "secret", Token: "token",
		EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		Mode:           wechatsim.ModeSafe,
	})
	defer sim.Close()
	wechatAPI := httptest.NewServer(sim.Handler()) // wechat.api_base = wechatAPI.URL
	defer wechatAPI.Close()

	// botServer := httptest.NewServer(yourHandlers)
	// sim.SetCallbackURL(botServer.URL + "/wechat")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	deputy := sim.User("sim-user-1")
	if _, err := deputy.Follow(ctx); err != nil {
		return // no callback set in this example
	}
	rep, _ := deputy.SendText(ctx, "我的建议")
	_ = rep.Msg // the passive reply, decrypted and verified
	// Wait for an asynchronous customer-service or template message:
	_, _ = sim.WaitFor(ctx, "sim-user-1", func(m wechatsim.Message) bool { return m.Kind == wechatsim.KindTemplate })
}
