package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestSitInConsoleProposesInvitesAndShowsCoverage(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ctx := t.Context()
	a := w.deputy(t, "王芳", "13800000001")
	w.deputy(t, "李强", "13800000002")
	gone := w.deputy(t, "张伟", "13800000003")
	if err := db.TerminateDeputy(ctx, gone.ID, w.clock.Now(), "调离"); err != nil {
		t.Fatal(err)
	}
	at := w.clock.Now().Add(30 * 24 * time.Hour)
	m := model.Meeting{Kind: "session", Title: "省人大常委会第二十次会议", StartsAt: at, RSVPDeadline: at.Add(-72 * time.Hour)}
	if err := db.CreateMeeting(ctx, &m); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/meetings/%d/sitin", m.ID)
	staff := w.login(t, model.RoleStaff)

	t.Run("the form proposes deputies in office with their reasons", func(t *testing.T) {
		res := w.get(t, staff, path)
		if res.status != http.StatusOK || !strings.Contains(res.body, "推荐人选") || strings.Contains(res.body, "推荐名单") {
			t.Fatalf("form: %d", res.status)
		}
		res = w.get(t, staff, path+"?n=5&topics="+url.QueryEscape("教育、医疗"))
		if res.status != http.StatusOK || !strings.Contains(res.body, "王芳") || !strings.Contains(res.body, "李强") ||
			strings.Contains(res.body, "张伟") || !strings.Contains(res.body, "本届未列席") ||
			!strings.Contains(res.body, fmt.Sprintf(`name="deputy_id" value="%d" aria-label="邀请王芳" checked`, a.ID)) {
			t.Fatalf("proposal: %d %s", res.status, res.body)
		}
		if res := w.get(t, staff, path+"?n=0"); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "人数应为 1 到 500") {
			t.Fatalf("n=0: %d", res.status)
		}
	})

	t.Run("a bad choice invites no one", func(t *testing.T) {
		for form, want := range map[string]string{
			"n=5":                                    "请至少勾选一位代表",
			"n=5&deputy_id=abc":                      "所选代表编号有误",
			fmt.Sprintf("n=5&deputy_id=%d", gone.ID): "已不在任或已被邀请",
		} {
			v, _ := url.ParseQuery(form)
			res := w.postForm(t, staff, path, v)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, want) {
				t.Errorf("%s: %d, want %q", form, res.status, want)
			}
		}
		if n, _ := db.RSVPCounts(ctx, m.ID); len(n) != 0 {
			t.Fatalf("invited %v", n)
		}
	})

	t.Run("inviting the checked deputies is audited and leaves them out of the next proposal", func(t *testing.T) {
		res := w.postForm(t, staff, path, url.Values{"n": {"5"}, "topics": {"教育"}, "deputy_id": {fmt.Sprint(a.ID)}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprintf("/admin/meetings/%d", m.ID) {
			t.Fatalf("invite: %d %s", res.status, res.body)
		}
		if inv, err := db.GetInvitation(ctx, m.ID, a.ID); err != nil || inv.Status != model.RSVPPending {
			t.Fatalf("invitation %+v %v", inv, err)
		}
		if w.auditActions(t)["meeting.sitin"] != 1 {
			t.Fatalf("audit %v", w.auditActions(t))
		}
		res = w.get(t, staff, path+"?n=5")
		if strings.Contains(res.body, "王芳") || !strings.Contains(res.body, "李强") {
			t.Fatalf("after inviting 王芳: %s", res.body)
		}
	})

	t.Run("the coverage page counts those who sat in, for read-only accounts too", func(t *testing.T) {
		if err := db.AnswerInvitation(ctx, m.ID, a.ID, model.RSVPAttend, "", "wechat"); err != nil {
			t.Fatal(err)
		}
		res := w.get(t, w.login(t, model.RoleReadonly), "/admin/sitin/coverage?year=2026&term=2023-01-01")
		if res.status != http.StatusOK || !strings.Contains(res.body, "济南市代表团") || !strings.Contains(res.body, "50.0%") ||
			!strings.Contains(res.body, "<b>1 / 2</b>") || strings.Contains(res.body, path) {
			t.Fatalf("coverage: %d %s", res.status, res.body)
		}
		if res := w.get(t, staff, "/admin/sitin/coverage"); res.status != http.StatusOK || !strings.Contains(res.body, path) {
			t.Fatalf("staff see the link to propose: %d", res.status)
		}
		if res := w.get(t, staff, "/admin/sitin/coverage?term=tomorrow"); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad date: %d", res.status)
		}
	})
}
