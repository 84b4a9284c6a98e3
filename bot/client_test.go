package bot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// clientClock is the injected clock of the simulator.
type clientClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clientClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clientClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// clientEnv is one simulated WeChat account and a database.
type clientEnv struct {
	sim   *wechatsim.Sim
	api   *httptest.Server
	clock *clientClock
	db    *storage.DB
	cfg   bot.ClientConfig
}

// newClientEnv starts a simulator (with an AppID of its own, so parallel
// tests never share a token lock) serving at the root of an httptest server.
func newClientEnv(t *testing.T, db *storage.DB) *clientEnv {
	t.Helper()
	sum := sha256.Sum256([]byte(t.Name()))
	clock := &clientClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	// The bot's callback is not under test here; it only has to accept.
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "success")
	}))
	t.Cleanup(callback.Close)
	sim := wechatsim.New(wechatsim.Config{
		AppID:       "wx" + hex.EncodeToString(sum[:8]),
		AppSecret:   "secret-" + hex.EncodeToString(sum[8:12]),
		Now:         clock.Now,
		CallbackURL: callback.URL,
	})
	sim.SetJobFinishReports(false)
	t.Cleanup(sim.Close)
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	if db == nil {
		db = storagetest.Open(t, storage.SQLite)
	}
	sc := sim.Config()
	return &clientEnv{sim: sim, api: api, clock: clock, db: db, cfg: bot.ClientConfig{
		AppID: sc.AppID, AppSecret: sc.AppSecret, Token: sc.Token, EncodingAESKey: sc.EncodingAESKey,
		APIBase: api.URL, Timeout: 5 * time.Second,
	}}
}

func (e *clientEnv) client(t *testing.T) *bot.Client {
	t.Helper()
	c, err := bot.NewClient(e.cfg, e.db)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// follower creates a user who follows and has just written, so both
// template and customer-service messages reach them.
func (e *clientEnv) follower(t *testing.T, openid string) {
	t.Helper()
	ctx := context.Background()
	u := e.sim.User(openid)
	if _, err := u.Follow(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := u.SendText(ctx, "你好"); err != nil {
		t.Fatal(err)
	}
}

func (e *clientEnv) last(t *testing.T, openid, kind string) wechatsim.Message {
	t.Helper()
	var found []wechatsim.Message
	for _, m := range e.sim.Messages(openid) {
		if m.Kind == kind {
			found = append(found, m)
		}
	}
	if len(found) == 0 {
		t.Fatalf("no %s message recorded", kind)
	}
	return found[len(found)-1]
}

func notice(openid, clientMsgID string) bot.TemplateMessage {
	return bot.TemplateMessage{
		ToUser: openid, TemplateID: "TPL_MEETING", URL: "https://deputy.example.cn/h5/m/1",
		Data: []bot.TemplateField{
			{Key: "thing1", Value: "常委会第十二次会议"},
			{Key: "time2", Value: "2026年3月5日 09:00"},
		},
		ClientMsgID: clientMsgID,
	}
}

func TestSendTemplate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	c := e.client(t)
	e.follower(t, "o-deputy-1")

	t.Run("returns the msgid and WeChat records every field in order", func(t *testing.T) {
		id, err := c.SendTemplate(ctx, notice("o-deputy-1", ""))
		if err != nil {
			t.Fatal(err)
		}
		m := e.last(t, "o-deputy-1", wechatsim.KindTemplate)
		if id == 0 || m.MsgID != id {
			t.Fatalf("msgid %d, recorded %d", id, m.MsgID)
		}
		if m.TemplateID != "TPL_MEETING" || m.URL != "https://deputy.example.cn/h5/m/1" {
			t.Fatalf("recorded template %q url %q", m.TemplateID, m.URL)
		}
		if got := strings.Join(m.FieldOrder, ","); got != "thing1,time2" && got != "time2,thing1" {
			t.Fatalf("field order %q", got)
		}
		if m.Fields["thing1"] != "常委会第十二次会议" || m.Fields["time2"] != "2026年3月5日 09:00" {
			t.Fatalf("fields %v", m.Fields)
		}
	})

	t.Run("the same client_msg_id twice sends one message", func(t *testing.T) {
		before := e.sim.TemplateSends()
		id1, err1 := c.SendTemplate(ctx, notice("o-deputy-1", "delivery-42"))
		id2, err2 := c.SendTemplate(ctx, notice("o-deputy-1", "delivery-42"))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if id1 != id2 {
			t.Fatalf("msgids %d and %d differ", id1, id2)
		}
		if got := e.sim.TemplateSends() - before; got != 1 {
			t.Fatalf("%d template sends, want 1", got)
		}
	})

	t.Run("a missing recipient is refused before any call", func(t *testing.T) {
		_, err := c.SendTemplate(ctx, notice("", ""))
		if bot.Classify(err) != bot.ClassPermanent {
			t.Fatalf("got %v, want a permanent error", err)
		}
	})
}

func TestTokenIsSharedThroughTheDatabase(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newClientEnv(t, db)
		e.follower(t, "o-deputy-1")
		a, b := e.client(t), e.client(t)

		// Both instances start cold and send at once.
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			c := a
			if i%2 == 1 {
				c = b
			}
			wg.Go(func() {
				_, err := c.SendTemplate(ctx, notice("o-deputy-1", fmt.Sprintf("m%d", i)))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := e.sim.TokenFetches(); n != 1 {
			t.Fatalf("%d token fetches, want 1", n)
		}
		ta, _ := a.AccessToken(ctx)
		tb, _ := b.AccessToken(ctx)
		if ta == "" || ta != tb {
			t.Fatal("the two clients hold different tokens")
		}
		if v, err := db.KVGet(ctx, "wechat:access_token:"+e.cfg.AppID); err != nil || v != ta {
			t.Fatalf("the database holds %v, %v", v != "", err)
		}

		// A third instance started later reads it from the database.
		if _, err := e.client(t).AccessToken(ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.sim.TokenFetches(); n != 1 {
			t.Fatalf("%d token fetches after a new instance, want 1", n)
		}
	})
}

func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name        string
		break_      func(e *clientEnv)
		wantFetches int
		wantErr     bool
		wantClass   bot.ErrClass
	}{
		{
			name:        "an expired token is replaced and the call succeeds",
			break_:      func(e *clientEnv) { e.sim.ExpireTokens() },
			wantFetches: 2,
		},
		{
			name:        "two hours later the token has expired and is replaced",
			break_:      func(e *clientEnv) { e.clock.Advance(2*time.Hour + time.Second) },
			wantFetches: 2,
		},
		{
			// stable_token hands back the same (still valid) token, so the
			// client has to force a new one.
			name: "a token WeChat calls invalid once is force-refreshed",
			break_: func(e *clientEnv) {
				e.sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/message/template/send", ErrCode: 40001, Count: 1})
			},
			wantFetches: 3,
		},
		{
			name: "a token rejected again after the refresh gives up with ClassTokenInvalid",
			break_: func(e *clientEnv) {
				e.sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/message/template/send", ErrCode: 42001})
			},
			wantFetches: 3,
			wantErr:     true,
			wantClass:   bot.ClassTokenInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newClientEnv(t, nil)
			c := e.client(t)
			e.follower(t, "o-deputy-1")
			if _, err := c.AccessToken(ctx); err != nil {
				t.Fatal(err)
			}
			tt.break_(e)
			_, err := c.SendTemplate(ctx, notice("o-deputy-1", ""))
			if !tt.wantErr && err != nil {
				t.Fatalf("send after refresh: %v", err)
			}
			if tt.wantErr && (err == nil || bot.Classify(err) != tt.wantClass) {
				t.Fatalf("got %v, want class %s", err, tt.wantClass)
			}
			if n := e.sim.TokenFetches(); n != tt.wantFetches {
				t.Fatalf("%d token fetches, want %d", n, tt.wantFetches)
			}
		})
	}
}

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const tplPath = "/cgi-bin/message/template/send"
	tests := []struct {
		name     string
		fault    wechatsim.Fault
		timeout  time.Duration
		openid   string
		want     bot.ErrClass
		wantCode int
	}{
		{name: "not following is permanent", fault: wechatsim.Fault{Path: tplPath, ErrCode: 43004}, want: bot.ClassPermanent, wantCode: 43004},
		{name: "system busy is retryable", fault: wechatsim.Fault{Path: tplPath, ErrCode: -1}, want: bot.ClassRetryable, wantCode: -1},
		{name: "the frequency limit is retryable", fault: wechatsim.Fault{Path: tplPath, ErrCode: 45009}, want: bot.ClassRetryable, wantCode: 45009},
		{name: "a refused message is permanent", fault: wechatsim.Fault{Path: tplPath, ErrCode: 43101}, want: bot.ClassPermanent, wantCode: 43101},
		{name: "an unknown openid is permanent", openid: "o-nobody", want: bot.ClassPermanent, wantCode: 40003},
		{
			name:    "a timeout after WeChat read the request is unknown",
			fault:   wechatsim.Fault{Path: tplPath, TimeoutAfterRead: true, Count: 1},
			timeout: 300 * time.Millisecond,
			want:    bot.ClassUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newClientEnv(t, nil)
			if tt.timeout > 0 {
				e.cfg.Timeout = tt.timeout
			}
			c := e.client(t)
			e.follower(t, "o-deputy-1")
			if _, err := c.AccessToken(ctx); err != nil {
				t.Fatal(err)
			}
			e.sim.AddFault(tt.fault)
			openid := tt.openid
			if openid == "" {
				openid = "o-deputy-1"
			}
			_, err := c.SendTemplate(ctx, notice(openid, "d-1"))
			var ae *bot.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an *APIError", err)
			}
			if ae.Class != tt.want || bot.Classify(err) != tt.want || ae.Code != tt.wantCode {
				t.Fatalf("got %v (class %s, code %d), want class %s code %d", err, ae.Class, ae.Code, tt.want, tt.wantCode)
			}
			if ae.Op != "message/template/send" {
				t.Fatalf("op %q", ae.Op)
			}
			if strings.Contains(err.Error(), openid) || strings.Contains(err.Error(), "access_token=") {
				t.Fatalf("error text leaks the openid or token: %v", err)
			}
		})
	}
}

func TestRetryAfterUnknownSendsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	e.cfg.Timeout = 300 * time.Millisecond
	c := e.client(t)
	e.follower(t, "o-deputy-1")
	e.sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/message/template/send", TimeoutAfterRead: true, Count: 1})

	_, err := c.SendTemplate(ctx, notice("o-deputy-1", "delivery-7"))
	if bot.Classify(err) != bot.ClassUnknown {
		t.Fatalf("first attempt: %v, want ClassUnknown", err)
	}
	id, err := c.SendTemplate(ctx, notice("o-deputy-1", "delivery-7"))
	if err != nil {
		t.Fatal(err)
	}
	if m := e.last(t, "o-deputy-1", wechatsim.KindTemplate); m.MsgID != id {
		t.Fatalf("retry returned msgid %d, WeChat recorded %d", id, m.MsgID)
	}
	if n := e.sim.TemplateSends(); n != 1 {
		t.Fatalf("%d messages went out, want 1", n)
	}
}

func TestConnectionRefusedIsRetryable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	if _, err := e.client(t).AccessToken(ctx); err != nil {
		t.Fatal(err)
	}
	e.api.Close() // nothing listens any more: the request is never written
	// A new instance finds the token in the database and fails to connect.
	err := e.client(t).SendText(ctx, "o-deputy-1", "您好")
	if bot.Classify(err) != bot.ClassRetryable {
		t.Fatalf("got %v, want ClassRetryable", err)
	}
}

func TestCustomerMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	c := e.client(t)
	e.follower(t, "o-deputy-1")

	t.Run("text, news and menu reach a user who wrote recently", func(t *testing.T) {
		if err := c.SendText(ctx, "o-deputy-1", "已收到您的意见 & 建议"); err != nil {
			t.Fatal(err)
		}
		if m := e.last(t, "o-deputy-1", wechatsim.KindCustom); m.MsgType != "text" || m.Text != "已收到您的意见 & 建议" {
			t.Fatalf("recorded %s %q", m.MsgType, m.Text)
		}
		art := bot.Article{Title: "学习材料", Description: "代表法解读", URL: "https://deputy.example.cn/h5/s/3", PicURL: "https://deputy.example.cn/p.png"}
		if err := c.SendNews(ctx, "o-deputy-1", []bot.Article{art}); err != nil {
			t.Fatal(err)
		}
		if m := e.last(t, "o-deputy-1", wechatsim.KindCustom); m.MsgType != "news" || len(m.Articles) != 1 ||
			m.Articles[0].Title != art.Title || m.Articles[0].PicURL != art.PicURL {
			t.Fatalf("recorded %s %+v", m.MsgType, m.Articles)
		}
		items := []bot.MenuItem{{ID: "rsvp:1:yes", Content: "参加"}, {ID: "rsvp:1:no", Content: "请假"}}
		if err := c.SendMenu(ctx, "o-deputy-1", "是否参加会议？", items, "请点击选择"); err != nil {
			t.Fatal(err)
		}
		m := e.last(t, "o-deputy-1", wechatsim.KindCustom)
		if m.MsgType != "msgmenu" || m.Text != "是否参加会议？" || m.Tail != "请点击选择" ||
			len(m.MenuItems) != 2 || m.MenuItems[1].ID != "rsvp:1:no" || m.MenuItems[1].Content != "请假" {
			t.Fatalf("recorded %+v", m)
		}
	})

	t.Run("over the five-message quota is permanent 45047", func(t *testing.T) {
		var err error
		for range 10 {
			if err = c.SendText(ctx, "o-deputy-1", "提醒"); err != nil {
				break
			}
		}
		var ae *bot.APIError
		if !errors.As(err, &ae) || ae.Code != 45047 || ae.Class != bot.ClassPermanent {
			t.Fatalf("got %v, want permanent 45047", err)
		}
	})

	t.Run("outside the 48-hour window is permanent 45015", func(t *testing.T) {
		e.follower(t, "o-deputy-2")
		e.clock.Advance(48*time.Hour + time.Minute)
		err := c.SendText(ctx, "o-deputy-2", "您好")
		var ae *bot.APIError
		if !errors.As(err, &ae) || ae.Code != 45015 || ae.Class != bot.ClassPermanent {
			t.Fatalf("got %v, want permanent 45015", err)
		}
	})
}

func TestMenuAndUserInfo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	c := e.client(t)

	t.Run("a created menu reads back", func(t *testing.T) {
		menu := `{"button":[{"type":"click","name":"我的建议","key":"MY_SUGGESTIONS"},
			{"name":"更多","sub_button":[{"type":"view","name":"履职档案","url":"https://deputy.example.cn/h5/record"}]}]}`
		if _, err := c.CreateMenu(ctx, []byte(menu)); err != nil {
			t.Fatal(err)
		}
		raw, err := c.GetMenu(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Menu struct {
				Button []struct {
					Name      string `json:"name"`
					Key       string `json:"key"`
					SubButton []struct {
						URL string `json:"url"`
					} `json:"sub_button"`
				} `json:"button"`
			} `json:"menu"`
		}
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		b := got.Menu.Button
		if len(b) != 2 || b[0].Key != "MY_SUGGESTIONS" || len(b[1].SubButton) != 1 ||
			b[1].SubButton[0].URL != "https://deputy.example.cn/h5/record" {
			t.Fatalf("menu read back as %s", raw)
		}
	})

	t.Run("a menu that is not JSON is refused", func(t *testing.T) {
		if _, err := c.CreateMenu(ctx, []byte(`{"button":`)); bot.Classify(err) != bot.ClassPermanent {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("user info says who follows and since when", func(t *testing.T) {
		followedAt := e.clock.Now()
		e.follower(t, "o-deputy-1")
		e.sim.User("o-stranger")
		info, err := c.UserInfo(ctx, "o-deputy-1")
		if err != nil {
			t.Fatal(err)
		}
		if !info.Subscribed || info.OpenID != "o-deputy-1" || !info.SubscribeTime.Equal(followedAt) {
			t.Fatalf("got %+v", info)
		}
		info, err = c.UserInfo(ctx, "o-stranger")
		if err != nil || info.Subscribed {
			t.Fatalf("a non-follower reads as %+v, %v", info, err)
		}
	})
}

func TestAPIBaseWithPathPrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	mux := http.NewServeMux()
	mux.Handle("/sim/", http.StripPrefix("/sim", e.sim.Handler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.cfg.APIBase = srv.URL + "/sim/"
	c := e.client(t)
	e.follower(t, "o-deputy-1")
	if _, err := c.SendTemplate(ctx, notice("o-deputy-1", "")); err != nil {
		t.Fatal(err)
	}
}

func TestSDKCallsGoToTheClientsAPIBase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	c := e.client(t)
	if _, err := c.CreateMenu(ctx, []byte(`{"button":[{"type":"click","name":"帮助","key":"HELP"}]}`)); err != nil {
		t.Fatal(err)
	}
	res, err := c.OfficialAccount().GetMenu().GetMenu()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Menu.Button) != 1 || res.Menu.Button[0].Key != "HELP" {
		t.Fatalf("SDK read menu %+v", res.Menu)
	}
	if n := e.sim.TokenFetches(); n != 1 {
		t.Fatalf("the SDK fetched its own token: %d fetches", n)
	}
}

func TestAccountErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newClientEnv(t, nil)
	e.follower(t, "o-deputy-1")

	t.Run("a wrong secret is an account error, not a recipient's", func(t *testing.T) {
		cfg := e.cfg
		cfg.AppSecret = "wrong"
		c, err := bot.NewClient(cfg, e.db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.SendTemplate(ctx, notice("o-deputy-1", ""))
		var ae *bot.APIError
		if !errors.As(err, &ae) || ae.Code != 40125 || ae.Op != "stable_token" || !bot.IsAccountError(err) {
			t.Fatalf("got %v, want an account error 40125 from stable_token", err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Fatalf("the secret leaks: %v", err)
		}
	})

	t.Run("a recipient's refusal is not an account error", func(t *testing.T) {
		e.sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/message/template/send", ErrCode: 43101, Count: 1})
		_, err := e.client(t).SendTemplate(ctx, notice("o-deputy-1", ""))
		if err == nil || bot.IsAccountError(err) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	tests := []struct {
		name string
		cfg  bot.ClientConfig
	}{
		{"without an AppID", bot.ClientConfig{AppSecret: "s"}},
		{"without a secret", bot.ClientConfig{AppID: "wx1"}},
		{"with an api_base that is not a URL", bot.ClientConfig{AppID: "wx1", AppSecret: "s", APIBase: "api.weixin.qq.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := bot.NewClient(tt.cfg, db); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
