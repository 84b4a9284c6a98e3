package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/model"
)

var publicReceipt = regexp.MustCompile(`QY\d{4}-\d{5}`)

// TestBrowserStation drives a liaison station end to end: staff register
// a station with the bound deputy in the console and see its QR code; a
// follower who is no deputy opens the station's page (as its QR code
// would), leaves an opinion and is given a receipt number; staff route it
// to the station's deputies in the console; the deputy finds it under
// 群众意见 on the phone and answers it, and the answer is queued for the
// follower.
func TestBrowserStation(t *testing.T) {
	ctx, j := startJourney(t, true)
	opinion := "建议在泺源大街增设过街天桥，方便老人和孩子过马路。"
	answer := "已联系区交通运输局，过街设施已列入明年计划。"
	var station, citizen, receipt string
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"staff register a station with the deputy and see its QR code", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/stations/new")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#name"), "历下区代表联络站"),
				chromedp.SendKeys(chromedp.CSS("#address"), "济南市历下区泺源大街 1 号"),
				chromedp.SendKeys(chromedp.CSS("#deputies"), j.deputy.Name),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/stations"] button[type=submit]`)))
			station = c.path(t)
			if !strings.HasPrefix(station, "/admin/stations/") {
				t.Fatalf("saving the station led to %s: %s", station, c.text(t, "main"))
			}
			c.pageHas(t, "已保存")
			c.pageHas(t, j.deputy.Name)
			if w := waitJS[int](t, c, 10*time.Second, "the QR code image", `(() => { const i = document.querySelector('main img[src$="/qr.png"]');
				return i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : 0 })()`); w < 200 {
				t.Fatalf("the QR code is %d pixels wide", w)
			}
			if u := c.text(t, "#page-url"); !strings.HasSuffix(u, "/h5/stations/"+strings.TrimPrefix(station, "/admin/stations/")) {
				t.Fatalf("the station's public address %q", u)
			}
			c.screenshot(t, j.shots, "console-station.png")
		}},
		{"a follower who is no deputy opens the station's page and leaves an opinion", func(t *testing.T, _ context.Context) {
			p := j.phone
			// The phone page's prompt for a nickname is answered by the
			// handler bindOnPhone set up.
			before := eval[int](t, p, `document.getElementById('users').options.length`)
			p.do(t, chromedp.Click(chromedp.CSS("#newUser")))
			citizen = waitJS[string](t, p, 10*time.Second, "the citizen",
				fmt.Sprintf(`document.getElementById('users').options.length > %d && document.getElementById('users').value !== %s && document.getElementById('users').value`, before, jsString(j.openid)))
			eval[bool](t, p, `(() => { const b = document.getElementById('followBtn'); if (b.textContent === '关注') b.click(); return true })()`)
			waitJS[bool](t, p, 10*time.Second, "the 取消关注 button", `document.getElementById('followBtn').textContent === '取消关注'`)

			h := j.h5
			h.open(t, "/h5/stations/"+strings.TrimPrefix(station, "/admin/stations/"))
			// WeChat's authorisation asks the simulator who is browsing.
			h.pageHas(t, "以哪位用户身份打开此页面")
			h.submit(t, chromedp.Click(chromedp.CSS(`a[href*="`+citizen+`"]`)))
			h.pageHas(t, "历下区代表联络站")
			h.pageHas(t, j.deputy.Name)
			h.do(t,
				chromedp.SetValue(chromedp.CSS("#category"), "traffic"),
				chromedp.SendKeys(chromedp.CSS("#body"), opinion),
				chromedp.SendKeys(chromedp.CSS("#name"), "刘先生"),
			)
			h.submit(t, chromedp.Click(chromedp.CSS("#submit")))
			h.pageHas(t, "已收到您的意见")
			if receipt = publicReceipt.FindString(h.text(t, "#receipt")); receipt == "" {
				t.Fatalf("no receipt number on the page: %s", h.text(t, "main"))
			}
			h.screenshot(t, j.shots, "h5-station-receipt.png")
		}},
		{"staff route it to the station's deputies", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/public-opinions")
			c.pageHas(t, receipt)
			c.submit(t, chromedp.Click(chromedp.CSS(`main table a[href^="/admin/public-opinions/"]`)))
			c.pageHas(t, opinion)
			c.pageHas(t, "刘先生")
			c.submit(t, chromedp.Click(chromedp.CSS(`form input[name=action][value=deputies] + button`)))
			c.pageHas(t, "已转交代表")
			c.screenshot(t, j.shots, "console-public-opinion.png")
		}},
		{"the deputy sees it under 群众意见 and answers it", func(t *testing.T, _ context.Context) {
			p := j.phone
			p.do(t, chromedp.SetValue(chromedp.CSS("#users"), j.openid))
			eval[bool](t, p, `(() => { document.getElementById('users').dispatchEvent(new Event('change')); return true })()`)
			waitJS[bool](t, p, 10*time.Second, "the deputy's chat", `document.getElementById('users').value === `+jsString(j.openid))
			j.say(t, "群众意见", receipt)
			j.say(t, "答复1", "请回复您的答复内容")
			j.say(t, answer, "答复已记录")
			p.screenshot(t, j.shots, "sim-public-opinion-answer.png")
			var n int
			if err := j.db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id
				WHERE d.openid = ? AND n.body LIKE ?`, citizen, "%"+answer+"%").Scan(&n); err != nil || n != 1 {
				t.Fatalf("%d pushes of the answer to the follower (%v), want 1", n, err)
			}
			os, _, err := j.db.ListPublicOpinions(ctx, model.PublicOpinionFilter{})
			if err != nil || len(os) != 1 || os[0].Status != model.PublicOpinionReplied {
				t.Fatalf("the opinion after the answer: %+v %v", os, err)
			}
		}},
	}
	j.walk(t, ctx, steps)
}
