// Package e2e drives the real deputybot binary in simulator mode through
// headless Chromium: the staff console, the simulated phone and the H5
// pages a push links to, as a newcomer and a deputy would use them.
//
// It needs Debian's chromium (scripts/e2e.sh and .ci/run install it); the
// tests skip without it, except in CI (CI=true), where they fail.
// E2E_SCREENSHOTS=1 writes the screenshots to docs/screenshots/ instead of
// a temporary folder.
package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
)

// newPassword replaces the one-time admin password.
const newPassword = "E2e-Console-2026"

// journey is the state the steps of TestBrowserJourney share.
type journey struct {
	srv      *server
	db       *storage.DB // the server's SQLite file, opened beside it (WAL)
	shots    string      // where screenshots go
	console  *tab        // staff console, laptop-sized
	phone    *tab        // the simulator's phone page, phone-sized
	h5       *tab        // H5 pages opened from pushes, phone-sized
	openid   string      // the phone's simulated user
	deputy   model.Deputy
	shanghai *time.Location
	browser  context.Context // chromium, closed at the end of the walk
	// dialogs accepts the console's confirmations and keeps what they said.
	dialogs *dialogs
}

// step is one step of a browser journey.
type step struct {
	name string
	run  func(*testing.T, context.Context)
}

// startJourney builds deputybot, starts it in simulator mode on a
// database of its own (opened beside it as j.db) and opens the console
// and the simulator's phone, and with h5 a second phone for the H5 pages
// pushes open; ctx bounds the whole journey.
func startJourney(t *testing.T, h5 bool) (context.Context, *journey) {
	return startJourneyEnv(t, h5)
}

// startJourneyEnv is startJourney with more environment variables for
// the server (see startServerEnv).
func startJourneyEnv(t *testing.T, h5 bool, extra ...string) (context.Context, *journey) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	dir := t.TempDir()
	bin := buildServer(t, dir)
	j := &journey{srv: startServerEnv(t, bin, dir, extra...), shots: screenshotDir(t), shanghai: time.FixedZone("CST", 8*3600)}
	db, err := storage.Open(ctx, "sqlite", j.srv.DBPath)
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	j.db = db
	j.browser = browser(t, ctx)
	j.console = newTab(t, j.browser, j.srv.URL, 1280, 900)
	j.dialogs = j.console.recordDialogs()
	j.phone = newTab(t, j.browser, j.srv.URL, 414, 860)
	if h5 {
		j.h5 = newTab(t, j.browser, j.srv.URL, 414, 860)
	}
	return ctx, j
}

// walk runs the steps in order (after a failure the rest are skipped),
// then closes the phone page, chromium and the server.
func (j *journey) walk(t *testing.T, ctx context.Context, steps []step) {
	ok := true
	for _, s := range steps {
		ok = t.Run(s.name, func(t *testing.T) {
			if !ok {
				t.Skip("skipped: an earlier step failed")
			}
			s.run(t, ctx)
		}) && ok
	}
	if err := chromedp.Do(j.phone.ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Logf("leave the phone page: %v", err)
	}
	if err := chromedp.Cancel(j.browser); err != nil {
		t.Logf("close chromium: %v", err)
	}
	j.srv.stop(t)
}

func TestBrowserJourney(t *testing.T) {
	chromiumPath(t) // skip (or fail in CI) before building anything
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	dir := t.TempDir()
	bin := buildServer(t, dir)
	t.Logf("built deputybot in %v", time.Since(start).Round(time.Millisecond))
	j := &journey{srv: startServer(t, bin, dir), shots: screenshotDir(t), shanghai: time.FixedZone("CST", 8*3600)}
	db, err := storage.Open(ctx, "sqlite", j.srv.DBPath)
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	defer db.Close()
	j.db = db

	bctx := browser(t, ctx)
	j.console = newTab(t, bctx, j.srv.URL, 1280, 900)
	j.console.answerDialogs("") // sending a notice is confirmed first
	j.phone = newTab(t, bctx, j.srv.URL, 414, 860)
	j.h5 = newTab(t, bctx, j.srv.URL, 414, 860)

	steps := []struct {
		name string
		run  func(*testing.T, context.Context)
	}{
		{"staff logs in with the one-time password and must change it first", j.login},
		{"staff imports deputies from Excel and sees the row report", j.importDeputies},
		{"a deputy follows and binds on the simulated phone", j.bindOnPhone},
		{"staff composes a notice to all and watches it reach the phone", j.sendNotice},
		{"a deputy answers a meeting invitation in the chat and sees it on the H5 page", j.answerRSVP},
		{"a deputy rates a suggestion's handling in the chat and the rates change", j.rateSuggestion},
	}
	ok := true
	for _, s := range steps {
		ok = t.Run(s.name, func(t *testing.T) {
			if !ok {
				t.Skip("skipped: an earlier step failed")
			}
			began := time.Now()
			s.run(t, ctx)
			t.Logf("took %v", time.Since(began).Round(time.Millisecond))
		}) && ok
	}

	// Leave the phone page first, which ends its long poll, then close the
	// browser. (An open /sim long poll holds the server's HTTP shutdown for
	// up to its 25 s wait, past the 10 s the stop below allows.)
	if err := chromedp.Do(j.phone.ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Logf("leave the phone page: %v", err)
	}
	if err := chromedp.Cancel(bctx); err != nil {
		t.Logf("close chromium: %v", err)
	}
	t.Run("the server stops cleanly on SIGTERM within 10 s", func(t *testing.T) { j.srv.stop(t) })
	t.Logf("whole journey: %v; screenshots in %s", time.Since(start).Round(time.Millisecond), j.shots)
}

func (j *journey) login(t *testing.T, _ context.Context) {
	c := j.console
	c.open(t, "/admin/")
	if p := c.path(t); p != "/admin/login" {
		t.Fatalf("an anonymous visit to /admin/ landed on %s, want the login page", p)
	}
	c.pageHas(t, "登录")
	c.screenshot(t, j.shots, "console-login.png")

	c.do(t,
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), j.srv.Password),
	)
	c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type=submit]`)))
	if p := c.path(t); p != "/admin/password" {
		t.Fatalf("after the first login the console showed %s, want the forced password change", p)
	}
	c.pageHas(t, "修改密码")
	c.screenshot(t, j.shots, "console-password.png")

	c.do(t,
		chromedp.SendKeys(chromedp.CSS("#current"), j.srv.Password),
		chromedp.SendKeys(chromedp.CSS("#password"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#confirm"), newPassword),
	)
	c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/password"] button[type=submit]`)))
	if p := c.path(t); p != "/admin/" {
		t.Fatalf("after the password change the console showed %s, want the dashboard", p)
	}
	c.pageHas(t, "密码已修改")
	if h := c.text(t, "main h1"); h != "首页" {
		t.Fatalf("dashboard heading %q, want 首页", h)
	}
	c.pageHas(t, "代表总数")
	c.screenshot(t, j.shots, "console-dashboard.png")
}

var totalDeputies = regexp.MustCompile(`共\s*(\d+)\s*位`)

// deputyTotal reads "共 N 位" off the deputies list.
func (j *journey) deputyTotal(t *testing.T) int {
	t.Helper()
	j.console.open(t, "/admin/deputies")
	m := totalDeputies.FindStringSubmatch(j.console.text(t, "main .actions"))
	if m == nil {
		t.Fatalf("no 共 N 位 on the deputies list")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (j *journey) importDeputies(t *testing.T, _ context.Context) {
	c := j.console
	before := j.deputyTotal(t)

	c.open(t, "/admin/deputies/import")
	c.pageHas(t, "导入代表名册")
	sample := filepath.Join(repoRoot(t), "testdata", "deputies-sample.xlsx")
	c.do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{sample}))
	// The upload shows a preview first; the import is a second, confirmed step.
	if status := c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/deputies/import/preview"] button[type=submit]`))); status != 200 {
		t.Fatalf("the import preview answered %d", status)
	}
	c.pageHas(t, "将新增 20")
	if status := c.submit(t, chromedp.Click(chromedp.CSS(`#import-apply button[type=submit]`))); status != 200 {
		t.Fatalf("import answered %d", status)
	}
	c.pageHas(t, "导入结果")
	report := c.text(t, "main .flash")
	if !strings.Contains(report, "新增 20") {
		t.Fatalf("import report %q, want 新增 20", report)
	}
	c.screenshot(t, j.shots, "console-deputy-import.png")

	after := j.deputyTotal(t)
	if after != before+20 {
		t.Fatalf("the deputies list shows %d deputies after the import, want %d + 20", after, before)
	}
	rows := eval[int](t, c, `document.querySelectorAll('main table tbody tr').length`)
	if rows == 0 {
		t.Fatal("the deputies list shows no rows")
	}
	c.screenshot(t, j.shots, "console-deputies.png")
}

// phone helpers: the DOM of wechatsim/static/index.html and app.js.

// botCount counts the bot's messages (bubbles and cards) containing text.
func (j *journey) botCount(t *testing.T, text string) int {
	t.Helper()
	return eval[int](t, j.phone, fmt.Sprintf(
		`[...document.querySelectorAll('#chat .row.bot')].filter(e => e.innerText.includes(%s)).length`, jsString(text)))
}

// waitBot waits until more than n bot messages contain text.
func (j *journey) waitBot(t *testing.T, n int, text string, d time.Duration) {
	t.Helper()
	waitJS[bool](t, j.phone, d, fmt.Sprintf("a message %q on the phone", text), fmt.Sprintf(
		`[...document.querySelectorAll('#chat .row.bot')].filter(e => e.innerText.includes(%s)).length > %d`, jsString(text), n))
}

// say types text into the phone's input, presses 发送 and waits for a reply
// containing want.
func (j *journey) say(t *testing.T, text, want string) {
	t.Helper()
	n := j.botCount(t, want)
	j.phone.do(t,
		chromedp.SendKeys(chromedp.CSS("#text"), text),
		chromedp.Click(chromedp.CSS("#sendBtn")),
	)
	j.waitBot(t, n, want, 15*time.Second)
}

var demoRow = regexp.MustCompile(`^(\S+)\s+(\S+)\s+手机号后4位\s*(\d{4})$`)

func (j *journey) bindOnPhone(t *testing.T, ctx context.Context) {
	p := j.phone
	// The start page lists the demo deputies a newcomer can bind as.
	p.open(t, "/")
	p.pageHas(t, "可用于绑定的演示代表")
	p.screenshot(t, j.shots, "start-page.png")
	first := eval[string](t, p, `document.querySelector('table tr') ? document.querySelector('table tr').innerText : ""`)
	m := demoRow.FindStringSubmatch(strings.Join(strings.Fields(first), " "))
	if m == nil {
		t.Fatalf("first demo deputy row %q: want name, delegation and 手机号后4位", first)
	}
	name, last4 := m[1], m[3]

	p.open(t, "/sim/")
	// On a first visit the page makes a user of its own; wait for it.
	waitJS[bool](t, p, 10*time.Second, "the phone page's first user", `document.getElementById('users').options.length > 0`)
	// A new simulated user, named through the page's prompt.
	p.answerDialogs("e2e代表")
	before := eval[int](t, p, `document.getElementById('users').options.length`)
	p.do(t, chromedp.Click(chromedp.CSS("#newUser")))
	j.openid = waitJS[string](t, p, 10*time.Second, "the new simulated user",
		fmt.Sprintf(`document.getElementById('users').options.length > %d && document.getElementById('users').selectedOptions[0].text.includes('e2e代表') && document.getElementById('users').value`, before))

	n := j.botCount(t, "欢迎关注")
	p.do(t, chromedp.Click(chromedp.CSS("#followBtn")))
	j.waitBot(t, n, "欢迎关注", 10*time.Second)
	waitJS[bool](t, p, 10*time.Second, "the 取消关注 button", `document.getElementById('followBtn').textContent === '取消关注'`)

	j.say(t, "绑定", "请回复您的姓名")
	j.say(t, name, "手机号码后4位")
	j.say(t, last4, "绑定成功")
	p.screenshot(t, j.shots, "sim-phone-chat.png")

	d, err := j.db.GetDeputyByOpenID(ctx, j.openid)
	if err != nil {
		t.Fatalf("the bound deputy: %v", err)
	}
	if d.Name != name {
		t.Fatalf("%s is bound to %s, want %s", j.openid, d.Name, name)
	}
	j.deputy = d
}

func (j *journey) sendNotice(t *testing.T, _ context.Context) {
	c := j.console
	if status := c.open(t, "/admin/campaigns/new"); status == http.StatusNotFound {
		t.Skip("TODO(notices): the console has no notice pages (/admin/campaigns/new answers 404); not tested yet")
	}
	title := "全省代表履职学习班报名通知"
	c.pageHas(t, "撰写通知")
	c.do(t,
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SendKeys(chromedp.CSS("#body"), "定于下月在省人大常委会机关举办代表履职学习班，请各位代表按时报名。"),
		chromedp.Click(chromedp.CSS(`input[name=all]`)),
	)
	// Preview: the audience count and the template message as a phone shows it.
	c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=preview]`)))
	c.pageHas(t, "预览")
	c.pageHas(t, "20")
	c.screenshot(t, j.shots, "console-notice-compose.png")

	c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=send]`)))
	progress := c.path(t)
	if !strings.HasPrefix(progress, "/admin/campaigns/") {
		t.Fatalf("sending the notice led to %s, want its progress page", progress)
	}
	c.pageHas(t, "通知已创建")
	// The progress page refreshes itself every 5 s while sending; reload
	// faster than that until it shows 已完成.
	state := `(() => { const dt = [...document.querySelectorAll('dl.facts dt')].find(d => d.textContent.trim() === '状态');
		return dt ? dt.nextElementSibling.textContent.trim() : '' })()`
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if last = eval[string](t, c, state); last == "已完成" {
			break
		}
		c.open(t, progress)
	}
	if last != "已完成" {
		t.Fatalf("the notice's progress page shows 状态 %q after 30 s, want 已完成", last)
	}
	c.pageHas(t, "共 20 位")
	c.screenshot(t, j.shots, "console-notice-progress.png")

	// The one bound deputy gets the template message card.
	j.waitBot(t, 0, title, 20*time.Second)
	if n := eval[int](t, j.phone, `[...document.querySelectorAll('#chat .card')].filter(c => c.innerText.includes(`+jsString(title)+`)).length`); n != 1 {
		t.Fatalf("%d cards of the notice on the phone, want 1", n)
	}
}

// meetingTimes are a meeting three days ahead at 09:00 Shanghai time and
// its RSVP deadline the evening before.
func (j *journey) meetingTimes() (starts, deadline time.Time) {
	y, m, d := time.Now().In(j.shanghai).Date()
	return time.Date(y, m, d+3, 9, 0, 0, 0, j.shanghai), time.Date(y, m, d+2, 18, 0, 0, 0, j.shanghai)
}

// inviteToMeeting creates a meeting and invites the bound deputy through
// the console's meeting pages, or through core in the server's own SQLite
// file (WAL) where the console has none; it returns the meeting's id and
// whether the console was used.
func (j *journey) inviteToMeeting(t *testing.T, ctx context.Context, title string) (int64, bool) {
	t.Helper()
	starts, deadline := j.meetingTimes()
	c := j.console
	if status := c.open(t, "/admin/meetings/new"); status == http.StatusNotFound {
		t.Logf("no console meeting pages (/admin/meetings/new answers 404): creating and inviting through core")
		mt := &model.Meeting{Kind: "session", Title: title, StartsAt: starts, RSVPDeadline: deadline,
			Place: "省人大常委会机关第一会议室", Organiser: "省人大常委会办公厅", Contact: "代表工作室 0531-12345678"}
		meetings := core.New(j.db, core.Options{Loc: j.shanghai}).Meetings
		if err := j.db.CreateMeeting(ctx, mt); err != nil {
			t.Fatalf("create meeting: %v", err)
		}
		if n, err := meetings.Invite(ctx, core.CLIActor(model.Account{}, "e2e"), mt.ID, model.Audience{DeputyIDs: []int64{j.deputy.ID}}); err != nil || n.Invited != 1 {
			t.Fatalf("invite: %d, %v", n.Invited, err)
		}
		return mt.ID, false
	}
	const local = "2006-01-02T15:04"
	c.pageHas(t, "新建会议活动")
	c.do(t,
		chromedp.SetValue(chromedp.CSS("#kind"), "session"),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SetValue(chromedp.CSS("#starts_at"), starts.Format(local)),
		chromedp.SetValue(chromedp.CSS("#rsvp_deadline"), deadline.Format(local)),
		chromedp.SendKeys(chromedp.CSS("#place"), "省人大常委会机关第一会议室"),
		chromedp.SendKeys(chromedp.CSS("#organiser"), "省人大常委会办公厅"),
		chromedp.SendKeys(chromedp.CSS("#contact"), "代表工作室 0531-12345678"),
	)
	c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/meetings"] button[type=submit]`)))
	meeting := c.path(t)
	id, err := strconv.ParseInt(strings.TrimPrefix(meeting, "/admin/meetings/"), 10, 64)
	if err != nil {
		t.Fatalf("saving the meeting led to %s, want its page", meeting)
	}
	c.pageHas(t, title)

	c.open(t, meeting+"/invite")
	c.pageHas(t, "邀请代表")
	c.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=deputy_ids]`), strconv.FormatInt(j.deputy.ID, 10)))
	c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=invite]`)))
	if p := c.path(t); p != meeting {
		t.Fatalf("inviting led to %s, want the meeting page %s", p, meeting)
	}
	c.pageHas(t, "共邀请 1 位")
	return id, true
}

func (j *journey) answerRSVP(t *testing.T, ctx context.Context) {
	title := "省人大常委会第二十次会议"
	mtID, viaConsole := j.inviteToMeeting(t, ctx, title)

	// The invitation arrives as a template message card.
	j.waitBot(t, 0, title, 20*time.Second)
	card := `[...document.querySelectorAll('#chat .card')].filter(c => c.innerText.includes(` + jsString(title) + `)).pop()`
	href := eval[string](t, j.phone, `(`+card+`).querySelector('.ft a').href`)
	if !strings.Contains(href, "/h5/") {
		t.Fatalf("the invitation card links to %q, want an H5 page", href)
	}

	j.say(t, "参加", "已登记")
	j.phone.screenshot(t, j.shots, "sim-phone-invitation.png")
	inv, err := j.db.GetInvitation(ctx, mtID, j.deputy.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != model.RSVPAttend {
		t.Fatalf("invitation status %q after 参加, want %q", inv.Status, model.RSVPAttend)
	}

	// The card's 详情 link opens the meeting page showing the answer.
	j.h5.open(t, strings.TrimPrefix(href, j.srv.URL))
	j.h5.pageHas(t, title)
	if got := j.h5.text(t, ".h5-status"); got != "参加" {
		t.Fatalf("the H5 page shows 我的回执 %q, want 参加", got)
	}
	j.h5.screenshot(t, j.shots, "h5-meeting.png")

	if viaConsole {
		// The RSVP table counts the answer.
		j.console.open(t, fmt.Sprintf("/admin/meetings/%d", mtID))
		j.console.pageHas(t, j.deputy.Name)
		attend := eval[string](t, j.console, `(() => { const a = [...document.querySelectorAll('.counts a')].find(e => e.textContent.includes('参加'));
			return a ? a.innerText : '' })()`)
		if strings.Join(strings.Fields(attend), " ") != "参加 1" {
			t.Fatalf("the meeting page counts %q, want 参加 1", attend)
		}
		j.console.screenshot(t, j.shots, "console-meeting.png")
	}
}

var satisfaction = regexp.MustCompile(`满意率\D{0,20}?(\d+(?:\.\d+)?)\s*%`)

// dashboardSatisfaction reads 满意率 off the dashboard; ok is false while
// the dashboard does not show it.
func (j *journey) dashboardSatisfaction(t *testing.T) (string, bool) {
	t.Helper()
	j.console.open(t, "/admin/")
	body := eval[string](t, j.console, `document.body.innerText`)
	m := satisfaction.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

func (j *journey) rateSuggestion(t *testing.T, ctx context.Context) {
	svc := core.NewSuggestions(j.db)
	before, shown := j.dashboardSatisfaction(t)
	overallBefore, _, err := svc.Rates(ctx, model.SuggestionRatesFilter{})
	if err != nil {
		t.Fatal(err)
	}

	// No console page records suggestions yet: create one with the bound
	// deputy as lead and record the unit's reply through core.
	sg := &model.Suggestion{Number: "第0101号", Title: "关于加强农村饮水安全保障的建议", Session: "十四届人大三次会议",
		LeadDeputyID: j.deputy.ID, HostUnit: "省水利厅", Summary: "建议加快农村供水工程建设。"}
	if err := svc.Create(ctx, sg, nil); err != nil {
		t.Fatalf("create suggestion: %v", err)
	}
	step := &model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, ReplyCategory: "A",
		Actor: "省水利厅", Note: "已将相关工程列入年度计划，年内完工。"}
	if err := svc.RecordStep(ctx, step); err != nil {
		t.Fatalf("record the reply: %v", err)
	}

	// The reply pushes a progress notice and a rating request.
	j.waitBot(t, 0, "第0101号", 20*time.Second)
	j.say(t, "电话沟通", "第 2 题")
	j.say(t, "满意", "第 3 题")
	j.say(t, "满意", "确认提交")
	j.say(t, "确认", "测评已提交")
	j.phone.screenshot(t, j.shots, "sim-phone-rating.png")

	r, err := svc.GetRating(ctx, sg.ID, j.deputy.ID)
	if err != nil {
		t.Fatalf("the rating was not stored: %v", err)
	}
	if r.Contact != model.ContactPhone || r.Attitude != model.RatingSatisfied || r.Result != model.RatingSatisfied {
		t.Fatalf("stored rating %+v, want phone / satisfied / satisfied", r)
	}
	overallAfter, _, err := svc.Rates(ctx, model.SuggestionRatesFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if overallAfter.Rated != overallBefore.Rated+1 || overallAfter.SatisfactionRate == 0 {
		t.Fatalf("rates before %+v, after %+v: want one more satisfied rating", overallBefore, overallAfter)
	}

	after, shownAfter := j.dashboardSatisfaction(t)
	switch {
	case shown && shownAfter:
		if after == before {
			t.Fatalf("the dashboard's 满意率 stayed %s%% after a satisfied rating", after)
		}
		t.Logf("dashboard 满意率: %s%% → %s%%", before, after)
	case shownAfter:
		t.Logf("dashboard 满意率 now %s%%", after)
	default:
		t.Logf("the dashboard shows no 满意率 yet (pending the rates page); checked the rates through core: %.0f%% → %.0f%%",
			100*overallBefore.SatisfactionRate, 100*overallAfter.SatisfactionRate)
	}
	j.console.screenshot(t, j.shots, "console-dashboard.png")

	// The rates page, where it exists, counts the rating too.
	c := j.console
	if status := c.open(t, "/admin/suggestions/rates"); status == http.StatusNotFound {
		t.Logf("no rates page yet (/admin/suggestions/rates answers 404)")
		return
	}
	c.pageHas(t, "满意率")
	stat := eval[string](t, c, `(() => { const s = [...document.querySelectorAll('.stat')].find(e => e.innerText.includes('满意率'));
		return s ? s.innerText : '' })()`)
	if !strings.Contains(stat, "1 / 1") {
		t.Fatalf("the rates page's 满意率 reads %q, want 1 / 1 份测评", stat)
	}
	// Let ECharts draw before the picture; a page without charts goes on.
	if _, err := chromedp.Run(c.ctx, chromedp.Poll[bool](`!document.querySelector('[data-chart]') || !!document.querySelector('[data-chart] canvas, [data-chart] svg')`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Logf("the rates chart did not draw: %v", err)
	}
	c.screenshot(t, j.shots, "console-rates.png")
	if status := c.open(t, "/admin/suggestions"); status == http.StatusOK {
		c.pageHas(t, sg.Number)
		c.screenshot(t, j.shots, "console-suggestions.png")
	}
}
