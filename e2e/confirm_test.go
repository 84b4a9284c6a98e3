package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserConfirmationsStateTheNumber: inviting to a meeting, reminding
// those who have not answered, publishing a survey and terminating a
// deputy each ask first, saying how many it touches.
func TestBrowserConfirmationsStateTheNumber(t *testing.T) {
	ctx, j := startJourney(t, false)
	var meeting string
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"inviting says how many will be invited", func(t *testing.T, _ context.Context) {
			starts, _ := j.meetingTimes()
			var other int64
			if err := j.db.SQL().QueryRow(`SELECT id FROM deputies WHERE id <> ? ORDER BY id LIMIT 1`, j.deputy.ID).Scan(&other); err != nil {
				t.Fatal(err)
			}
			meeting = j.createMeetingAt(t, "省人大常委会第二十三次会议", starts, fmt.Sprintf("%d,%d", j.deputy.ID, other))
			if got := j.dialogs.last(); !strings.Contains(got, "确定发出邀请吗") || !strings.Contains(got, "将发送给 2 位代表") {
				t.Fatalf("the invitation's confirmation said %q", got)
			}
		}},
		{"reminding says how many will be reminded", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, meeting)
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/remind"] button`)))
			if got := j.dialogs.last(); !strings.Contains(got, "将向 2 位未回复的代表发送回执提醒") {
				t.Fatalf("the reminder's confirmation said %q", got)
			}
			c.pageHas(t, "已向 2 位未回复的代表发送提醒")
		}},
		{"publishing a survey says how many it goes to", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/surveys/new")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#title"), "代表学习需求调查"),
				chromedp.SendKeys(chromedp.CSS("#q1_text"), "您希望学习哪方面内容？"),
				chromedp.SetValue(chromedp.CSS("#q1_options"), "法律\n经济"),
			)
			waitJS[bool](t, c, 10*time.Second, "the audience count", `document.querySelector('#audience-count').textContent.includes('位代表')`)
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/surveys"] .actions button[type=submit]:not([name])`)))
			if got := j.dialogs.last(); !strings.Contains(got, "问卷保存后不能修改") || !strings.Contains(got, "将发送给 20 位代表") {
				t.Fatalf("the survey's confirmation said %q", got)
			}
			c.pageHas(t, "已新建问卷")
		}},
		{"terminating says what stops", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, fmt.Sprintf("/admin/deputies/%d/terminate", j.deputy.ID))
			impact := c.text(t, "#terminate-impact")
			if !strings.Contains(impact, "个尚未开始的会议活动邀请") || !strings.Contains(impact, "1 个尚未开始") {
				t.Fatalf("the termination page says %q", impact)
			}
			c.do(t, chromedp.SendKeys(chromedp.CSS("#reason"), "调离本省"), chromedp.Click(chromedp.CSS("#confirm")))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/terminate"] button[type=submit]`)))
			if got := j.dialogs.last(); !strings.Contains(got, "确定终止 "+j.deputy.Name+" 的代表资格吗") || !strings.Contains(got, "条推送将不再发出") {
				t.Fatalf("the termination's confirmation said %q", got)
			}
			c.pageHas(t, "的代表资格已终止")
		}},
	}
	j.walk(t, ctx, steps)
}
