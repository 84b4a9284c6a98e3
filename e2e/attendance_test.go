package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// dialogs accepts every JavaScript dialog of the tab and keeps what each
// said, for the test to read.
type dialogs struct {
	mu   sync.Mutex
	said []string
}

func (b *tab) recordDialogs() *dialogs {
	d := &dialogs{}
	go func() {
		for ev, err := range chromedp.Events(b.ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.said = append(d.said, ev.Message)
			d.mu.Unlock()
			if _, err := chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				return
			}
		}
	}()
	return d
}

// last is the last dialog's text.
func (d *dialogs) last() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.said) == 0 {
		return ""
	}
	return d.said[len(d.said)-1]
}

// createMeetingAt creates a meeting starting at starts through the
// console and invites the deputies ids; it returns the meeting's path.
func (j *journey) createMeetingAt(t *testing.T, title string, starts time.Time, ids string) string {
	t.Helper()
	const local = "2006-01-02T15:04"
	c := j.console
	c.open(t, "/admin/meetings/new")
	c.do(t,
		chromedp.SetValue(chromedp.CSS("#kind"), "session"),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SetValue(chromedp.CSS("#starts_at"), starts.Format(local)),
		chromedp.SendKeys(chromedp.CSS("#place"), "省人大常委会机关第一会议室"),
	)
	c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/meetings"] button[type=submit]`)))
	meeting := c.path(t)
	if !strings.HasPrefix(meeting, "/admin/meetings/") {
		t.Fatalf("saving the meeting led to %s", meeting)
	}
	c.open(t, meeting+"/invite")
	c.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=deputy_ids]`), ids))
	// The confirmation quotes the live count: let it catch up with the typing.
	waitJS[bool](t, c, 10*time.Second, "the audience count", `document.querySelector('#audience-count').textContent.includes('将发送给 2 位代表')`)
	c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=invite]`)))
	c.pageHas(t, "共邀请 2 位")
	return meeting
}

// TestBrowserAttendanceIsSafe: attendance cannot be taken before the
// meeting starts (the page does not offer it and a forced post is
// refused); a save with nobody ticked is confirmed with the number first;
// a later save corrects the marks, and the audit log names the correction.
func TestBrowserAttendanceIsSafe(t *testing.T) {
	ctx, j := startJourney(t, false)
	var ids string
	said := j.dialogs
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a meeting ahead takes no attendance", func(t *testing.T, _ context.Context) {
			rows, err := j.db.SQL().Query(`SELECT id FROM deputies ORDER BY id LIMIT 2`)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprint(id))
			}
			rows.Close()
			ids = strings.Join(got, ",")
			starts, _ := j.meetingTimes()
			meeting := j.createMeetingAt(t, "省人大常委会第二十一次会议", starts, ids)
			c := j.console
			c.open(t, meeting)
			c.pageHas(t, "开始后才能在此登记签到")
			if n := eval[int](t, c, `document.querySelectorAll('input[name=attended]').length`); n != 0 {
				t.Fatalf("the page offers %d sign-in boxes before the start", n)
			}
			first := strings.Split(ids, ",")[0]
			status := waitJS[int](t, c, 10*time.Second, "a forced attendance post", fmt.Sprintf(`fetch(location.pathname + '/attendance', {method: 'POST',
				headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'shown=%s&attended=%s'}).then(r => r.status)`, first, first))
			if status != 422 {
				t.Fatalf("a forced attendance post before the start answered %d, want 422", status)
			}
		}},
		{"nobody ticked asks first, with the number", func(t *testing.T, _ context.Context) {
			y := time.Now().In(j.shanghai).Add(-24 * time.Hour)
			meeting := j.createMeetingAt(t, "全省人大代表履职培训班", y, ids)
			c := j.console
			c.open(t, meeting)
			if n := eval[int](t, c, `document.querySelectorAll('input[name=attended]').length`); n != 2 {
				t.Fatalf("the started meeting offers %d sign-in boxes, want 2", n)
			}
			c.submit(t, chromedp.Click(chromedp.CSS(`form[data-attendance] button[type=submit]`)))
			if got := said.last(); !strings.Contains(got, "没有勾选任何到会的代表") || !strings.Contains(got, "2 位代表都将记为缺席") {
				t.Fatalf("the confirmation said %q", got)
			}
			c.pageHas(t, "已保存签到：到会 0 位，缺席 2 位")
		}},
		{"a correction is saved and audited", func(t *testing.T, _ context.Context) {
			c := j.console
			c.do(t, chromedp.Click(chromedp.CSS(`input[name=attended]`)))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[data-attendance] button[type=submit]`)))
			if got := said.last(); !strings.Contains(got, "到会 1 位，缺席 1 位") {
				t.Fatalf("the confirmation said %q", got)
			}
			c.pageHas(t, "更正 1 位")
			c.screenshot(t, j.shots, "console-meeting-attendance.png")
			c.open(t, "/admin/audit")
			c.pageHas(t, "更正 1 位")
			if !strings.Contains(eval[string](t, c, `document.body.innerText`), "缺席→到会") {
				t.Fatal("the audit log does not say what was corrected")
			}
		}},
	}
	j.walk(t, ctx, steps)
}
