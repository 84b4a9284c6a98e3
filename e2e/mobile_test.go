package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMobileConsole: at 390 px the console's menu is one button
// that opens the sections; a table scrolls inside its box with names on
// one line, and the page itself does not scroll sideways. At 1366 px the
// sections open on hover. Screenshots of the pages this issue changed, at
// both widths.
func TestBrowserMobileConsole(t *testing.T) {
	ctx, j := startJourney(t, false)
	narrow := newTab(t, j.browser, j.srv.URL, 390, 844)
	wide := newTab(t, j.browser, j.srv.URL, 1366, 900)
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"at 390 px the menu is a button that opens the sections", func(t *testing.T, _ context.Context) {
			narrow.open(t, "/admin/deputies")
			if shown := eval[bool](t, narrow, `getComputedStyle(document.querySelector('header nav')).display !== 'none'`); shown {
				t.Fatal("at 390 px the menu shows without being opened")
			}
			narrow.do(t, chromedp.Click(chromedp.CSS(".nav-button")))
			if shown := eval[bool](t, narrow, `getComputedStyle(document.querySelector('header nav')).display !== 'none'`); !shown {
				t.Fatal("the menu button does not open the menu")
			}
			secs := eval[string](t, narrow, `[...document.querySelectorAll('header nav .sec')].map(b => b.textContent).join(',')`)
			if secs != "代表,通知与活动,建议与意见,报表与设置" {
				t.Fatalf("the menu's sections: %q", secs)
			}
			if !eval[bool](t, narrow, `[...document.querySelectorAll('header nav a')].some(a => a.textContent === '会议活动' && a.offsetParent !== null)`) {
				t.Fatal("the open menu does not show 会议活动")
			}
			narrow.screenshot(t, j.shots, "console-menu-390.png")
		}},
		{"at 390 px a table scrolls inside its box with names on one line", func(t *testing.T, _ context.Context) {
			narrow.open(t, "/admin/deputies")
			if w := eval[int](t, narrow, `document.documentElement.scrollWidth`); w > 391 {
				t.Fatalf("the page is %d px wide at 390", w)
			}
			if !eval[bool](t, narrow, `(() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth > w.clientWidth })()`) {
				t.Fatal("the deputies table does not scroll inside its box")
			}
			if ws := eval[string](t, narrow, `getComputedStyle(document.querySelector('.table-wrap tbody td')).whiteSpace`); ws != "nowrap" {
				t.Fatalf("a name cell wraps (white-space %s)", ws)
			}
			narrow.screenshot(t, j.shots, "console-deputies-390.png")
		}},
		{"at 1366 px the sections open on hover", func(t *testing.T, _ context.Context) {
			wide.open(t, "/admin/meetings")
			if n := eval[int](t, wide, `[...document.querySelectorAll('header nav a')].filter(a => a.offsetParent !== null).length`); n != 1 {
				t.Fatalf("%d menu links show before any section is opened, want only 首页", n)
			}
			if on := eval[string](t, wide, `document.querySelector('header .navsec.on .sec').textContent`); on != "通知与活动" {
				t.Fatalf("the current section is %q", on)
			}
			wide.do(t, chromedp.Focus(chromedp.CSS(`header .navsec .sec`)))
			if !eval[bool](t, wide, `[...document.querySelectorAll('header nav a')].some(a => a.textContent === '代表名册' && a.offsetParent !== null)`) {
				t.Fatal("focusing 代表 does not open its links")
			}
			wide.screenshot(t, j.shots, "console-menu-1366.png")
		}},
		{"screenshots of the changed pages at 1366 and 390 px", func(t *testing.T, _ context.Context) {
			pages := map[string]string{"deputy-import": "/admin/deputies/import", "series-new": "/admin/series/new",
				"survey-new": "/admin/surveys/new", "supervision": "/admin/supervision"}
			for name, path := range pages {
				for _, tb := range []struct {
					t     *tab
					width int
				}{{wide, 1366}, {narrow, 390}} {
					tb.t.open(t, path)
					if w := eval[int](t, tb.t, `document.documentElement.scrollWidth`); w > tb.width+1 {
						t.Errorf("%s is %d px wide at %d", path, w, tb.width)
					}
					tb.t.screenshot(t, j.shots, fmt.Sprintf("console-%s-%d.png", name, tb.width))
				}
			}
		}},
	}
	j.walk(t, ctx, steps)
}
