package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSurveyAudienceAndTurnout: staff create a survey for one
// delegation with two reminder days; its page shows the response rate
// against that delegation and names who has not answered; the bound
// deputy answers in the chat; the page then names them among those who
// answered and the rate moves.
func TestBrowserSurveyAudienceAndTurnout(t *testing.T) {
	ctx, j := startJourney(t, false)
	var survey string
	var invited int
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"staff create a survey for the deputy's delegation", func(t *testing.T, _ context.Context) {
			if err := j.db.SQL().QueryRow(`SELECT COUNT(*) FROM deputies d JOIN delegations g ON g.id = d.delegation_id
				WHERE g.name = ? AND d.status = 'active'`, j.deputy.Delegation).Scan(&invited); err != nil || invited < 1 {
				t.Fatalf("the delegation's deputies: %d %v", invited, err)
			}
			c := j.console
			c.open(t, "/admin/surveys/new")
			today := time.Now().In(j.shanghai)
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#title"), "代表履职需求调查"),
				chromedp.Click(chromedp.CSS(`input[name=all]`)), // off: the delegation only
				chromedp.SetValue(chromedp.CSS("#remind_on_1"), today.AddDate(0, 0, 3).Format("2006-01-02")),
				chromedp.SetValue(chromedp.CSS("#remind_on_2"), today.AddDate(0, 0, 10).Format("2006-01-02")),
				chromedp.SendKeys(chromedp.CSS("#q1_text"), "您最关心哪个领域？"),
				chromedp.SetValue(chromedp.CSS("#q1_options"), "教育\n医疗\n交通"),
			)
			c.do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelector('select[name=delegation]').options].forEach(o => o.selected = o.value === %s)`,
				jsString(j.deputy.Delegation))))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/surveys"] .actions button[type=submit]:not([name])`)))
			survey = c.path(t)
			if !strings.HasPrefix(survey, "/admin/surveys/") {
				t.Fatalf("saving the survey stayed on %s: %s", survey, c.text(t, "main"))
			}
			c.pageHas(t, "代表团："+j.deputy.Delegation)
			c.pageHas(t, fmt.Sprintf("应答 0 / 应答对象 %d 位", invited))
			if names := c.text(t, "#waiting-names"); !strings.Contains(names, j.deputy.Name) {
				t.Fatalf("those who have not answered: %q", names)
			}
		}},
		{"the deputy answers in the chat", func(t *testing.T, _ context.Context) {
			j.say(t, "问卷", "您最关心哪个领域")
			j.say(t, "2", "确认提交")
			j.say(t, "是", "问卷已提交")
		}},
		{"the survey's page names the deputy among those who answered", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, survey)
			c.pageHas(t, fmt.Sprintf("应答 1 / 应答对象 %d 位", invited))
			if names := c.text(t, "#answered-names"); !strings.Contains(names, j.deputy.Name) {
				t.Fatalf("those who answered: %q", names)
			}
			if row := c.text(t, "#turnout-delegations tbody tr"); !strings.Contains(row, j.deputy.Delegation) {
				t.Fatalf("by delegation: %q", row)
			}
			c.screenshot(t, j.shots, "console-survey-turnout.png")
		}},
	}
	j.walk(t, ctx, steps)
}
