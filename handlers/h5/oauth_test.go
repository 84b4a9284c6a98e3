package h5_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// oauthWorld is an h5World whose OAuth goes to a wechatsim server.
type oauthWorld struct {
	*h5World
	sim    *wechatsim.Sim
	simSrv *httptest.Server
}

func newOAuthWorld(t *testing.T, db *storage.DB) *oauthWorld {
	t.Helper()
	sim := wechatsim.New(wechatsim.Config{AppID: "wxh5testapp", AppSecret: "h5-test-secret"})
	t.Cleanup(sim.Close)
	simSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(simSrv.Close)
	cfg := sim.Config()
	w := newH5World(t, db, h5.OAuth{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIBase: simSrv.URL,
		AuthorizeURL: simSrv.URL + "/connect/oauth2/authorize"})
	return &oauthWorld{h5World: w, sim: sim, simSrv: simSrv}
}

// phone is a browser of the WeChat user openid: it keeps cookies and
// follows redirects, and the fake authorize page learns who is browsing
// from the openid parameter, as the simulator's phone page passes it.
func (w *oauthWorld) phone(t *testing.T, openid string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	sim, _ := url.Parse(w.simSrv.URL)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == sim.Host && req.URL.Path == "/connect/oauth2/authorize" {
			q := req.URL.Query()
			q.Set("openid", openid)
			req.URL.RawQuery = q.Encode()
		}
		return nil
	}}
}

func browse(t *testing.T, c *http.Client, method, u string, form url.Values) (h5Resp, *url.URL) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return h5Resp{status: resp.StatusCode, body: string(b)}, resp.Request.URL
}

// noFollow shares c's cookies but stops at the first redirect.
func noFollow(c *http.Client) *http.Client {
	return &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestH5OAuthMenuPages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newOAuthWorld(t, db)
		ctx := context.Background()
		now := w.clock.Now()
		meetings := core.New(db, core.Options{Now: w.clock.Now}).Meetings
		invite := func(title string, deputy int64) model.Meeting {
			m := model.Meeting{Kind: "research", Title: title, StartsAt: now.Add(96 * time.Hour), RSVPDeadline: now.Add(72 * time.Hour)}
			if err := db.CreateMeeting(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if _, err := meetings.Invite(ctx, core.CLIActor(model.Account{}, "test"), m.ID, model.Audience{DeputyIDs: []int64{deputy}}); err != nil {
				t.Fatal(err)
			}
			return m
		}
		mine := invite("乡村振兴专题调研", w.deputy.ID)
		theirs := invite("营商环境集中视察", w.other.ID)
		sg := replied(t, db, w.clock, "201", w.deputy.ID)
		materials := core.NewMaterials(db)
		materials.SetClock(w.clock.Now)
		mat := model.Material{Title: "代表法学习要点", Body: "代表应当密切联系群众。", PublishedAt: now.Add(-time.Hour)}
		if err := db.CreateMaterial(ctx, &mat); err != nil {
			t.Fatal(err)
		}
		meetingPath := "/h5/meetings/" + strconv.FormatInt(mine.ID, 10)

		t.Run("the menu sends a new visitor to WeChat's authorize page with state and the way back", func(t *testing.T) {
			r := w.get(t, "/h5/m/meetings")
			want := w.simSrv.URL + "/connect/oauth2/authorize?appid=wxh5testapp&redirect_uri=" +
				url.QueryEscape(w.srv.URL+"/h5/oauth?next="+url.QueryEscape("/h5/m/meetings")) + "&response_type=code&scope=snsapi_base&state="
			if r.status != http.StatusFound || !strings.HasPrefix(r.location, want) || !strings.HasSuffix(r.location, "#wechat_redirect") {
				t.Fatalf("%d to %q, want prefix %q", r.status, r.location, want)
			}
		})

		wang := w.phone(t, "oid-wang")
		t.Run("the round trip through WeChat lands on the bound deputy's meetings", func(t *testing.T) {
			r, at := browse(t, wang, "GET", w.srv.URL+"/h5/m/meetings", nil)
			mustContain(t, r, http.StatusOK, "我的会议", "乡村振兴专题调研", "待回执", `href="`+meetingPath+`"`)
			mustNotContain(t, r, "营商环境集中视察")
			if at.Path != "/h5/m/meetings" {
				t.Fatalf("landed on %s", at)
			}
			for _, c := range wang.Jar.Cookies(at) {
				if c.Name == "h5_session" && !strings.Contains(c.Value, "~") {
					t.Fatalf("session cookie %q", c.Value)
				}
			}
		})
		t.Run("the session answers an invitation on the meeting's page, on the h5 channel", func(t *testing.T) {
			r, _ := browse(t, wang, "GET", w.srv.URL+meetingPath, nil)
			mustContain(t, r, http.StatusOK, "乡村振兴专题调研", ">参加</button>", `action="`+meetingPath+`/rsvp"`)
			r, at := browse(t, wang, "POST", w.srv.URL+meetingPath+"/rsvp", url.Values{"status": {"attend"}})
			mustContain(t, r, http.StatusOK, "已记录您的回执：参加")
			if at.Path != meetingPath || at.Query().Get("done") != "rsvp" {
				t.Fatalf("result page %s", at)
			}
			inv, err := db.GetInvitation(ctx, mine.ID, w.deputy.ID)
			if err != nil || inv.Status != model.RSVPAttend || inv.Channel != "h5" {
				t.Fatalf("invitation %+v, %v", inv, err)
			}
		})
		t.Run("the other menu pages list the deputy's suggestions and materials", func(t *testing.T) {
			r, _ := browse(t, wang, "GET", w.srv.URL+"/h5/m/suggestions", nil)
			mustContain(t, r, http.StatusOK, "第0201号", "待测评")
			r, _ = browse(t, wang, "GET", w.srv.URL+"/h5/m/materials", nil)
			mustContain(t, r, http.StatusOK, "代表法学习要点", ">学完</button>", `type="search" name="q"`)
			// The list's search box: two characters find the material,
			// others find nothing and say so.
			r, _ = browse(t, wang, "GET", w.srv.URL+"/h5/m/materials?q="+url.QueryEscape("代表"), nil)
			mustContain(t, r, http.StatusOK, "“代表”的搜索结果", "代表法学习要点")
			r, _ = browse(t, wang, "GET", w.srv.URL+"/h5/m/materials?q="+url.QueryEscape("预算"), nil)
			mustContain(t, r, http.StatusOK, "没有找到含“预算”的学习材料")
			mustNotContain(t, r, "代表法学习要点")
		})
		t.Run("the session rates a suggestion and marks a material studied on their pages", func(t *testing.T) {
			sgPath := "/h5/suggestions/" + strconv.FormatInt(sg.ID, 10)
			r, _ := browse(t, wang, "GET", w.srv.URL+sgPath, nil)
			mustContain(t, r, http.StatusOK, "第0201号", ">提交测评</button>")
			r, _ = browse(t, wang, "POST", w.srv.URL+sgPath+"/rate",
				url.Values{"contact": {"written"}, "attitude": {"basic"}, "result": {"dissatisfied"}, "reason": {"尚未解决"}})
			mustContain(t, r, http.StatusOK, "办理结果 不满意", "该建议已退回承办单位重新办理")
			matPath := "/h5/materials/" + strconv.FormatInt(mat.ID, 10)
			r, _ = browse(t, wang, "POST", w.srv.URL+matPath+"/studied", url.Values{})
			mustContain(t, r, http.StatusOK, "已记录：您已学习《代表法学习要点》", "代表应当密切联系群众。")
			if latest, _ := materials.Latest(ctx, w.deputy.ID, 1); len(latest) != 1 || !latest[0].Studied() {
				t.Fatalf("materials %+v", latest)
			}
		})
		t.Run("another deputy's meeting is not found", func(t *testing.T) {
			r, _ := browse(t, wang, "GET", w.srv.URL+"/h5/meetings/"+strconv.FormatInt(theirs.ID, 10), nil)
			mustContain(t, r, http.StatusNotFound, "内容不存在")
			mustNotContain(t, r, "营商环境集中视察")
		})
		t.Run("an unbound WeChat user is told to bind", func(t *testing.T) {
			r, _ := browse(t, w.phone(t, "oid-stranger"), "GET", w.srv.URL+"/h5/m/meetings", nil)
			mustContain(t, r, http.StatusForbidden, "尚未绑定代表身份", "请在公众号中回复“绑定”")
			mustNotContain(t, r, "乡村振兴专题调研")
		})
		t.Run("a post without a session is refused", func(t *testing.T) {
			r := w.do(t, "POST", meetingPath+"/rsvp", url.Values{"status": {"leave"}, "reason": {"出差"}}, nil)
			mustContain(t, r, http.StatusForbidden, "页面已过期")
		})
		t.Run("a session ends when its deputy is bound to another WeChat user", func(t *testing.T) {
			if _, err := db.UnbindDeputy(ctx, w.deputy.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.BindDeputy(ctx, w.deputy.ID, "oid-wang-new-phone"); err != nil {
				t.Fatal(err)
			}
			resp, err := noFollow(wang).Get(w.srv.URL + meetingPath)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Fatal("the old phone's session still opens the deputy's meeting")
			}
			if _, err := db.UnbindDeputy(ctx, w.deputy.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.BindDeputy(ctx, w.deputy.ID, "oid-wang"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("after two hours the session sends the deputy to WeChat again", func(t *testing.T) {
			w.clock.Advance(2*time.Hour + time.Minute)
			resp, err := noFollow(wang).Get(w.srv.URL + "/h5/m/meetings")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), w.simSrv.URL) {
				t.Fatalf("%d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	})
}

func TestH5OAuthCallbackRefusals(t *testing.T) {
	w := newOAuthWorld(t, storagetest.Open(t, storage.SQLite))
	// start leaves the state cookie in a browser and returns the state.
	start := func(t *testing.T) (*http.Client, string) {
		t.Helper()
		c := noFollow(w.phone(t, "oid-wang"))
		resp, err := c.Get(w.srv.URL + "/h5/m/meetings")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		return c, loc.Query().Get("state")
	}
	tests := []struct {
		name   string
		next   string
		state  func(real string) string
		status int
		want   string
	}{
		{"an absolute next is refused: no open redirect", "https://evil.example", nil, http.StatusBadRequest, "链接无效"},
		{"a scheme-relative next is refused", "//evil.example/h5/m/meetings", nil, http.StatusBadRequest, "链接无效"},
		{"a next leaving /h5/ is refused", "/h5/../admin", nil, http.StatusBadRequest, "链接无效"},
		{"a state that is not the browser's is refused", "/h5/m/meetings", func(string) string { return "forged" },
			http.StatusForbidden, "未能确认您的身份"},
		{"the right state and a relative next log in", "/h5/m/meetings", nil, http.StatusFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, state := start(t)
			if tt.state != nil {
				state = tt.state(state)
			}
			q := url.Values{"code": {w.sim.OAuthCode("oid-wang", "snsapi_base")}, "state": {state}, "next": {tt.next}}
			resp, err := c.Get(w.srv.URL + "/h5/oauth?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
				t.Fatalf("%d %s", resp.StatusCode, b)
			}
			loc := resp.Header.Get("Location")
			if tt.status == http.StatusFound {
				if loc != tt.next {
					t.Fatalf("redirect to %q", loc)
				}
				var session *http.Cookie
				for _, ck := range resp.Cookies() {
					if ck.Name == "h5_session" {
						session = ck
					}
				}
				if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge != 7200 ||
					session.Secure || session.Path != "/h5/" {
					t.Fatalf("session cookie %+v", session)
				}
			} else if loc != "" {
				t.Fatalf("refused, yet redirected to %q", loc)
			}
		})
	}
	t.Run("a code used twice is refused by WeChat", func(t *testing.T) {
		code := w.sim.OAuthCode("oid-wang", "snsapi_base")
		for i, status := range []int{http.StatusFound, http.StatusBadGateway} {
			c, state := start(t)
			q := url.Values{"code": {code}, "state": {state}, "next": {"/h5/m/meetings"}}
			resp, err := c.Get(w.srv.URL + "/h5/oauth?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != status {
				t.Fatalf("use %d: status %d, want %d", i+1, resp.StatusCode, status)
			}
		}
		if strings.Contains(w.log.String(), "h5-test-secret") {
			t.Fatalf("the log holds the app secret:\n%s", w.log.String())
		}
	})
}
