package wechatsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// Temporary manual demo (deleted before hand-off).
func TestZZDemo(t *testing.T) {
	if os.Getenv("SIM_DEMO") == "" {
		t.Skip()
	}
	bot := newTestBot(t, ModeSafe)
	s := New(Config{AppID: testAppID, AppSecret: testSecret, Token: testToken, EncodingAESKey: testAESKey, Mode: ModeSafe, CallbackURL: bot.URL()})
	mux := http.NewServeMux()
	mux.Handle("/sim/", http.StripPrefix("/sim", s.Handler()))
	srv := httptest.NewUnstartedServer(mux)
	l, _ := net.Listen("tcp", "127.0.0.1:18080")
	srv.Listener = l
	srv.Start()
	post := func(path string, v any) {
		b, _ := json.Marshal(v)
		resp, err := http.Post(srv.URL+"/sim"+path+"?access_token="+token(t, httptest.NewServer(s.Handler())), "application/json", bytes.NewReader(b))
		if err == nil {
			resp.Body.Close()
		}
	}
	post("/cgi-bin/menu/create", map[string]any{"button": []any{
		map[string]any{"type": "click", "name": "我的建议", "key": "MY_SUGG"},
		map[string]any{"name": "履职服务", "sub_button": []any{
			map[string]any{"type": "click", "name": "我的会议", "key": "MY_MEET"},
			map[string]any{"type": "view", "name": "学习平台", "url": "https://example.org/h5/study"}}},
		map[string]any{"type": "click", "name": "帮助", "key": "HELP"}}})
	bot.reply = func(in inbound) string {
		switch {
		case in.MsgType == "text":
			return textReply(in, "收到："+in.Content+"\n查看<a href=\"https://example.org/h5/x\">详情</a>")
		case in.Event == "CLICK":
			go func() {
				post("/cgi-bin/message/custom/send", map[string]any{"touser": in.FromUserName, "msgtype": "msgmenu",
					"msgmenu": map[string]any{"head_content": "请对办理结果评价：", "tail_content": "感谢您的反馈",
						"list": []any{map[string]any{"id": "1", "content": "满意"}, map[string]any{"id": "2", "content": "不满意"}}}})
				post("/cgi-bin/message/template/send", map[string]any{"touser": in.FromUserName, "template_id": "TPL_MEETING",
					"url": "https://example.org/h5/m/1", "data": map[string]any{"thing1": map[string]any{"value": "常委会第十次会议"},
						"time2": map[string]any{"value": "2026年3月5日 09:00"}, "thing3": map[string]any{"value": "省人大常委会会议室"}}})
				post("/cgi-bin/message/custom/send", map[string]any{"touser": in.FromUserName, "msgtype": "news",
					"news": map[string]any{"articles": []any{map[string]any{"title": "代表学习材料第一讲", "description": "宪法与代表法", "url": "https://example.org/h5/s/1"}}}})
			}()
			return textReply(in, "正在查询，请稍候……")
		}
		return ""
	}
	u := s.User("sim-user-1")
	u.SetNickname("王代表")
	u.Follow(context.Background())
	u.SendText(context.Background(), "你好")
	u.Click(context.Background(), "MY_SUGG")
	<-make(chan struct{})
}
