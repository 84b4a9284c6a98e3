package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// e2eDraft is a draft regulation as staff paste it from the committee's
// document: title, a chapter heading, three articles.
const e2eDraft = "《某省数据条例（草案）》\n第一章　总则\n第一条　为了规范数据处理活动，保障数据安全，制定本条例。\n" +
	"第二条　本条例所称数据，是指任何以电子或者其他方式对信息的记录。\n第三条　本条例自2027年1月1日起施行。"

// TestBrowserSolicitationArticles drives 法规草案征求意见 article by article:
// staff paste the draft, confirm its split into articles, and the deputy
// comments on one article from the pushed H5 page and on another in the
// chat; the console groups both under their articles.
func TestBrowserSolicitationArticles(t *testing.T) {
	ctx, j := startJourney(t, true)
	title := "《某省数据条例（草案）》征求意见"
	var solicitation string // its console page
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"staff paste the draft and confirm its split into articles", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/solicitations/new")
			c.do(t, chromedp.SendKeys(chromedp.CSS("#title"), title), chromedp.SetValue(chromedp.CSS("#draft"), e2eDraft))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/solicitations"] button[type=submit]`)))
			c.pageHas(t, "草案全文识别出 3 条")
			c.pageHas(t, "第三条　本条例自2027年1月1日起施行。")
			c.screenshot(t, j.shots, "console-solicitation-preview.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/solicitations"] button[type=submit]`)))
			solicitation = c.path(t)
			if !strings.HasPrefix(solicitation, "/admin/solicitations/") {
				t.Fatalf("confirming stayed on %s: %s", solicitation, c.text(t, "main"))
			}
			c.pageHas(t, "已录入条文")
		}},
		{"the deputy comments on an article on the pushed page", func(t *testing.T, _ context.Context) {
			j.waitBot(t, 0, title, 20*time.Second)
			card := `[...document.querySelectorAll('#chat .card')].filter(c => c.innerText.includes(` + jsString(title) + `)).pop()`
			href := eval[string](t, j.phone, `(`+card+`).querySelector('.ft a').href`)
			if !strings.Contains(href, "/h5/") {
				t.Fatalf("the solicitation card links to %q, want an H5 page", href)
			}
			h := j.h5
			h.open(t, strings.TrimPrefix(href, j.srv.URL))
			h.pageHas(t, "本条例所称数据")
			box := `details:has(input[name=article][value="第二条"])`
			h.do(t, chromedp.Click(chromedp.CSS(box+" summary")))
			h.do(t, chromedp.SendKeys(chromedp.CSS(box+" textarea"), "建议列举数据的主要类型。"))
			h.screenshot(t, j.shots, "h5-solicitation-article.png")
			// Submit the box's form. (chromedp's synthesized mouse click on
			// a button inside the opened <details> does not reach it in
			// headless Chromium, while the button's own click() submits.)
			h.submit(t, chromedp.Submit(chromedp.CSS(box+" form")))
			h.pageHas(t, "您对第二条的意见已收到")
			h.pageHas(t, "您已对本条提出 1 条意见")
		}},
		{"the deputy names an article in the chat", func(t *testing.T, _ context.Context) {
			j.say(t, "意见", "类别")
			j.say(t, "法规草案", "请选择")
			j.say(t, "1", "第一条至第三条")
			j.say(t, "第九条", "草案没有“第九条”")
			j.say(t, "3", "您选择的是 第三条：本条例自2027年1月1日起施行。")
			j.say(t, "施行日期宜留出准备期。", "已记录")
			j.say(t, "完成", "确认")
			j.say(t, "是", "回执编号")
			j.phone.screenshot(t, j.shots, "sim-solicitation-chat.png")
		}},
		{"the console groups the opinions under their articles", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, solicitation)
			c.pageHas(t, "涉及 2 个条款")
			c.pageHas(t, "建议列举数据的主要类型。")
			c.pageHas(t, "施行日期宜留出准备期。")
			c.screenshot(t, j.shots, "console-solicitation-articles.png")
		}},
	}
	j.walk(t, ctx, steps)
}
