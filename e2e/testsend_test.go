package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTestSendReachesOneself: the signed-in staff member binds
// their own WeChat with a code from 我的微信 on the simulated phone; on the
// compose page a test to a deputy picked by name who has no WeChat says
// so instead of 已发给, a test to oneself arrives on the phone as 【测试】,
// and the campaign list leaves test sends out.
func TestBrowserTestSendReachesOneself(t *testing.T) {
	ctx, j := startJourney(t, false)
	const title = "关于报送年度履职情况的通知"
	j.walk(t, ctx, []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"staff bind their own WeChat with a code", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/wechat")
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/wechat/bind-code"] button[type=submit]`)))
			code := strings.TrimSpace(c.text(t, "p.secret"))
			if len(code) != 6 {
				t.Fatalf("the bind code reads %q", code)
			}
			p := j.phone
			p.open(t, "/sim/")
			waitJS[bool](t, p, 10*time.Second, "the phone page's first user", `document.getElementById('users').options.length > 0`)
			p.answerDialogs("e2e工作人员")
			before := eval[int](t, p, `document.getElementById('users').options.length`)
			p.do(t, chromedp.Click(chromedp.CSS("#newUser")))
			j.openid = waitJS[string](t, p, 10*time.Second, "the new simulated user",
				fmt.Sprintf(`document.getElementById('users').options.length > %d && document.getElementById('users').selectedOptions[0].text.includes('e2e工作人员') && document.getElementById('users').value`, before))
			n := j.botCount(t, "欢迎关注")
			p.do(t, chromedp.Click(chromedp.CSS("#followBtn")))
			j.waitBot(t, n, "欢迎关注", 10*time.Second)
			j.say(t, "绑定", "请回复您的姓名")
			j.say(t, "admin", "")
			j.say(t, code, "绑定成功")
			c.open(t, "/admin/wechat")
			c.pageHas(t, "已绑定微信")
		}},
		{"a test to a deputy without WeChat says so", func(t *testing.T, ctx context.Context) {
			var name string
			if err := j.db.SQL().QueryRowContext(ctx, `SELECT name FROM deputies ORDER BY id LIMIT 1`).Scan(&name); err != nil {
				t.Fatal(err)
			}
			c := j.console
			c.open(t, "/admin/campaigns/new")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#title"), title),
				chromedp.Click(chromedp.CSS(`input[name=test_to][value=deputy]`)),
				chromedp.SendKeys(chromedp.CSS("#test_deputy"), name),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=test]`)))
			c.pageHas(t, name+" 尚未绑定微信，收不到测试通知")
			if got := c.text(t, "#test-send"); strings.Contains(got, "已发") {
				t.Fatalf("the page says it was sent: %q", got)
			}
		}},
		{"a test to oneself reaches the phone", func(t *testing.T, _ context.Context) {
			c := j.console
			n := j.botCount(t, "【测试】")
			c.do(t, chromedp.Click(chromedp.CSS(`input[name=test_to][value=me]`)))
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=test]`)))
			c.pageHas(t, "测试通知已发往本人")
			c.screenshot(t, j.shots, "console-notice-test-send.png")
			j.waitBot(t, n, "【测试】", 20*time.Second)
		}},
		{"the campaign list leaves the test out", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/campaigns")
			c.pageHas(t, "还没有通知")
		}},
	})
}
