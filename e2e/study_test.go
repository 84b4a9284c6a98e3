package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/core"
)

// TestBrowserStudy drives 学习 end to end: staff write a material with a
// PDF in the console, preview it as the deputy will see it, publish it
// to the bound deputy; the push reaches the phone, the deputy opens the
// page, finds the attachment and presses 学完; 学习 in the chat shows it
// studied and the console's statistics count it.
func TestBrowserStudy(t *testing.T) {
	ctx, j := startJourney(t, true)
	dir := t.TempDir()
	pdf := filepath.Join(dir, "预算法学习辅导.pdf")
	if err := os.WriteFile(pdf, core.SamplePDF("Budget law study guide"), 0o644); err != nil {
		t.Fatal(err)
	}
	title := "预算法：人大预算审查监督实务"
	var material string // its console page
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"with nothing published, 学习 says so", func(t *testing.T, _ context.Context) {
			j.say(t, "学习", "暂无学习材料")
		}},
		{"staff write a material with a PDF and preview it", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/materials/new")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#title"), title),
				chromedp.SetValue(chromedp.CSS("#category"), "法律法规"),
				chromedp.SendKeys(chromedp.CSS("#summary"), "预算审查的重点和方法。"),
				chromedp.SetValue(chromedp.CSS("#body"), "## 审查重点\n\n- 收入预算是否**实事求是**\n- 重点支出安排\n\n<script>alert(1)</script>"),
				chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{pdf}),
			)
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=preview]`)))
			c.pageHas(t, "代表在微信中看到的样子")
			if got := eval[string](t, c, `document.querySelector('.phone-md strong') ? document.querySelector('.phone-md strong').textContent : ''`); got != "实事求是" {
				t.Fatalf("the preview's bold text %q", got)
			}
			if n := eval[int](t, c, `document.querySelectorAll('.phone-md script').length`); n != 0 {
				t.Fatal("the preview runs a script")
			}
			c.pageHas(t, "预算法学习辅导.pdf")
			c.screenshot(t, j.shots, "console-material-preview.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)))
			material = c.path(t)
			if !strings.HasPrefix(material, "/admin/materials/") {
				t.Fatalf("saving led to %s: %s", material, c.text(t, "main"))
			}
			c.pageHas(t, "已保存为草稿")
			c.open(t, "/admin/materials")
			c.pageHas(t, title)
			c.screenshot(t, j.shots, "console-materials.png")
		}},
		{"staff publish it to the bound deputy", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, material+"/publish")
			c.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=deputy_ids]`), itoa(j.deputy.ID)))
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=preview]`)))
			c.pageHas(t, "将发送给 1 位代表")
			c.screenshot(t, j.shots, "console-material-publish.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`button[name=action][value=publish]`)))
			c.pageHas(t, "推送已进入发送队列")
		}},
		{"the deputy opens the push, the PDF and presses 学完", func(t *testing.T, _ context.Context) {
			j.waitBot(t, 0, title, 20*time.Second)
			card := `[...document.querySelectorAll('#chat .card')].filter(c => c.innerText.includes(` + jsString(title) + `)).pop()`
			href := eval[string](t, j.phone, `(`+card+`).querySelector('.ft a').href`)
			h := j.h5
			h.open(t, strings.TrimPrefix(href, j.srv.URL))
			h.pageHas(t, "收入预算是否实事求是")
			h.pageHas(t, "预算法学习辅导.pdf")
			h.screenshot(t, j.shots, "h5-material.png")
			file := eval[string](t, h, `document.querySelector('a[href^="/h5/files/"]').getAttribute('href')`)
			res, err := httpGet(j.srv.URL + file)
			if err != nil || res != "application/pdf" {
				t.Fatalf("the attachment answers %q, %v", res, err)
			}
			h.submit(t, chromedp.Click(chromedp.CSS(`form.h5-form button[type=submit]`)))
			h.pageHas(t, "已记录：您已学习")
			j.say(t, "学习", title+"（已学）")
			j.phone.screenshot(t, j.shots, "sim-study-chat.png")
		}},
		{"the console counts the study", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, material)
			got := eval[string](t, c, `[...document.querySelectorAll('.stat')].find(s => s.innerText.includes('已学完')).querySelector('b').textContent`)
			if got != "1" {
				t.Fatalf("已学完 %q, want 1", got)
			}
			c.screenshot(t, j.shots, "console-material.png")
		}},
		{"staff make a course of it; its page and the deputy's show the progress", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/courses/new")
			id := strings.TrimPrefix(material, "/admin/materials/")
			deadline := time.Now().In(j.shanghai).AddDate(0, 0, 14).Format("2006-01-02T15:04")
			c.do(t,
				chromedp.SendKeys(chromedp.CSS("#title"), "2026年代表履职学习班"),
				chromedp.Click(chromedp.CSS(`input[name=material][value="`+id+`"]`)),
				chromedp.SetValue(chromedp.CSS("#required"), "1"),
				chromedp.SetValue(chromedp.CSS("#deadline"), deadline),
			)
			c.screenshot(t, j.shots, "console-course-form.png")
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/courses"] button[type=submit]`)))
			c.pageHas(t, "已保存")
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button[type=submit]`)))
			c.pageHas(t, "位代表报名")
			c.pageHas(t, "完成率")
			waitJS[bool](t, c, 10*time.Second, "the completion chart", `!!document.querySelector('.chart canvas')`)
			c.screenshot(t, j.shots, "console-course.png")
			j.say(t, "学习", "我的学习班")
			h := j.h5
			h.open(t, eval[string](t, h, `location.pathname + location.search`))
			h.pageHas(t, "2026年代表履职学习班")
			h.screenshot(t, j.shots, "h5-material-course.png")
		}},
	}
	j.walk(t, ctx, steps)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// httpGet fetches url and returns its Content-Type.
func httpGet(url string) (string, error) {
	res, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", res.StatusCode)
	}
	return res.Header.Get("Content-Type"), nil
}
