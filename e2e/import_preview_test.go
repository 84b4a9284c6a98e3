package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserImportPreviewFlagsARenamedBoundDeputy: the deputies import
// page offers its template; an upload shows what will change before
// anything is written: a new row, and the bound deputy whose name the
// file changes, flagged 改名 with old → new; the import needs the rename
// confirmed, and then renames.
func TestBrowserImportPreviewFlagsARenamedBoundDeputy(t *testing.T) {
	ctx, j := startJourney(t, false)
	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"the template downloads from every import page", func(t *testing.T, _ context.Context) {
			c := j.console
			for _, p := range []string{"/admin/deputies/import", "/admin/suggestions/import", "/admin/stations"} {
				c.open(t, p)
				got := waitJS[string](t, c, 10*time.Second, "the template download", `fetch(document.querySelector('#import-template').href)
					.then(r => r.status + ' ' + r.headers.get('Content-Type'))`)
				if !strings.HasPrefix(got, "200 application/vnd.openxmlformats") {
					t.Fatalf("%s: the template answered %q", p, got)
				}
			}
		}},
		{"the preview flags the renamed bound deputy, and the import needs it confirmed", func(t *testing.T, _ context.Context) {
			c := j.console
			file := filepath.Join(t.TempDir(), "名册更正.csv")
			csv := "姓名,代表团,手机号\r\n" + j.deputy.Name + "改," + j.deputy.Delegation + "," + j.deputy.Phone + "\r\n周新人,烟台市代表团,13700000001\r\n"
			if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
				t.Fatal(err)
			}
			c.open(t, "/admin/deputies/import")
			c.do(t, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
			c.submit(t, chromedp.Click(chromedp.CSS(`form[action="/admin/deputies/import/preview"] button[type=submit]`)))
			c.pageHas(t, "将新增 1，更新 1")
			c.pageHas(t, "有 1 位已绑定微信的代表将被改名")
			row := c.text(t, "#preview-updated tbody tr")
			if !strings.Contains(row, "改名") || !strings.Contains(row, "姓名："+j.deputy.Name+" → "+j.deputy.Name+"改") {
				t.Fatalf("the updated row reads %q", row)
			}
			c.screenshot(t, j.shots, "console-deputy-import-preview.png")
			if d, _ := j.db.GetDeputyByOpenID(context.Background(), j.openid); d.Name != j.deputy.Name {
				t.Fatalf("the preview renamed the deputy to %s", d.Name)
			}
			// The confirmation box is required: the import form does not go without it.
			if ok := eval[bool](t, c, `document.querySelector('#import-apply').checkValidity()`); ok {
				t.Fatal("the import form can be sent without confirming the rename")
			}
			c.do(t, chromedp.Click(chromedp.CSS("#confirm_renames")))
			c.submit(t, chromedp.Click(chromedp.CSS(`#import-apply button[type=submit]`)))
			c.pageHas(t, "新增 1，更新 1")
			if d, _ := j.db.GetDeputyByOpenID(context.Background(), j.openid); d.Name != j.deputy.Name+"改" {
				t.Fatalf("after the confirmed import the deputy is %s", d.Name)
			}
		}},
	}
	j.walk(t, ctx, steps)
}
