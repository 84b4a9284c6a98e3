package wechatsim

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	s, clk, api, _ := newTestSim(t, ModePlain)
	stable := func(appid, secret string, force bool) map[string]any {
		return call(t, api, "POST", "/cgi-bin/stable_token", map[string]any{
			"grant_type": "client_credential", "appid": appid, "secret": secret, "force_refresh": force})
	}
	for _, c := range []struct {
		name  string
		resp  map[string]any
		errno int
	}{
		{"stable wrong appid", stable("wx_nope", testSecret, false), 40013},
		{"stable wrong secret", stable(testAppID, "nope", false), 40125},
		{"token wrong appid", call(t, api, "GET", "/cgi-bin/token?grant_type=client_credential&appid=x&secret="+testSecret, nil), 40013},
		{"token wrong secret", call(t, api, "GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret=x", nil), 40125},
		{"token bad grant", call(t, api, "GET", "/cgi-bin/token?grant_type=x&appid="+testAppID+"&secret="+testSecret, nil), 40002},
		{"no token", call(t, api, "GET", "/cgi-bin/menu/get", nil), 40001},
		{"unknown token", call(t, api, "GET", "/cgi-bin/menu/get?access_token=abc", nil), 40001},
	} {
		if got := errcode(c.resp); got != c.errno {
			t.Errorf("%s: errcode %d, want %d (%v)", c.name, got, c.errno, c.resp)
		}
	}
	if s.TokenFetches() != 0 {
		t.Fatalf("failed fetches counted: %d", s.TokenFetches())
	}

	t1 := stable(testAppID, testSecret, false)
	t2 := stable(testAppID, testSecret, false)
	if t1["access_token"] != t2["access_token"] || t1["expires_in"].(float64) != 7200 {
		t.Fatalf("stable tokens differ: %v %v", t1, t2)
	}
	t3 := stable(testAppID, testSecret, true)
	if t3["access_token"] == t1["access_token"] {
		t.Fatal("force_refresh returned the same token")
	}
	menuGet := func(tok any) int {
		return errcode(call(t, api, "GET", "/cgi-bin/menu/get?access_token="+tok.(string), nil))
	}
	if got := menuGet(t1["access_token"]); got != 40001 {
		t.Fatalf("superseded token: %d, want 40001", got)
	}
	if got := menuGet(t3["access_token"]); got != 46003 { // token fine, no menu yet
		t.Fatalf("fresh token: %d", got)
	}
	s.ExpireTokens()
	if got := menuGet(t3["access_token"]); got != 42001 {
		t.Fatalf("expired token: %d, want 42001", got)
	}
	t4 := stable(testAppID, testSecret, false)
	if t4["access_token"] == t3["access_token"] {
		t.Fatal("expired stable token returned again")
	}
	clk.Advance(7199 * time.Second)
	if got := menuGet(t4["access_token"]); got != 46003 {
		t.Fatalf("token before TTL: %d", got)
	}
	clk.Advance(time.Second)
	if got := menuGet(t4["access_token"]); got != 42001 {
		t.Fatalf("token after TTL: %d, want 42001", got)
	}
	g := call(t, api, "GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret="+testSecret, nil)
	if menuGet(g["access_token"]) != 46003 {
		t.Fatalf("plain token: %v", g)
	}
	if s.TokenFetches() != 5 {
		t.Fatalf("TokenFetches = %d, want 5", s.TokenFetches())
	}
}

func templateBody(openid, clientID string, data map[string]string) map[string]any {
	d := map[string]any{}
	for k, v := range data {
		d[k] = map[string]string{"value": v}
	}
	return map[string]any{"touser": openid, "template_id": "TPL_MEETING", "url": "https://example.org/h5/m/1",
		"data": d, "client_msg_id": clientID}
}

func TestTemplateSendValidation(t *testing.T) {
	s, _, api, _ := newTestSim(t, ModePlain)
	s.SetJobFinishReports(false)
	ctx := context.Background()
	s.User("follower").Follow(ctx)
	s.User("gone")
	tok := token(t, api)
	long := strings.Repeat("长", 21)
	cases := []struct {
		name string
		body map[string]any
		want int
	}{
		{"unknown openid", templateBody("nobody", "", map[string]string{"thing1": "会议"}), 40003},
		{"empty touser", templateBody("", "", map[string]string{"thing1": "会议"}), 40003},
		{"not following", templateBody("gone", "", map[string]string{"thing1": "会议"}), 43004},
		{"no template", map[string]any{"touser": "follower", "data": map[string]any{}}, 40037},
		{"too long", templateBody("follower", "", map[string]string{"thing1": long}), 47003},
		{"newline", templateBody("follower", "", map[string]string{"thing1": "第一行\n第二行"}), 47003},
		{"empty value", templateBody("follower", "", map[string]string{"thing1": ""}), 47003},
		{"20 runes ok", templateBody("follower", "", map[string]string{"thing1": strings.Repeat("长", 20)}), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, api, "POST", "/cgi-bin/message/template/send?access_token="+tok, c.body)
			if errcode(r) != c.want {
				t.Fatalf("errcode %d, want %d: %v", errcode(r), c.want, r)
			}
		})
	}
	if s.TemplateSends() != 1 {
		t.Fatalf("TemplateSends = %d", s.TemplateSends())
	}
	s.SetTemplates("TPL_OTHER")
	r := call(t, api, "POST", "/cgi-bin/message/template/send?access_token="+tok, templateBody("follower", "", map[string]string{"a": "b"}))
	if errcode(r) != 40037 {
		t.Fatalf("unregistered template: %v", r)
	}
}

func TestTemplateDedupeAndJobFinish(t *testing.T) {
	s, clk, api, bot := newTestSim(t, ModeSafe)
	ctx := context.Background()
	s.User("d1").Follow(ctx)
	s.User("d2").Follow(ctx)
	s.SetJobFinishStatus("d2", JobUserBlock)
	tok := token(t, api)
	send := func(openid, cid string) int64 {
		t.Helper()
		r := call(t, api, "POST", "/cgi-bin/message/template/send?access_token="+tok,
			templateBody(openid, cid, map[string]string{"thing1": "常委会第十次会议", "time2": "3月5日 9:00"}))
		if errcode(r) != 0 || r["errmsg"] != "ok" {
			t.Fatalf("send: %v", r)
		}
		return int64(r["msgid"].(float64))
	}
	a := send("d1", "c-1")
	clk.Advance(9*time.Minute + 59*time.Second)
	if b := send("d1", "c-1"); b != a {
		t.Fatalf("dedupe within 10 min: %d != %d", b, a)
	}
	if b := send("d2", "c-1"); b == a {
		t.Fatal("client_msg_id must be per openid")
	}
	clk.Advance(time.Second)
	c := send("d1", "c-1")
	if c == a {
		t.Fatal("dedupe after 10 min")
	}
	if s.TemplateSends() != 3 {
		t.Fatalf("TemplateSends = %d, want 3", s.TemplateSends())
	}
	msgs := s.Messages("d1")
	var tpl []Message
	for _, m := range msgs {
		if m.Kind == KindTemplate {
			tpl = append(tpl, m)
		}
	}
	if len(tpl) != 2 || tpl[0].MsgID != a || tpl[0].Fields["thing1"] != "常委会第十次会议" ||
		strings.Join(tpl[0].FieldOrder, ",") != "thing1,time2" && strings.Join(tpl[0].FieldOrder, ",") != "time2,thing1" {
		t.Fatalf("recorded %+v", tpl)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	status := map[int64]string{}
	for _, in := range bot.received() {
		if in.Event == "TEMPLATESENDJOBFINISH" {
			status[in.MsgID] = in.Status
		}
	}
	if len(status) != 3 || status[a] != JobSuccess || status[c] != JobSuccess {
		t.Fatalf("job reports %v", status)
	}
	blocked := 0
	for _, st := range status {
		if st == JobUserBlock {
			blocked++
		}
	}
	if blocked != 1 {
		t.Fatalf("job reports %v", status)
	}
	if d, f := s.JobReports(); d != 3 || f != 0 {
		t.Fatalf("JobReports = %d, %d", d, f)
	}
	q := call(t, api, "POST", "/cgi-bin/openapi/quota/get?access_token="+tok, map[string]string{"cgi_path": pathTemplate})
	quota := q["quota"].(map[string]any)
	if quota["daily_limit"].(float64) != 100000 || quota["used"].(float64) != 3 || quota["remain"].(float64) != 99997 {
		t.Fatalf("quota %v", q)
	}
}

func TestTemplateFieldOrderPreserved(t *testing.T) {
	s, _, api, _ := newTestSim(t, ModePlain)
	s.SetJobFinishReports(false)
	s.User("d1").Follow(context.Background())
	tok := token(t, api)
	req, _ := http.NewRequest("POST", api.URL+"/cgi-bin/message/template/send?access_token="+tok, strings.NewReader(
		`{"touser":"d1","template_id":"T","data":{"z9":{"value":"甲"},"a1":{"value":"乙"},"m5":{"value":"丙"}}}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m, _ := s.WaitFor(context.Background(), "d1", func(m Message) bool { return m.Kind == KindTemplate })
	if strings.Join(m.FieldOrder, ",") != "z9,a1,m5" {
		t.Fatalf("order %v", m.FieldOrder)
	}
}

func TestCustomSendWindowAndQuota(t *testing.T) {
	s, clk, api, _ := newTestSim(t, ModePlain)
	ctx := context.Background()
	u := s.User("d1")
	send := func() int {
		return errcode(call(t, api, "POST", "/cgi-bin/message/custom/send?access_token="+token(t, api),
			map[string]any{"touser": "d1", "msgtype": "text", "text": map[string]string{"content": "您的建议已办结"}}))
	}
	if got := send(); got != 45015 {
		t.Fatalf("never interacted: %d", got)
	}
	u.Follow(ctx) // follow: 3 within 1 minute
	for i := 0; i < 3; i++ {
		if got := send(); got != 0 {
			t.Fatalf("after follow #%d: %d", i+1, got)
		}
	}
	if got := send(); got != 45047 {
		t.Fatalf("4th after follow: %d, want 45047", got)
	}
	u.Click(ctx, "HELP")
	clk.Advance(61 * time.Second)
	if got := send(); got != 45047 {
		t.Fatalf("a minute after click: %d, want 45047", got)
	}
	u.SendText(ctx, "我的建议") // message: 5 within 48 h
	for i := 0; i < 5; i++ {
		if got := send(); got != 0 {
			t.Fatalf("after message #%d: %d", i+1, got)
		}
	}
	if got := send(); got != 45047 {
		t.Fatalf("6th after message: %d, want 45047", got)
	}
	u.SendText(ctx, "再问一次")
	clk.Advance(48*time.Hour + time.Second)
	if got := send(); got != 45015 {
		t.Fatalf("after 48 h: %d, want 45015", got)
	}
	u.SendText(ctx, "回来了")
	u.Unfollow(ctx)
	if got := send(); got != 45015 {
		t.Fatalf("unfollowed: %d, want 45015", got)
	}
	customs := 0
	for _, m := range s.Messages("d1") {
		if m.Kind == KindCustom {
			customs++
		}
	}
	if customs != 8 {
		t.Fatalf("%d custom messages recorded, want 8", customs)
	}
}

func TestCustomSendKinds(t *testing.T) {
	s, _, api, _ := newTestSim(t, ModePlain)
	u := s.User("d1")
	u.Follow(context.Background())
	u.SendText(context.Background(), "hi")
	tok := token(t, api)
	cases := []struct {
		name string
		body map[string]any
		want int
	}{
		{"news", map[string]any{"touser": "d1", "msgtype": "news", "news": map[string]any{"articles": []map[string]string{
			{"title": "学习材料", "description": "第一讲", "url": "https://example.org/a", "picurl": ""}}}}, 0},
		{"two articles", map[string]any{"touser": "d1", "msgtype": "news", "news": map[string]any{"articles": []map[string]string{
			{"title": "a"}, {"title": "b"}}}}, 45008},
		{"msgmenu", map[string]any{"touser": "d1", "msgtype": "msgmenu", "msgmenu": map[string]any{
			"head_content": "请评价办理结果", "tail_content": "谢谢", "list": []map[string]string{
				{"id": "1", "content": "满意"}, {"id": "2", "content": "不满意"}}}}, 0},
		{"empty text", map[string]any{"touser": "d1", "msgtype": "text", "text": map[string]string{"content": ""}}, 44004},
		{"bad type", map[string]any{"touser": "d1", "msgtype": "fax"}, 40008},
		{"unknown user", map[string]any{"touser": "x", "msgtype": "text", "text": map[string]string{"content": "a"}}, 40003},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := errcode(call(t, api, "POST", "/cgi-bin/message/custom/send?access_token="+tok, c.body)); got != c.want {
				t.Fatalf("errcode %d, want %d", got, c.want)
			}
		})
	}
	m, _ := s.WaitFor(context.Background(), "d1", func(m Message) bool { return m.MsgType == "msgmenu" })
	if m.Text != "请评价办理结果" || m.Tail != "谢谢" || len(m.MenuItems) != 2 || m.MenuItems[1].Content != "不满意" {
		t.Fatalf("msgmenu %+v", m)
	}
}

func TestMenuAndUserInfo(t *testing.T) {
	s, _, api, _ := newTestSim(t, ModePlain)
	tok := token(t, api)
	sub := func(n int) []map[string]any {
		var out []map[string]any
		for i := 0; i < n; i++ {
			out = append(out, map[string]any{"type": "click", "name": "子菜单", "key": "K" + string(rune('A'+i))})
		}
		return out
	}
	good := map[string]any{"button": []map[string]any{
		{"type": "click", "name": "我的建议", "key": "MY_SUGG"},
		{"name": "履职", "sub_button": sub(5)},
		{"type": "view", "name": "学习", "url": "https://example.org/h5/study"},
	}}
	cases := []struct {
		name string
		body map[string]any
		want int
	}{
		{"four top buttons", map[string]any{"button": []map[string]any{
			{"type": "click", "name": "a", "key": "a"}, {"type": "click", "name": "b", "key": "b"},
			{"type": "click", "name": "c", "key": "c"}, {"type": "click", "name": "d", "key": "d"}}}, 40016},
		{"six sub buttons", map[string]any{"button": []map[string]any{{"name": "a", "sub_button": sub(6)}}}, 40023},
		{"no buttons", map[string]any{"button": []map[string]any{}}, 40016},
		{"bad type", map[string]any{"button": []map[string]any{{"type": "nope", "name": "a"}}}, 40017},
		{"click without key", map[string]any{"button": []map[string]any{{"type": "click", "name": "a"}}}, 40019},
		{"good", good, 0},
	}
	for _, c := range cases {
		if got := errcode(call(t, api, "POST", "/cgi-bin/menu/create?access_token="+tok, c.body)); got != c.want {
			t.Errorf("%s: errcode %d, want %d", c.name, got, c.want)
		}
	}
	r := call(t, api, "GET", "/cgi-bin/menu/get?access_token="+tok, nil)
	buttons := r["menu"].(map[string]any)["button"].([]any)
	if len(buttons) != 3 || len(buttons[1].(map[string]any)["sub_button"].([]any)) != 5 {
		t.Fatalf("menu %v", r)
	}

	u := s.User("d1")
	u.SetNickname("张代表")
	info := call(t, api, "GET", "/cgi-bin/user/info?access_token="+tok+"&openid=d1&lang=zh_CN", nil)
	if info["subscribe"].(float64) != 0 {
		t.Fatalf("unfollowed info %v", info)
	}
	u.Follow(context.Background())
	info = call(t, api, "GET", "/cgi-bin/user/info?access_token="+tok+"&openid=d1", nil)
	if info["subscribe"].(float64) != 1 || info["nickname"] != "张代表" || info["openid"] != "d1" || info["subscribe_time"].(float64) == 0 {
		t.Fatalf("info %v", info)
	}
	if got := errcode(call(t, api, "GET", "/cgi-bin/user/info?access_token="+tok+"&openid=zz", nil)); got != 40003 {
		t.Fatalf("unknown openid %d", got)
	}
}

func TestFaults(t *testing.T) {
	s, _, api, _ := newTestSim(t, ModePlain)
	s.SetJobFinishReports(false)
	s.User("d1").Follow(context.Background())
	tok := token(t, api)
	send := func() map[string]any {
		return call(t, api, "POST", "/cgi-bin/message/template/send?access_token="+tok,
			templateBody("d1", "", map[string]string{"thing1": "通知"}))
	}

	s.AddFault(Fault{Path: pathTemplate, ErrCode: -1, Rate: 1})
	for i := 0; i < 3; i++ {
		if got := errcode(send()); got != -1 {
			t.Fatalf("rate 1: %d", got)
		}
	}
	if got := errcode(call(t, api, "GET", "/cgi-bin/menu/get?access_token="+tok, nil)); got == -1 {
		t.Fatal("fault leaked to another path")
	}
	s.ClearFaults()

	s.AddFault(Fault{ErrCode: 45009, Count: 2})
	codes := []int{errcode(send()), errcode(send()), errcode(send())}
	if codes[0] != 45009 || codes[1] != 45009 || codes[2] != 0 {
		t.Fatalf("count 2: %v", codes)
	}
	if len(s.Faults()) != 0 {
		t.Fatalf("spent fault kept: %v", s.Faults())
	}
	if s.TemplateSends() != 1 {
		t.Fatalf("failed sends recorded: %d", s.TemplateSends())
	}

	// TimeoutAfterRead: the message is recorded but the client gives up.
	s.AddFault(Fault{Path: pathTemplate, TimeoutAfterRead: true, Count: 1})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	resp, err := client.Post(api.URL+pathTemplate+"?access_token="+tok, "application/json",
		strings.NewReader(`{"touser":"d1","template_id":"T","data":{"thing1":{"value":"超时"}},"client_msg_id":"retry-1"}`))
	if err == nil {
		resp.Body.Close()
		t.Fatal("expected a client timeout")
	}
	if s.TemplateSends() != 2 {
		t.Fatalf("TimeoutAfterRead did not perform the effect: %d", s.TemplateSends())
	}
	// Retrying with the same client_msg_id returns the same msgid, no new message.
	r := call(t, api, "POST", pathTemplate+"?access_token="+tok, map[string]any{"touser": "d1", "template_id": "T",
		"data": map[string]any{"thing1": map[string]string{"value": "超时"}}, "client_msg_id": "retry-1"})
	if errcode(r) != 0 || s.TemplateSends() != 2 {
		t.Fatalf("retry: %v, sends %d", r, s.TemplateSends())
	}
}

func TestFaultRateDeterministic(t *testing.T) {
	run := func() []int {
		s := New(Config{Seed: 7})
		api := httptest.NewServer(s.Handler())
		defer api.Close()
		s.AddFault(Fault{Path: pathMenuGet, ErrCode: -1, Rate: 0.5})
		var out []int
		for i := 0; i < 40; i++ {
			out = append(out, errcode(call(t, api, "GET", pathMenuGet, nil)))
		}
		return out
	}
	a, b := run(), run()
	hits := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("not deterministic at %d", i)
		}
		if a[i] == -1 {
			hits++
		}
	}
	if hits < 8 || hits > 32 {
		t.Fatalf("rate 0.5 gave %d/40", hits)
	}
}

func TestFaultLatencyRespectsClient(t *testing.T) {
	s := New(Config{})
	api := httptest.NewServer(s.Handler())
	defer api.Close()
	s.AddFault(Fault{Latency: time.Hour})
	client := &http.Client{Timeout: 50 * time.Millisecond}
	_, err := client.Get(api.URL + pathMenuGet)
	var ue interface{ Timeout() bool }
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("err = %v", err)
	}
}
