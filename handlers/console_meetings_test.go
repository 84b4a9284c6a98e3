package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

var meetingPath = regexp.MustCompile(`^/admin/meetings/(\d+)$`)

func meetingForm(title string) url.Values {
	return url.Values{"kind": {"research"}, "title": {title}, "starts_at": {"2026-03-10T09:00"}, "ends_at": {"2026-03-10T17:00"},
		"place": {"省人大常委会机关 201 会议室"}, "organiser": {"代表工作委员会"}, "contact": {"张明 0531-1234567"},
		"rsvp_deadline": {"2026-03-08T18:00"}}
}

func createMeeting(t *testing.T, w *adminWorld, c *http.Client, form url.Values) int64 {
	t.Helper()
	res := w.postForm(t, c, "/admin/meetings", form)
	m := meetingPath.FindStringSubmatch(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || m == nil {
		t.Fatalf("create meeting: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestTheMeetingFormShowsErrorsBesideTheFields(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	c := w.login(t, model.RoleStaff)
	form := meetingForm("")
	form.Set("kind", "party")
	form.Set("ends_at", "2026-03-09T09:00")
	form.Set("rsvp_deadline", "2026-03-11T09:00")
	res := w.postForm(t, c, "/admin/meetings", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s", res.status, res.body)
	}
	for _, want := range []string{`maxlength="100" required><div class="err">不能为空</div>`, "请选择会议活动类型",
		"不能早于开始时间", "不能晚于开始时间"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	form = meetingForm("调研")
	form.Set("starts_at", "下周一")
	if res := w.postForm(t, c, "/admin/meetings", form); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "请填写日期和时间") {
		t.Fatalf("an unreadable time: %d", res.status)
	}
	if _, total, _ := db.ListMeetings(t.Context(), model.MeetingFilter{}); total != 0 {
		t.Fatalf("invalid forms created %d meetings", total)
	}
}

func TestAMeetingIsCreatedInvitedAnsweredRemindedAndSignedIn(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ds := campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	id := createMeeting(t, w, c, meetingForm("乡村振兴专题调研"))
	path := "/admin/meetings/" + strconv.FormatInt(id, 10)
	ctx := t.Context()

	res := w.postForm(t, c, path+"/invite", url.Values{"delegation": {"济南市代表团"}, "action": {"preview"}})
	if res.status != http.StatusOK || !strings.Contains(res.body, "将发送给 3 位代表，其中 1 位未绑定") {
		t.Fatalf("invite preview: %d %s", res.status, res.body)
	}
	if res := w.postForm(t, c, path+"/invite", url.Values{"action": {"invite"}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("inviting no one: %d", res.status)
	}
	res = w.postForm(t, c, path+"/invite", url.Values{"delegation": {"济南市代表团"}, "action": {"invite"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", res.status, res.body)
	}
	if page := w.get(t, c, path); !strings.Contains(page.body, "已邀请 3 位代表") || !strings.Contains(page.body, "待回复 <b>3</b>") {
		t.Fatalf("after inviting: %s", page.body)
	}
	w.postForm(t, c, path+"/invite", url.Values{"deputy_ids": {strconv.FormatInt(ds[0].ID, 10)}, "action": {"invite"}})
	if page := w.get(t, c, path); !strings.Contains(page.body, "已邀请 0 位代表") || !strings.Contains(page.body, "另有 1 位此前已邀请") {
		t.Fatalf("inviting twice: %s", page.body)
	}
	var invitations int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE source LIKE 'm%'`).Scan(&invitations); err != nil || invitations != 3 {
		t.Fatalf("invitation pushes: %d %v", invitations, err)
	}

	compose := w.get(t, c, "/admin/campaigns/new?meeting="+strconv.FormatInt(id, 10))
	if compose.status != http.StatusOK || !strings.Contains(compose.body, `name="meeting_id" value="`+strconv.FormatInt(id, 10)+`"`) {
		t.Fatalf("a notice to the invitees: %d", compose.status)
	}
	cid := createCampaign(t, w, c, url.Values{"kind": {"general_notice"}, "title": {"调研地点变更"}, "when": {"now"},
		"meeting_id": {strconv.FormatInt(id, 10)}, "action": {"send"}})
	if cp, _ := db.GetCampaign(ctx, cid); cp.Audience.MeetingID != id {
		t.Fatalf("the notice's audience %+v", cp.Audience)
	}

	meetings := core.New(db, core.Options{Now: w.clock.Now}).Meetings
	if _, err := meetings.RSVP(ctx, core.DeputyActor(ds[0], core.ViaWeChat), id, model.RSVPAttend, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := meetings.RSVP(ctx, core.DeputyActor(ds[1], core.ViaH5), id, model.RSVPLeave, "在外地出差"); err != nil {
		t.Fatal(err)
	}
	res = w.get(t, c, path)
	for _, want := range []string{"参加 <b>1</b>", "请假 <b>1</b>", "待回复 <b>1</b>", "在外地出差", "微信对话", "详情页", "立即提醒 1 位未回复代表"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the RSVP table lacks %q", want)
		}
	}
	if list := w.get(t, c, "/admin/meetings"); !strings.Contains(list.body, "乡村振兴专题调研") || !strings.Contains(list.body, `<td class="ok">1</td><td>1</td>`) {
		t.Fatalf("list: %s", list.body)
	}

	for range 2 {
		if res := w.postForm(t, c, path+"/remind", nil); res.status != http.StatusSeeOther {
			t.Fatalf("remind: %d %s", res.status, res.body)
		}
		w.clock.Advance(time.Second)
	}
	var reminders int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE source LIKE 'rsvpnow-%' AND deputy_id = ?`, ds[2].ID).Scan(&reminders); err != nil || reminders != 2 {
		t.Fatalf("reminders to the one who has not answered: %d %v", reminders, err)
	}

	shown := url.Values{"shown": {strconv.FormatInt(ds[0].ID, 10), strconv.FormatInt(ds[1].ID, 10)},
		"attended": {strconv.FormatInt(ds[0].ID, 10)}, "back": {path + "?status=attend"}}
	if res := w.postForm(t, c, path+"/attendance", shown); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "开始前不能保存签到") {
		t.Fatalf("attendance before the start: %d", res.status)
	}
	if page := w.get(t, c, path); !strings.Contains(page.body, "开始后才能在此登记签到") || strings.Contains(page.body, `name="attended"`) {
		t.Fatal("before the start the page offers to take attendance")
	}
	w.clock.Set(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)) // 10:00 in Shanghai: started
	none := url.Values{"shown": shown["shown"], "back": shown["back"]}
	if res := w.postForm(t, c, path+"/attendance", none); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "我确认这 2 位代表都没有到会") {
		t.Fatalf("nobody ticked: %d %s", res.status, res.body)
	}
	none.Set("none_attended", "1")
	if res := w.postForm(t, c, path+"/attendance", none); res.status != http.StatusSeeOther {
		t.Fatalf("nobody ticked, confirmed: %d %s", res.status, res.body)
	}
	res = w.postForm(t, c, path+"/attendance", shown)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != path+"?status=attend" {
		t.Fatalf("attendance: %d %s", res.status, res.header.Get("Location"))
	}
	a, _ := db.GetInvitation(ctx, id, ds[0].ID)
	b, _ := db.GetInvitation(ctx, id, ds[1].ID)
	if !a.Attended.Bool || !b.Attended.Valid || b.Attended.Bool {
		t.Fatalf("attended %+v %+v", a.Attended, b.Attended)
	}
	if res := w.postForm(t, c, path+"/attendance", url.Values{"shown": {"9999"}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("an uninvited deputy: %d", res.status)
	}
	if page := w.get(t, c, path); !strings.Contains(page.body, "已签到 <b>1</b>") {
		t.Fatal("the attended count is not shown")
	}

	x := w.get(t, c, path+"/export")
	if x.status != http.StatusOK || !strings.Contains(x.header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("export: %d %v", x.status, x.header)
	}
	f, err := excelize.OpenReader(strings.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("签到表")
	if err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != "姓名,代表团,回执,签到" {
		t.Fatalf("sign-in sheet %v %v", rows, err)
	}
	if strings.Join(rows[2][:3], ",") != "王芳,济南市代表团,参加" || rows[1][2] != "请假（在外地出差）" {
		t.Fatalf("sign-in rows %v", rows)
	}
	got := w.auditActions(t)
	for _, a := range []string{"meeting.create", "meeting.invite", "meeting.remind", "meeting.attendance", "meeting.export"} {
		if got[a] == 0 {
			t.Errorf("no audit entry %s: %v", a, got)
		}
	}

	w.clock.Advance(7 * 24 * time.Hour)
	if res := w.postForm(t, c, path+"/remind", nil); res.status != http.StatusConflict {
		t.Fatalf("remind after the deadline: %d", res.status)
	}
}

func TestAReadOnlyAccountSeesMeetingsButChangesNothing(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ds := campaignDeputies(t, w)
	id := createMeeting(t, w, w.login(t, model.RoleStaff), meetingForm(xssName))
	path := "/admin/meetings/" + strconv.FormatInt(id, 10)
	if _, err := core.NewMeetings(db).Invite(t.Context(), core.CLIActor(model.Account{}, "test"), id, model.Audience{DeputyIDs: []int64{ds[0].ID}}); err != nil {
		t.Fatal(err)
	}
	ro := w.login(t, model.RoleReadonly)
	for _, p := range []string{"/admin/meetings", path} {
		res := w.get(t, ro, p)
		if res.status != http.StatusOK || strings.Contains(res.body, `name="attended"`) || strings.Contains(res.body, "/invite") {
			t.Errorf("%s: %d, or controls shown", p, res.status)
		}
		if strings.Contains(res.body, xssName) || !strings.Contains(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the title is shown raw or not at all", p)
		}
	}
	for _, p := range []string{"/invite", "/remind", "/attendance"} {
		if res := w.postForm(t, ro, path+p, url.Values{"all": {"1"}, "action": {"invite"}}); res.status != http.StatusForbidden {
			t.Errorf("%s: %d", p, res.status)
		}
	}
	if res := w.get(t, ro, path+"/export"); res.status != http.StatusForbidden {
		t.Fatalf("export: %d", res.status)
	}
}
