package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"deputybot/core"
	"deputybot/handlers/api"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// TestADeputysSuggestionFromTheChatToTheRatingRequest is issue 15's
// check: a deputy drafts a suggestion in the chat with one co-signer, who
// confirms; staff accept it and assign it to a unit through the API; the
// unit's bound staff member is told; the deputy is told at each step; the
// unit's reply brings the usual rating request.
func TestADeputysSuggestionFromTheChatToTheRatingRequest(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 5*time.Second)
		ctx := context.Background()
		svc := core.New(db, core.Options{Now: r.clock.Now, Loc: shanghai})
		svc.Staff.HashCost = bcrypt.MinCost
		acct, _, err := svc.Staff.Create(ctx, core.NewAccount{Username: "review", Name: "审查员", Role: model.RoleStaff,
			Password: "Review-Pass-2026"})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := svc.Staff.CreateToken(ctx, acct, "审查")
		if err != nil {
			t.Fatal(err)
		}
		apiSrv := httptest.NewServer(api.Handler(api.Deps{Services: svc}))
		t.Cleanup(apiSrv.Close)
		call := func(t *testing.T, method, path, body string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, apiSrv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		dispatch := func(t *testing.T) {
			t.Helper()
			for {
				n, err := r.disp.DispatchOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			if err := r.sim.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// told reports whether a push to openid (customer-service or
		// template message) says want.
		told := func(openid, want string) bool {
			for _, m := range r.sim.Messages(openid) {
				if m.Kind != wechatsim.KindTemplate && m.Kind != wechatsim.KindCustom {
					continue
				}
				if strings.Contains(m.Text, want) {
					return true
				}
				for _, v := range m.Fields {
					if strings.Contains(v, want) {
						return true
					}
				}
			}
			return false
		}
		say := func(t *testing.T, u *wechatsim.User, text string) string {
			t.Helper()
			reply, err := u.SendText(ctx, text)
			if err != nil || reply.Msg == nil {
				t.Fatalf("%q: %+v %v", text, reply, err)
			}
			return reply.Msg.Text
		}
		expect := func(t *testing.T, got string, wants ...string) {
			t.Helper()
			for _, w := range wants {
				if !strings.Contains(got, w) {
					t.Fatalf("the reply lacks %q:\n%s", w, got)
				}
			}
		}
		var wang, li model.Deputy
		for _, d := range []struct {
			p            *model.Deputy
			name, openid string
		}{{&wang, "王芳", "o-sg-wang"}, {&li, "李强", "o-sg-li"}} {
			*d.p = model.Deputy{Name: d.name, Delegation: "济南市代表团", Level: model.LevelProvincial,
				Phone: fmt.Sprintf("1371111%04d", len(d.openid)+len(d.name))}
			if err := db.CreateDeputy(ctx, d.p); err != nil {
				t.Fatal(err)
			}
			if err := db.BindDeputy(ctx, d.p.ID, d.openid); err != nil {
				t.Fatal(err)
			}
			if _, err := r.sim.User(d.openid).Follow(ctx); err != nil {
				t.Fatal(err)
			}
		}
		author, cosigner := r.sim.User("o-sg-wang"), r.sim.User("o-sg-li")
		// The handling unit's staff member, bound to WeChat.
		unit, _, err := svc.Staff.Create(ctx, core.NewAccount{Username: "jtt", Name: "交通厅承办人", Role: model.RoleUnit,
			Unit: "省交通运输厅", Password: "Unit-Pass-2026"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.BindStaffWeChat(ctx, unit.ID, "o-sg-unit"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.sim.User("o-sg-unit").Follow(ctx); err != nil {
			t.Fatal(err)
		}

		expect(t, say(t, author, "提建议"), "请回复建议的标题")
		expect(t, say(t, author, "关于增加农村公交班次的建议"), "请输入建议的内容")
		say(t, author, "目前农村公交班次少，群众出行不便。")
		say(t, author, "建议增加早晚高峰班次。")
		expect(t, say(t, author, "完成"), "请选择建议的类别", "交通运输")
		expect(t, say(t, author, "交通运输"), "附议")
		expect(t, say(t, author, "王五"), "“王五”不是代表名册中的代表")
		expect(t, say(t, author, "王芳"), "领衔代表不能附议自己的建议")
		expect(t, say(t, author, "李强"), "附议代表：李强", "建议增加早晚高峰班次")
		expect(t, say(t, author, "是"), "已提交", "已邀请 李强 附议")

		dispatch(t)
		if !told("o-sg-li", "附议") {
			t.Fatalf("the co-signer was not asked: %+v", r.sim.Messages("o-sg-li"))
		}
		expect(t, say(t, cosigner, "同意"), "已同意附议建议《关于增加农村公交班次的建议》")
		dispatch(t)
		if !told("o-sg-wang", "李强代表同意附议") {
			t.Fatalf("the author was not told of the co-signature: %+v", r.sim.Messages("o-sg-wang"))
		}

		status, body := call(t, "GET", "/api/v1/suggestions?source=deputy&status=submitted", "")
		var list struct {
			Total       int `json:"total"`
			Suggestions []struct {
				ID     int64  `json:"id"`
				Number string `json:"number"`
				Status string `json:"status"`
			} `json:"suggestions"`
		}
		if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || list.Total != 1 {
			t.Fatalf("the review list: %d %s %v", status, body, err)
		}
		sg := list.Suggestions[0]
		status, body = call(t, "POST", fmt.Sprintf("/api/v1/suggestions/%d/review", sg.ID), `{"action":"accept","units":["省交通运输厅"]}`)
		if status != 200 || !strings.Contains(body, `"status":"assigned"`) || !strings.Contains(body, `"host_unit":"省交通运输厅"`) {
			t.Fatalf("accept: %d %s", status, body)
		}
		status, body = call(t, "GET", fmt.Sprintf("/api/v1/suggestions/%d", sg.ID), "")
		if status != 200 || !strings.Contains(body, `"name":"李强","state":"confirmed"`) || !strings.Contains(body, `"kind":"submitted"`) {
			t.Fatalf("the suggestion's co-signers and history: %d %s", status, body)
		}
		dispatch(t)
		for _, openid := range []string{"o-sg-wang", "o-sg-li"} {
			if !told(openid, sg.Number+"建议已交办") {
				t.Fatalf("%s was not told of the assignment: %+v", openid, r.sim.Messages(openid))
			}
		}
		if !told("o-sg-unit", "新交办建议") {
			t.Fatalf("the unit's bound staff member was not told: %+v", r.sim.Messages("o-sg-unit"))
		}

		var buf bytes.Buffer
		buf.WriteString(`{"kind":"replied","reply_category":"A","note":"已于12月起增加早晚高峰班次。","actor":"省交通运输厅"}`)
		status, body = call(t, "POST", fmt.Sprintf("/api/v1/suggestions/%d/steps", sg.ID), buf.String())
		if status != 201 {
			t.Fatalf("the unit's reply: %d %s", status, body)
		}
		dispatch(t)
		for _, openid := range []string{"o-sg-wang", "o-sg-li"} {
			if !told(openid, "满意度测评") {
				t.Fatalf("%s got no rating request: %+v", openid, r.sim.Messages(openid))
			}
		}
		asks, err := db.OpenAsks(ctx, wang.ID)
		if err != nil || len(asks) != 1 || asks[0].Flow != core.FlowRate || asks[0].RefID != sg.ID {
			t.Fatalf("the author's open asks: %+v %v", asks, err)
		}
	})
}
