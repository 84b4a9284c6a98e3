package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/storage"
)

// TestBrowserSendProgressMovesLive sends a notice to 16 followers at two
// messages a second, confirmed first with the numbers (20 deputies, 16 who
// can receive it), and watches its page: the progress bar and the counts
// move in place (the page is not loaded again while sending), the rate
// and the time remaining are shown, and the page ends on 已完成. The
// campaign list finds the notice by a word of its title and shows its
// rates.
func TestBrowserSendProgressMovesLive(t *testing.T) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildServer(t, dir)
	j := &journey{srv: startServerEnv(t, bin, dir, "DEPUTYBOT_DELIVERY_RATE_PER_SECOND=2"), shots: screenshotDir(t),
		shanghai: time.FixedZone("CST", 8*3600)}
	db, err := storage.Open(ctx, "sqlite", j.srv.DBPath)
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	defer db.Close()
	j.db = db
	j.browser = browser(t, ctx)
	j.console = newTab(t, j.browser, j.srv.URL, 1280, 900)
	said := j.console.recordDialogs()
	j.phone = newTab(t, j.browser, j.srv.URL, 414, 860)
	const title = "关于召开全省代表专题调研座谈会的通知"
	j.walk(t, ctx, []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"16 deputies follow the account and are bound", func(t *testing.T, ctx context.Context) {
			rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM deputies ORDER BY id LIMIT 16`)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			rows.Close()
			for _, id := range ids {
				openid := fmt.Sprintf("o-progress-%d", id)
				res, err := http.Post(j.srv.URL+"/sim/api/follow?openid="+openid, "application/x-www-form-urlencoded", nil)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("follow %s: %d", openid, res.StatusCode)
				}
				if err := db.BindDeputy(ctx, id, openid); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"the progress bar moves while sending, without reloading the page", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/campaigns/new")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#title"), title),
				chromedp.SendKeys(chromedp.CSS("#body"), "定于下周在省人大常委会机关召开专题调研座谈会，请各位代表拨冗参加。"),
				chromedp.Click(chromedp.CSS(`input[name=all]`)),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=send]`)))
			if p := c.path(t); !strings.HasPrefix(p, "/admin/campaigns/") {
				t.Fatalf("sending led to %s, want the progress page", p)
			}
			if got := said.last(); got != "将向 20 位代表发送，其中 16 位可接收。确定发送吗？" {
				t.Fatalf("before sending the page asked %q, want the numbers", got)
			}
			// A mark on this page's window: a reload would drop it.
			eval[bool](t, c, `window.sameLoad = true`)
			type snap struct {
				Same    bool   `json:"same"`
				Value   int    `json:"value"`
				Max     int    `json:"max"`
				Rate    string `json:"rate"`
				Left    string `json:"left"`
				Sent    string `json:"sent"`
				Skipped string `json:"skipped"`
				Status  string `json:"status"`
			}
			read := `(() => { const b = document.getElementById('send-bar'), q = k => (document.querySelector('[data-p="' + k + '"]') || {}).textContent || '';
				return {same: window.sameLoad === true, value: b ? b.value : -1, max: b ? b.max : -1, rate: q('rate_text'), left: q('remaining_text'),
				sent: q('sent'), skipped: q('skipped'), status: (document.getElementById('campaign-status') || {}).textContent || ''} })()`
			seen := map[int]bool{}
			var rated, shot bool
			var last snap
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
				last = eval[snap](t, c, read)
				if !last.Same {
					break // reloaded: the send is over (or the page reloads itself, which the checks below catch)
				}
				if last.Max == 20 && last.Value > 0 && last.Value < 20 {
					seen[last.Value] = true
				}
				if strings.Contains(last.Rate, "条/秒") && strings.HasPrefix(last.Left, "约") {
					rated = true
					if !shot && len(seen) >= 2 {
						c.screenshot(t, j.shots, "console-notice-progress-live.png")
						shot = true
					}
				}
			}
			if len(seen) < 2 {
				t.Fatalf("the bar took %d values between 0 and 20 on one load of the page (%v), want it to move; last %+v", len(seen), seen, last)
			}
			if !rated {
				t.Fatalf("no rate and time remaining were shown while sending; last %+v", last)
			}
			waitJS[bool](t, c, 30*time.Second, "the page showing 已完成",
				`(document.getElementById('campaign-status') || {}).textContent === '已完成'`)
			c.pageHas(t, "已发送 16")
		}},
		{"the list finds the notice by its title and shows its rates", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/campaigns")
			c.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "专题调研"))
			c.submit(t, chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
			if n := eval[int](t, c, `document.querySelectorAll('main table tbody tr').length`); n != 1 {
				t.Fatalf("the search shows %d rows, want 1", n)
			}
			c.pageHas(t, title)
			if got := eval[string](t, c, `document.querySelector('main table tbody tr td:nth-child(7)').textContent`); !strings.HasSuffix(got, "%") {
				t.Fatalf("the delivered rate reads %q", got)
			}
			c.open(t, "/admin/campaigns?q=不存在的标题")
			c.pageHas(t, "没有符合条件的通知")
		}},
	})
}
