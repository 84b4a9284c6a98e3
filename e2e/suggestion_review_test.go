package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var suggestionNumber = regexp.MustCompile(`JY\d{4}-\d{5}`)

// TestBrowserSuggestionReview: a bound deputy writes a suggestion in the
// chat and submits it; staff find it among those waiting for review in
// the console, are told what is missing when they assign it without a
// unit, assign it to a unit, and the deputy's phone is told.
func TestBrowserSuggestionReview(t *testing.T) {
	ctx, j := startJourney(t, false)
	title := "关于增加农村公交班次的建议"
	var number string
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"the deputy writes a suggestion in the chat and submits it", func(t *testing.T, _ context.Context) {
			j.say(t, "提建议", "请回复建议的标题")
			j.say(t, title, "请输入建议的内容")
			j.say(t, "农村公交班次少，群众出行不便，建议早晚高峰各加两班。", "已记录")
			j.say(t, "完成", "请选择建议的类别")
			j.say(t, "交通运输", "如需其他代表附议")
			j.say(t, "跳过", "请确认您的建议")
			j.say(t, "是", "已提交")
			last := eval[string](t, j.phone, `[...document.querySelectorAll('#chat .row.bot')].filter(e => e.innerText.includes('已提交')).pop().innerText`)
			if number = suggestionNumber.FindString(last); number == "" {
				t.Fatalf("no suggestion number in %q", last)
			}
			j.phone.screenshot(t, j.shots, "sim-suggestion-submitted.png")
		}},
		{"staff find it waiting for review and are told a unit is missing", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/suggestions")
			c.submit(t, chromedp.Click(chromedp.CSS(`a[href="/admin/suggestions/review"]`)))
			c.pageHas(t, number)
			c.pageHas(t, title)
			c.pageHas(t, j.deputy.Name)
			c.screenshot(t, j.shots, "console-suggestions-review.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`main table a[href$="/review"]`)))
			c.pageHas(t, "早晚高峰各加两班")
			if s := c.text(t, "#stage"); s != "待审查" {
				t.Fatalf("stage %q", s)
			}
			c.submit(t, chromedp.Click(chromedp.CSS("#accept")))
			c.pageHas(t, "请至少填写一个承办单位")
		}},
		{"staff assign it to a unit", func(t *testing.T, _ context.Context) {
			c := j.console
			c.do(t, chromedp.SendKeys(chromedp.CSS("#units"), "省交通运输厅、省财政厅"))
			c.submit(t, chromedp.Click(chromedp.CSS("#accept")))
			if p := c.path(t); !strings.HasPrefix(p, "/admin/suggestions/") || strings.HasSuffix(p, "/review") {
				t.Fatalf("the acceptance led to %s: %s", p, c.text(t, "main"))
			}
			c.pageHas(t, "已交办 省交通运输厅")
			c.pageHas(t, "省财政厅")
			c.pageHas(t, "已交办")
			c.screenshot(t, j.shots, "console-suggestion-accepted.png")
			c.open(t, "/admin/suggestions/review")
			c.pageHas(t, "没有待审查的建议")
		}},
		{"the deputy is told on the phone", func(t *testing.T, _ context.Context) {
			j.waitBot(t, 0, number+"建议已交办", 30*time.Second)
			j.phone.screenshot(t, j.shots, "sim-suggestion-assigned.png")
		}},
	}
	j.walk(t, ctx, steps)
}
