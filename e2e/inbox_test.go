package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var (
	receiptOnPhone = regexp.MustCompile(`LY\d{4}-\d{5}`)
	replyLink      = regexp.MustCompile(`/h5/d/\d+\?t=[A-Za-z0-9._-]+`)
)

// TestBrowserInboxReply: a bound deputy writes a question the chat has no
// command for and is given a receipt number; staff find it in the
// console's inbox, answer it there, and the answer reaches the phone as a
// customer-service message whose link opens the message with its answer.
func TestBrowserInboxReply(t *testing.T) {
	ctx, j := startJourney(t, true)
	question := "请问今年的代表学习班什么时候报名？需要准备什么材料？"
	answer := "学习班将于4月初报名，届时会另行通知，请带好身份证。"
	var receipt, message string // the number the phone was given; its console page
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"the deputy's question is stored and its number given", func(t *testing.T, _ context.Context) {
			j.say(t, question, "已收到您的留言")
			last := eval[string](t, j.phone, `[...document.querySelectorAll('#chat .row.bot')].filter(e => e.innerText.includes('已收到您的留言')).pop().innerText`)
			if receipt = receiptOnPhone.FindString(last); receipt == "" {
				t.Fatalf("no receipt number in %q", last)
			}
			j.phone.screenshot(t, j.shots, "sim-inbox-receipt.png")
		}},
		{"staff find it among the unread and answer it", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/messages?status=unread")
			c.pageHas(t, receipt)
			c.pageHas(t, j.deputy.Name)
			c.screenshot(t, j.shots, "console-inbox.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`main table a[href^="/admin/messages/"]`)))
			message = c.path(t)
			c.pageHas(t, question)
			c.do(t, chromedp.SendKeys(chromedp.CSS("#text"), answer))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/reply"] button[type=submit]`)))
			if p := c.path(t); p != message {
				t.Fatalf("the reply led to %s, want %s: %s", p, message, c.text(t, "main"))
			}
			c.pageHas(t, "答复已保存")
			c.pageHas(t, answer)
			if s := c.text(t, "#message-status"); !strings.HasPrefix(s, "已答复") {
				t.Fatalf("status %q after the reply", s)
			}
			c.screenshot(t, j.shots, "console-message.png")
		}},
		{"the answer reaches the phone and its link shows the message with the answer", func(t *testing.T, _ context.Context) {
			j.waitBot(t, 0, answer, 30*time.Second)
			got := eval[string](t, j.phone, `[...document.querySelectorAll('#chat .row.bot')].filter(e => e.innerText.includes(`+jsString(answer)+`)).pop().innerText`)
			if !strings.Contains(got, receipt) {
				t.Fatalf("the answer on the phone does not name %s: %q", receipt, got)
			}
			j.phone.screenshot(t, j.shots, "sim-inbox-answer.png")
			link := replyLink.FindString(got)
			if link == "" {
				t.Fatalf("no page link in the answer %q", got)
			}
			h := j.h5
			h.open(t, link)
			h.pageHas(t, "我的留言")
			h.pageHas(t, question)
			h.pageHas(t, answer)
			h.screenshot(t, j.shots, "h5-inbox-answer.png")
		}},
		{"the console shows the answer was read", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, message)
			c.pageHas(t, "已阅读")
			c.pageHas(t, "客服消息")
		}},
	}
	j.walk(t, ctx, steps)
}
