package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// inboxFixtures stores a deputy's message and a citizen's, as the chat
// would, and returns them.
func inboxFixtures(t *testing.T, w *adminWorld) (fromDeputy, fromPublic model.Message) {
	t.Helper()
	ctx := context.Background()
	d := w.deputy(t, "留言代表", "13866660001")
	if err := w.db.BindDeputy(ctx, d.ID, "o-console-deputy"); err != nil {
		t.Fatal(err)
	}
	fromDeputy = model.Message{OpenID: "o-console-deputy", DeputyID: d.ID, Body: "请问学习班什么时候报名？\n需要带什么材料？"}
	fromPublic = model.Message{OpenID: "o-console-citizen", Body: "村口的路灯<b>坏了</b>两个月了。"}
	for _, m := range []*model.Message{&fromDeputy, &fromPublic} {
		if err := w.db.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return fromDeputy, fromPublic
}

func TestTheInboxThroughTheAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		fromDeputy, fromPublic := inboxFixtures(t, w)
		call := func(role, method, path, body string) result {
			t.Helper()
			ct := ""
			if body != "" {
				ct = "application/json"
			}
			return w.api(t, role, method, path, ct, strings.NewReader(body))
		}
		decode := func(res result, v any) {
			t.Helper()
			if err := json.Unmarshal([]byte(res.body), v); err != nil {
				t.Fatalf("%s: %v", res.body, err)
			}
		}
		fields := func(res result) []string {
			t.Helper()
			var e struct {
				Fields []struct{ Field string } `json:"fields"`
			}
			decode(res, &e)
			var out []string
			for _, f := range e.Fields {
				out = append(out, f.Field)
			}
			return out
		}

		t.Run("a read-only account lists the inbox by sender and status", func(t *testing.T) {
			res := call(model.RoleReadonly, "GET", "/api/v1/messages?sender=public&status=unread", "")
			var page struct {
				Total    int
				Messages []struct {
					ID             int64
					Receipt, Text  string
					Sender, Status string
				}
			}
			decode(res, &page)
			if res.status != 200 || page.Total != 1 || page.Messages[0].ID != fromPublic.ID || page.Messages[0].Sender != "public" ||
				page.Messages[0].Text != fromPublic.Body {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res := call(model.RoleReadonly, "GET", "/api/v1/messages?status=new", ""); res.status != 422 ||
				fmt.Sprint(fields(res)) != "[status]" {
				t.Fatalf("an unknown status: %d %s", res.status, res.body)
			}
			if res := call(model.RoleReadonly, "GET", "/api/v1/messages?assignee=x", ""); res.status != 400 {
				t.Fatalf("a bad assignee: %d %s", res.status, res.body)
			}
			if res := call(model.RoleUnit, "GET", "/api/v1/messages", ""); res.status != 403 {
				t.Fatalf("a unit account: %d %s", res.status, res.body)
			}
		})
		t.Run("refused changes say which field and change nothing", func(t *testing.T) {
			before := w.auditActions(t)
			for _, c := range []struct {
				role, path, body string
				status           int
				field            string
			}{
				{model.RoleReadonly, "reply", `{"text":"答复"}`, 403, ""},
				{model.RoleStaff, "reply", `{"text":"  "}`, 422, "text"},
				{model.RoleStaff, "reply", `{"text":"` + strings.Repeat("长", 2001) + `"}`, 422, "text"},
				{model.RoleStaff, "reply", `{"txt":"答复"}`, 400, ""},
				{model.RoleStaff, "assign", fmt.Sprintf(`{"staff_id":%d}`, w.accounts[model.RoleReadonly].ID), 422, "staff_id"},
				{model.RoleStaff, "close", `{"note":"` + strings.Repeat("因", 201) + `"}`, 422, "note"},
			} {
				res := call(c.role, "POST", fmt.Sprintf("/api/v1/messages/%d/%s", fromDeputy.ID, c.path), c.body)
				if res.status != c.status || (c.field != "" && fmt.Sprint(fields(res)) != "["+c.field+"]") {
					t.Errorf("%s %s as %s: %d %s", c.path, c.body[:min(len(c.body), 40)], c.role, res.status, res.body)
				}
			}
			if res := call(model.RoleStaff, "POST", "/api/v1/messages/999/reply", `{"text":"答复"}`); res.status != 404 {
				t.Errorf("an unknown message: %d %s", res.status, res.body)
			}
			if after := w.auditActions(t); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("audit %v became %v", before, after)
			}
		})
		t.Run("staff assign, reply and close; the replies show their push", func(t *testing.T) {
			staff := w.accounts[model.RoleStaff]
			res := call(model.RoleAdmin, "POST", fmt.Sprintf("/api/v1/messages/%d/assign", fromDeputy.ID), fmt.Sprintf(`{"staff_id":%d}`, staff.ID))
			if res.status != 200 || !strings.Contains(res.body, `"status":"assigned"`) {
				t.Fatalf("assign: %d %s", res.status, res.body)
			}
			if res := call(model.RoleStaff, "GET", "/api/v1/messages?assignee=me", ""); !strings.Contains(res.body, fromDeputy.Receipt) ||
				strings.Contains(res.body, fromPublic.Receipt) {
				t.Fatalf("assigned to me: %s", res.body)
			}
			res = call(model.RoleStaff, "POST", fmt.Sprintf("/api/v1/messages/%d/reply", fromDeputy.ID), `{"text":"4月初报名，带身份证即可。"}`)
			if res.status != 201 || !strings.Contains(res.body, `"status":"queued"`) {
				t.Fatalf("reply: %d %s", res.status, res.body)
			}
			var th struct {
				Status    string
				ReplyList []struct {
					Text     string
					Delivery struct{ Status string }
				} `json:"reply_list"`
			}
			res = call(model.RoleReadonly, "GET", fmt.Sprintf("/api/v1/messages/%d", fromDeputy.ID), "")
			decode(res, &th)
			if th.Status != model.MessageReplied || len(th.ReplyList) != 1 || th.ReplyList[0].Delivery.Status != model.DeliveryQueued {
				t.Fatalf("the thread: %s", res.body)
			}
			if res := call(model.RoleStaff, "POST", fmt.Sprintf("/api/v1/messages/%d/close", fromPublic.ID), ""); res.status != 200 ||
				!strings.Contains(res.body, `"status":"closed"`) {
				t.Fatalf("close without a body: %d %s", res.status, res.body)
			}
			if res := call(model.RoleStaff, "POST", fmt.Sprintf("/api/v1/messages/%d/reply", fromPublic.ID), `{"text":"迟到的答复"}`); res.status != 409 ||
				!strings.Contains(res.body, "已关闭") {
				t.Fatalf("a reply to a closed message: %d %s", res.status, res.body)
			}
			a := w.auditActions(t)
			if a["message.assign"] != 1 || a["message.reply"] != 1 || a["message.close"] != 1 {
				t.Fatalf("audit %v", a)
			}
		})
		t.Run("the export is a workbook for editors only", func(t *testing.T) {
			res := call(model.RoleStaff, "GET", "/api/v1/messages/export?sender=deputy", "")
			if res.status != 200 || !strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(res.body, "PK") {
				t.Fatalf("export: %d %s", res.status, res.header)
			}
			if res := call(model.RoleReadonly, "GET", "/api/v1/messages/export", ""); res.status != 403 {
				t.Fatalf("read-only export: %d", res.status)
			}
		})
	})
}

func TestTheInboxInTheConsole(t *testing.T) {
	w := newAdminWorld(t, storagetest.Open(t, storage.SQLite), "")
	fromDeputy, fromPublic := inboxFixtures(t, w)
	staff, ro := w.login(t, model.RoleStaff), w.login(t, model.RoleReadonly)
	msgPath := fmt.Sprintf("/admin/messages/%d", fromDeputy.ID)

	t.Run("the list shows each status with its count and filters by sender", func(t *testing.T) {
		res := w.get(t, ro, "/admin/messages")
		for _, want := range []string{"未读 2", "已答复 0", fromDeputy.Receipt, fromPublic.Receipt, "留言代表", "群众", "&lt;b&gt;坏了"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the list lacks %q", want)
			}
		}
		if strings.Contains(res.body, "导出 Excel") {
			t.Error("a read-only account is offered the export")
		}
		res = w.get(t, staff, "/admin/messages?sender=public")
		if strings.Contains(res.body, fromDeputy.Receipt) || !strings.Contains(res.body, fromPublic.Receipt) {
			t.Fatalf("filtered by the public: %s", res.body)
		}
	})
	t.Run("a refused reply shows the page again with the text and the reason", func(t *testing.T) {
		res := w.postForm(t, staff, msgPath+"/reply", url.Values{"text": {strings.Repeat("长", 2001)}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "最多 2000 字") || !strings.Contains(res.body, "长长长") {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if res := w.postForm(t, ro, msgPath+"/reply", url.Values{"text": {"答复"}}); res.status != http.StatusForbidden {
			t.Fatalf("a read-only reply: %d", res.status)
		}
	})
	t.Run("staff assign a colleague, reply and close", func(t *testing.T) {
		colleague := w.accounts[model.RoleAdmin]
		res := w.postForm(t, staff, msgPath+"/assign", url.Values{"staff_id": {fmt.Sprint(colleague.ID)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
		res = w.postForm(t, staff, msgPath+"/reply", url.Values{"text": {"4月初报名。\n带身份证即可。"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("reply: %d %s", res.status, res.body)
		}
		page := w.get(t, staff, msgPath)
		for _, want := range []string{"答复已保存", "已答复", colleague.DisplayName(), "带身份证即可", "排队中", "需要带什么材料"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the message page lacks %q", want)
			}
		}
		res = w.postForm(t, staff, msgPath+"/close", url.Values{"note": {"已答复完毕"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		page = w.get(t, staff, msgPath)
		if !strings.Contains(page.body, "已关闭") || strings.Contains(page.body, `action="`+msgPath+`/reply"`) {
			t.Fatalf("a closed message still offers a reply:\n%s", page.body)
		}
	})
	t.Run("the export downloads a workbook", func(t *testing.T) {
		res := w.get(t, staff, "/admin/messages/export?status=closed")
		if res.status != 200 || !strings.HasPrefix(res.body, "PK") {
			t.Fatalf("export: %d %s", res.status, res.header)
		}
	})
}
