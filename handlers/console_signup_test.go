package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestTheMeetingPageOpensSignUpAndListsTheWaitingList(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ds := campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	id := createMeeting(t, w, c, meetingForm("乡村振兴专题调研"))
	path := "/admin/meetings/" + strconv.FormatInt(id, 10)
	if res := w.get(t, c, path); !strings.Contains(res.body, "未开放报名") || !strings.Contains(res.body, "开放报名</button>") {
		t.Fatalf("a meeting not open for sign-up: %s", res.body)
	}
	res := w.postForm(t, c, path+"/signup", url.Values{"capacity": {"0"}, "deadline": {"2026-03-11T09:00"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请填写 1 到 10000 之间的整数") ||
		!strings.Contains(res.body, "不能晚于活动开始时间") {
		t.Fatalf("a bad form: %d %s", res.status, res.body)
	}
	res = w.postForm(t, c, path+"/signup", url.Values{"capacity": {"1"}, "deadline": {"2026-03-08T18:00"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("open: %d %s", res.status, res.body)
	}
	svc := core.New(db, core.Options{Now: w.clock.Now})
	for _, d := range ds[:2] {
		if _, err := svc.Meetings.SignUp(t.Context(), core.DeputyActor(d, core.ViaWeChat), id); err != nil {
			t.Fatal(err)
		}
	}
	page := w.get(t, c, path)
	for _, want := range []string{"名额 <b>1</b>", "已报名 <b>1</b>", "候补 <b>1</b>", ds[1].Name, "候补第 1 位", "修改报名设置",
		`value="2026-03-08T18:00"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if list := w.get(t, c, "/admin/meetings"); !strings.Contains(list.body, "<td>1/1，候补 1</td>") {
		t.Errorf("the meetings list does not show the sign-up: %s", list.body)
	}
	if res := w.apiJSON(t, model.RoleReadonly, "GET", "/api/v1/meetings/"+strconv.FormatInt(id, 10), ""); !strings.Contains(res.body,
		`"signup":{"meeting_id":`+strconv.FormatInt(id, 10)+`,"capacity":1,`) || !strings.Contains(res.body, `"waiting":1`) {
		t.Errorf("the API's meeting does not show the sign-up: %s", res.body)
	}
	if ro := w.login(t, model.RoleReadonly); strings.Contains(w.get(t, ro, path).body, "修改报名设置") {
		t.Error("a read-only account sees the sign-up form")
	}
}
