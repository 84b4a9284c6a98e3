package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"deputybot/core"
)

// menuFormValues reads every field of the menu form as the page shows it.
func menuFormValues(t *testing.T, c *tab) map[string]string {
	t.Helper()
	return eval[map[string]string](t, c,
		`Object.fromEntries([...document.querySelectorAll('#menu-form [name]')].map(e => [e.name, e.value]))`)
}

// setMenuFields types values into the menu form's fields, by name.
func setMenuFields(t *testing.T, c *tab, values map[string]string) {
	t.Helper()
	b, _ := json.Marshal(values)
	n := eval[int](t, c, `(() => { const v = `+string(b)+`; let n = 0;
		for (const [k, x] of Object.entries(v)) { const e = document.querySelector('#menu-form [name="' + k + '"]');
			if (e) { e.value = x; e.dispatchEvent(new Event('change', {bubbles: true})); n++; } }
		return n; })()`)
	if n != len(values) {
		t.Fatalf("set %d of %d fields", n, len(values))
	}
}

// menuOfForm is the menu the form's values describe: every slot with a
// name or a target, in order.
func menuOfForm(v map[string]string) core.Menu {
	m := core.Menu{}
	slot := func(p string) core.MenuButton {
		b := core.MenuButton{Name: v[p+"_name"], Type: v[p+"_type"]}
		if b.Type == "view" {
			b.URL = v[p+"_target"]
		} else {
			b.Key = v[p+"_target"]
		}
		return b
	}
	for i := 0; i < 3; i++ {
		p := fmt.Sprintf("m%d", i)
		top := slot(p)
		for j := 0; j < 5; j++ {
			sp := fmt.Sprintf("m%d_%d", i, j)
			if v[sp+"_name"] != "" || v[sp+"_target"] != "" {
				top.SubButton = append(top.SubButton, slot(sp))
			}
		}
		if top.Name == "" && top.Key == "" && top.URL == "" && len(top.SubButton) == 0 {
			continue
		}
		if top.Type == "sub" {
			top.Type, top.Key = "", ""
		}
		m.Button = append(m.Button, top)
	}
	return m
}

func menuText(m core.Menu) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// TestBrowserMenuFormSavesWhatItShows: an admin edits the custom menu as
// a form of buttons and sub-buttons; what the form shows after saving is
// exactly the menu stored, and a refused form keeps what was typed and
// stores nothing.
func TestBrowserMenuFormSavesWhatItShows(t *testing.T) {
	ctx, j := startJourney(t, false)
	steps := []step{
		{"staff logs in", j.login},
		{"the form shows the menu in force", func(t *testing.T, _ context.Context) {
			c := j.console
			c.open(t, "/admin/settings")
			v := menuFormValues(t, c)
			if v["m0_name"] != "学习材料" || v["m2_name"] != "我的" || v["m2_type"] != "sub" || v["m2_0_name"] != "我的建议" {
				t.Fatalf("the form shows %v, want the default menu", v)
			}
		}},
		{"a refused menu keeps what was typed and stores nothing", func(t *testing.T, ctx context.Context) {
			c := j.console
			setMenuFields(t, c, map[string]string{"m1_target": "ftp://example.com/x", "m1_type": "view"})
			if status := c.submit(t, chromedp.Click(chromedp.CSS(`#menu-form button[type=submit]`))); status != 422 {
				t.Fatalf("a bad URL answered %d, want 422", status)
			}
			c.pageHas(t, "菜单有误，未保存")
			c.pageHas(t, "url 应是 http(s) 网址")
			if v := menuFormValues(t, c); v["m1_target"] != "ftp://example.com/x" || v["m1_type"] != "view" {
				t.Fatalf("the refused form shows %v, want what was typed", v)
			}
			if _, err := j.db.MenuSetting(ctx); err == nil {
				t.Fatal("a refused menu was stored")
			}
		}},
		{"the saved menu is the one the form shows", func(t *testing.T, ctx context.Context) {
			c := j.console
			c.open(t, "/admin/settings")
			before := menuFormValues(t, c)
			if before["m2_4_name"] != "" || before["m2_0_name"] == "" {
				t.Fatalf("the default menu's 我的 should have a first sub-button and a free fifth slot: %v", before)
			}
			edits := map[string]string{"m0_name": "学习园地", "m2_4_name": "联络站", "m2_4_type": "view",
				"m2_4_target": "https://rd.example.gov.cn/stations", "m2_0_name": "", "m2_0_target": ""}
			setMenuFields(t, c, edits)
			typed := map[string]string{}
			for k, v := range before {
				typed[k] = v
			}
			for k, v := range edits {
				typed[k] = v
			}
			want := menuText(menuOfForm(typed))
			c.submit(t, chromedp.Click(chromedp.CSS(`#menu-form button[type=submit]`)))
			c.pageHas(t, "菜单已保存")
			c.pageHas(t, "在本页保存的菜单")
			shown := menuFormValues(t, c)
			if got := menuText(menuOfForm(shown)); got != want {
				t.Fatalf("after saving the form shows %s\nwhat was typed is %s", got, want)
			}
			if shown["m0_name"] != "学习园地" || shown["m2_0_name"] != before["m2_1_name"] {
				t.Fatalf("after saving the form shows %v", shown)
			}
			raw, err := j.db.MenuSetting(ctx)
			if err != nil {
				t.Fatalf("no menu stored: %v", err)
			}
			var stored core.Menu
			if err := json.Unmarshal(raw, &stored); err != nil {
				t.Fatal(err)
			}
			if got := menuText(stored); got != want {
				t.Fatalf("stored %s\nthe form shows %s", got, want)
			}
			c.screenshot(t, j.shots, "console-settings-menu.png")
		}},
	}
	j.walk(t, ctx, steps)
}
