package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/model"
	"deputybot/storage"
)

// TestBrowserActivitySignUp drives 活动报名 end to end: staff create an
// activity in the console and open it for sign-up on its page; the bound
// deputy signs up by number in the chat; the deputy's H5 list shows the
// place and withdraws from it; the console's list shows the withdrawal.
func TestBrowserActivitySignUp(t *testing.T) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildServer(t, dir)
	j := &journey{srv: startServer(t, bin, dir), shots: screenshotDir(t), shanghai: time.FixedZone("CST", 8*3600)}
	db, err := storage.Open(ctx, "sqlite", j.srv.DBPath)
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	defer db.Close()
	j.db = db
	bctx := browser(t, ctx)
	j.console = newTab(t, bctx, j.srv.URL, 1280, 900)
	j.phone = newTab(t, bctx, j.srv.URL, 414, 860)
	j.h5 = newTab(t, bctx, j.srv.URL, 414, 860)
	title := "乡村振兴专题调研"
	var meeting string
	steps := []struct {
		name string
		run  func(*testing.T, context.Context)
	}{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"staff create an activity and open it for sign-up", func(t *testing.T, _ context.Context) {
			const local = "2006-01-02T15:04"
			starts, deadline := j.meetingTimes()
			c := j.console
			c.open(t, "/admin/meetings/new")
			c.do(t,
				chromedp.SetValue(chromedp.CSS("#kind"), "research"),
				chromedp.SendKeys(chromedp.CSS("#title"), title),
				chromedp.SetValue(chromedp.CSS("#starts_at"), starts.Format(local)),
				chromedp.SendKeys(chromedp.CSS("#place"), "临沂"),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/meetings"] button[type=submit]`)))
			meeting = c.path(t)
			c.pageHas(t, "未开放报名")
			c.do(t,
				chromedp.SetValue(chromedp.CSS("#capacity"), "1"),
				chromedp.SetValue(chromedp.CSS("#deadline"), deadline.Format(local)),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/signup#signup"] button[type=submit]`)))
			c.pageHas(t, "已开放报名：名额 1")
			c.screenshot(t, j.shots, "console-meeting-signup.png")
		}},
		{"the deputy signs up by number in the chat", func(t *testing.T, _ context.Context) {
			j.say(t, "活动报名", title)
			j.say(t, "1", "报名成功")
			j.phone.screenshot(t, j.shots, "sim-signup.png")
		}},
		{"the deputy's H5 list shows the place and withdraws from it", func(t *testing.T, _ context.Context) {
			h := j.h5
			h.open(t, "/h5/activities")
			h.pageHas(t, "以哪位用户身份打开此页面")
			h.submit(t, chromedp.Click(chromedp.CSS(`a[href*="`+j.openid+`"]`)))
			h.pageHas(t, title)
			h.pageHas(t, "已报名")
			h.screenshot(t, j.shots, "h5-activities.png")
			h.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/withdraw"] button`)))
			h.pageHas(t, "已退出报名。")
		}},
		{"the console lists the withdrawal and the invitation shows 请假", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, meeting)
			c.pageHas(t, "已退出")
			c.pageHas(t, "退出报名")
			id := strings.TrimPrefix(meeting, "/admin/meetings/")
			var status string
			if err := db.SQL().QueryRow(`SELECT status FROM invitations WHERE meeting_id = ? AND deputy_id = ?`, id, j.deputy.ID).Scan(&status); err != nil ||
				status != model.RSVPLeave {
				t.Fatalf("the invitation after withdrawing: %q %v", status, err)
			}
		}},
	}
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
	if err := chromedp.Cancel(bctx); err != nil {
		t.Logf("close chromium: %v", err)
	}
	j.srv.stop(t)
}
