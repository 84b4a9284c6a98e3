package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"deputybot/model"
)

// TestBrowserActivitySignUp drives 活动报名 end to end: staff create an
// activity in the console and open it for sign-up on its page; the bound
// deputy signs up by number in the chat; the deputy's H5 list shows the
// place and withdraws from it; the console's list shows the withdrawal.
func TestBrowserActivitySignUp(t *testing.T) {
	ctx, j := startJourney(t, true)
	title := "乡村振兴专题调研"
	var meeting string
	steps := []step{
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
			if err := j.db.SQL().QueryRow(`SELECT status FROM invitations WHERE meeting_id = ? AND deputy_id = ?`, id, j.deputy.ID).Scan(&status); err != nil ||
				status != model.RSVPLeave {
				t.Fatalf("the invitation after withdrawing: %q %v", status, err)
			}
		}},
	}
	j.walk(t, ctx, steps)
}
