package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPlainWords: a series is scheduled as 每月几号 + time with its
// next five sends shown, and listed in words; the simulator's template
// card shows the template's title and keyword names, not SIM_… and
// thing1; the supervision page calls the rates 三率, never 四率.
func TestBrowserPlainWords(t *testing.T) {
	ctx, j := startJourney(t, false)
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"a series is chosen as 每月 15 号 10:30 and its next five sends are shown", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/series/new")
			c.pageHas(t, "接下来五次")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#name"), "月度履职提示"),
				chromedp.SendKeys(chromedp.CSS("#title"), "本月履职提示"),
				chromedp.SetValue(chromedp.CSS("#body"), "请及时登记本月履职活动。"),
				chromedp.Click(chromedp.CSS(`input[name=every][value=month]`)),
				chromedp.SetValue(chromedp.CSS(`select[name=month_day]`), "15"),
				chromedp.SetValue(chromedp.CSS("#at"), "10:30"),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=preview]`)))
			runs := c.text(t, "#next-runs")
			if n := strings.Count(runs, "-15 10:30"); n != 5 {
				t.Fatalf("the next sends read %q, want five on the 15th at 10:30", runs)
			}
			c.screenshot(t, j.shots, "console-series-form.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/series"] .actions button[type=submit]`)))
			c.pageHas(t, "每月 15 号 10:30")
			var spec string
			if err := j.db.SQL().QueryRow(`SELECT schedule FROM notice_series WHERE name = ?`, "月度履职提示").Scan(&spec); err != nil || spec != "30 10 15 * *" {
				t.Fatalf("stored schedule %q %v", spec, err)
			}
		}},
		{"the phone's template card shows the template's title and keyword names", func(t *testing.T, ctx context.Context) {
			title := "省人大常委会第二十四次会议"
			j.inviteToMeeting(t, ctx, title)
			j.waitBot(t, 0, title, 20*time.Second)
			card := eval[string](t, j.phone, `[...document.querySelectorAll('#chat .card')].filter(c => c.innerText.includes(`+jsString(title)+`)).pop().innerText`)
			if strings.Contains(card, "SIM_") || strings.Contains(card, "thing1") || !strings.Contains(card, "会议活动邀请") || !strings.Contains(card, "事项") {
				t.Fatalf("the card reads %q", card)
			}
			j.phone.screenshot(t, j.shots, "sim-template-card.png")
		}},
		{"the rates are 三率 everywhere", func(t *testing.T, _ context.Context) {
			for _, p := range []string{"/admin/supervision", "/admin/reports", "/admin/suggestions/rates"} {
				j.console.open(t, p)
				if body := eval[string](t, j.console, `document.body.innerText`); strings.Contains(body, "四率") {
					t.Fatalf("%s says 四率", p)
				}
			}
		}},
	}
	j.walk(t, ctx, steps)
}
