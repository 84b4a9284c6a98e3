package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestStudyMaterials(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		svc := r.router.Core
		staff := core.CLIActor(model.Account{}, "tester")
		d := boundDeputy(t, r, "学习代表", "13822220001", "o-study")
		u := r.sim.User("o-study")
		expect(t, chat(t, u, "学习"), "暂无学习材料")
		var ids []int64
		for _, in := range []core.MaterialInput{
			{Title: "宪法学习辅导", Body: "宪法是国家的根本法。", Summary: "宪法要点"},
			{Title: "中华人民共和国预算法解读", Body: "预算应当公开。", Category: "法律法规"},
		} {
			m, err := svc.Materials.Create(ctx, staff, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		draft, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "尚未发布的草稿", Body: "x"})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, chat(t, u, "学习", "已学1", "已学１"), "预算法解读", "还有 1 份", "还有 1 份")
		expect(t, chat(t, u, "已学99", "已学abc"), "没有第 99 份材料。请回复“已学”加 1–2 中的一个序号",
			"请在“已学”后写上材料的序号。请回复“已学”加 1–2 中的一个序号")
		if list := chat(t, u, "学习"); strings.Contains(list[0], draft.Title) {
			t.Fatalf("a draft is listed: %s", list)
		}
		expect(t, chat(t, u, "学习 宪法", "已学 宪法 1", "学习 监督法"), "含“宪法”的学习材料：\n1. 宪法学习辅导", "已标记“宪法学习辅导”为已学",
			"没有找到含“监督法”的学习材料")
		ms, err := svc.Materials.ForDeputy(ctx, core.DeputyActor(d, core.ViaWeChat), "", 5)
		if err != nil || len(ms) != 2 || !ms[0].Studied() || !ms[1].Studied() {
			t.Fatalf("studied marks: %+v %v", ms, err)
		}
		st, err := svc.Materials.Stats(ctx, staff, ids[1])
		if err != nil || st.Studied != 1 {
			t.Fatalf("a material studied twice counts %d (%v)", st.Studied, err)
		}
		click := replyText(t)(u.Click(ctx, bot.KeyMaterials))
		expect(t, []string{click}, "（已学）")
		r.router.PagesURL = "https://deputy.example/"
		expect(t, chat(t, u, "学习 预算"), `<a href="https://deputy.example/h5/m/materials?q=%E9%A2%84%E7%AE%97">阅读全文、搜索学习材料</a>`)

		t.Run("学习 shows the deputy's open course with its progress", func(t *testing.T) {
			c, err := svc.Courses.Create(ctx, staff, core.CourseInput{Title: "2026年代表履职学习班", Required: 2,
				Deadline: time.Now().AddDate(0, 1, 0).Format("2006-01-02"), MaterialIDs: ids,
				Audience: model.Audience{DeputyIDs: []int64{d.ID}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Courses.Publish(ctx, staff, c.ID); err != nil {
				t.Fatal(err)
			}
			expect(t, chat(t, u, "学习"), "我的学习班：\n· 2026年代表履职学习班：已完成 2/2 学时（已达标）")
		})
	})
}

// TestTheMenuOpensTheMaterialsList: with the service's address known, the
// default menu's 学习材料 is a VIEW button opening the H5 list (whose
// search box handlers/h5's TestH5OAuthMenuPages checks); without it, a
// CLICK the chat answers.
func TestTheMenuOpensTheMaterialsList(t *testing.T) {
	var menu struct {
		Button []struct{ Type, Name, Key, URL string }
	}
	if err := json.Unmarshal(bot.MenuJSON(nil, "https://deputy.example/"), &menu); err != nil {
		t.Fatal(err)
	}
	if b := menu.Button[0]; b.Name != "学习材料" || b.Type != "view" || b.URL != "https://deputy.example/h5/m/materials" {
		t.Fatalf("with an address: %+v", b)
	}
	if err := json.Unmarshal(bot.MenuJSON(nil, ""), &menu); err != nil {
		t.Fatal(err)
	}
	if b := menu.Button[0]; b.Type != "click" || b.Key != bot.KeyMaterials {
		t.Fatalf("without one: %+v", b)
	}
}
