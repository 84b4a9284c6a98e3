package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/storage"
)

// TestBrowserFirstRunShowsTheProduct starts the simulator as a newcomer
// would (demo data on): the start page says in two lines what to try
// first; a demo deputy bound on the phone finds a meeting under 我的会议,
// a suggestion to rate under 我的建议 (and 满意 rates it), a survey under
// 问卷, a draft regulation under 意见, an activity under 活动报名 and a
// citizen's opinion under 群众意见; the
// console shows a finished notice with its ledger and a row on each page.
func TestBrowserFirstRunShowsTheProduct(t *testing.T) {
	chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildServer(t, dir)
	j := &journey{srv: startServerEnv(t, bin, dir, "DEPUTYBOT_DEMO=true"), shots: screenshotDir(t), shanghai: time.FixedZone("CST", 8*3600)}
	db, err := storage.Open(ctx, "sqlite", j.srv.DBPath)
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	defer db.Close()
	j.db = db
	bctx := browser(t, ctx)
	j.console = newTab(t, bctx, j.srv.URL, 1280, 900)
	j.phone = newTab(t, bctx, j.srv.URL, 414, 860)

	steps := []struct {
		name string
		run  func(*testing.T, context.Context)
	}{
		{"the start page says in two lines what to try first", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/")
			try := c.text(t, "#try-first")
			for _, want := range []string{"先试这个", "绑定", "我的会议", "我的建议", "问卷", "意见", "通知推送"} {
				if !strings.Contains(try, want) {
					t.Fatalf("the start page's first steps %q lack %q", try, want)
				}
			}
			if lines := eval[int](t, c, `document.getElementById('try-first').innerText.trim().split('\n').length`); lines != 2 {
				t.Fatalf("the first steps take %d lines, want 2", lines)
			}
			c.screenshot(t, j.shots, "start-page-first-run.png")
		}},
		{"a demo deputy binds on the phone", j.bindOnPhone},
		{"every chat command answers with something real", func(t *testing.T, _ context.Context) {
			j.say(t, "我的会议", "省十四届人大常委会第二十次会议")
			j.say(t, "我的建议", "关于加强农村饮水安全保障的建议")
			j.say(t, "满意", "已记下您对办理结果的评价")
			j.say(t, "取消", "已取消")
			j.say(t, "问卷", "代表履职服务满意度调查")
			j.say(t, "取消", "已暂停")
			j.say(t, "意见", "法规草案征求意见")
			j.say(t, "取消", "已取消")
			j.say(t, "活动报名", "乡村振兴专题调研")
			j.say(t, "群众意见", "泺源大街")
			j.phone.screenshot(t, j.shots, "sim-phone-first-run.png")
		}},
		{"staff log in", j.login},
		{"the console shows a finished notice with its ledger", func(t *testing.T, _ context.Context) {
			c := j.console
			const title = "关于做好年度履职登记的通知"
			deadline := time.Now().Add(30 * time.Second)
			for {
				c.open(t, "/admin/campaigns")
				row := eval[string](t, c, `(() => { const r = [...document.querySelectorAll('main table tbody tr')].find(e => e.innerText.includes(`+jsString(title)+`));
					return r ? r.innerText : '' })()`)
				if strings.Contains(row, "已完成") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the notice's row %q did not reach 已完成", row)
				}
				time.Sleep(500 * time.Millisecond)
			}
			c.submit(t, chromedp.Click(chromedp.CSS(`main table tbody tr a[href^="/admin/campaigns/"]`)))
			c.pageHas(t, title)
			c.pageHas(t, "未绑定微信")
			c.screenshot(t, j.shots, "console-campaign-first-run.png")
			for _, page := range []string{"/admin/meetings", "/admin/suggestions", "/admin/surveys", "/admin/opinions",
				"/admin/stations", "/admin/public-opinions", "/admin/messages"} {
				c.open(t, page)
				if n := eval[int](t, c, `document.querySelectorAll('main table tbody tr').length`); n == 0 {
					t.Errorf("%s has no row to open on a first run", page)
				}
			}
		}},
	}
	ok := true
	for _, s := range steps {
		ok = t.Run(s.name, func(t *testing.T) {
			if !ok {
				t.Skip("skipped: an earlier step failed")
			}
			s.run(t, ctx)
		}) && ok
	}
	if err := chromedp.Do(j.phone.ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Logf("leave the phone page: %v", err)
	}
	if err := chromedp.Cancel(bctx); err != nil {
		t.Logf("close chromium: %v", err)
	}
	j.srv.stop(t)
}
