package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLiaison drives 双联系 through the console and the phone: staff
// add a committee member who is the bound deputy, link five deputies, the
// member logs a contact in the chat and reads their digest, and staff
// record a provincial leader's activity in their electoral unit, which
// clears the leader's 今年尚未参加 flag.
func TestBrowserLiaison(t *testing.T) {
	ctx, j := startJourney(t, false)
	var others []int64 // deputies other than the bound one
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"staff add the deputy as a committee member linked to five deputies", func(t *testing.T, ctx context.Context) {
			rows, err := j.db.SQL().QueryContext(ctx, `SELECT id FROM deputies WHERE id <> ? AND status = 'active' ORDER BY id LIMIT 6`, j.deputy.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				others = append(others, id)
			}
			if err := rows.Close(); err != nil || len(others) < 6 {
				t.Fatalf("%d other deputies: %v", len(others), err)
			}
			c := j.console
			c.open(t, "/admin/liaison")
			c.do(t, chromedp.SendKeys(chromedp.CSS("#name"), j.deputy.Name), chromedp.SendKeys(chromedp.CSS("#title"), "省人大常委会委员"))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/liaison"] button[type=submit]`)))
			c.pageHas(t, "请为其关联 5–7 名代表")
			page := c.path(t)
			var lines []string
			for _, id := range others[:5] {
				lines = append(lines, fmt.Sprint(id))
			}
			c.do(t, chromedp.SetValue(chromedp.CSS("#deputies"), strings.Join(lines, "\n")))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/links"] button[type=submit]`)))
			c.pageHas(t, "联系代表 5 名")
			c.do(t, chromedp.SetValue(chromedp.CSS("#deputy"), fmt.Sprint(j.deputy.ID)))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/deputy"] button[type=submit]`)))
			c.pageHas(t, "已通过代表身份")
			if c.path(t) != page {
				t.Fatalf("saving the deputy identity led to %s", c.path(t))
			}
			c.screenshot(t, j.shots, "console-liaison-member.png")
		}},
		{"the member logs a contact in the chat and reads the digest", func(t *testing.T, _ context.Context) {
			j.say(t, "联系登记", "您联系的是哪位代表")
			j.say(t, "1", "联系方式")
			j.say(t, "电话", "哪一天")
			j.say(t, "今天", "联系内容")
			j.say(t, "电话了解代表议案准备情况", "已记录")
			j.say(t, "我的联系", "您联系的代表本周情况")
			j.phone.screenshot(t, j.shots, "sim-liaison-chat.png")
			c := j.console
			c.open(t, "/admin/liaison")
			c.submit(t, chromedp.Click(chromedp.CSS(`main table tbody tr td a`)))
			c.pageHas(t, "电话了解代表议案准备情况")
			c.pageHas(t, "1 次")
		}},
		{"staff record a leader's activity in the electoral unit", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/liaison/leaders")
			c.do(t, chromedp.SendKeys(chromedp.CSS("#deputy"), fmt.Sprint(others[5])), chromedp.SendKeys(chromedp.CSS("#title"), "副省长"))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[method=post][action="/admin/liaison/leaders"] button[type=submit]`)))
			if p := c.path(t); !strings.HasPrefix(p, "/admin/liaison/leaders/") {
				t.Fatalf("adding the leader stayed on %s: %s", p, c.text(t, "main"))
			}
			c.pageHas(t, "今年尚未参加")
			c.do(t, chromedp.SendKeys(chromedp.CSS("#note"), "到选举单位调研"))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/activities"] button[type=submit]`)))
			c.pageHas(t, "已登记活动")
			c.pageHas(t, "到选举单位调研")
			c.open(t, "/admin/liaison/leaders")
			c.pageHas(t, "已完成")
			c.screenshot(t, j.shots, "console-liaison-leaders.png")
		}},
	}
	j.walk(t, ctx, steps)
}
