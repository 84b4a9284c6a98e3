package bot_test

import (
	"context"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestStudyMaterials(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		d := boundDeputy(t, r, "学习代表", "13822220001", "o-study")
		u := r.sim.User("o-study")
		expect(t, chat(t, u, "学习"), "暂无学习材料")
		for i, title := range []string{"宪法学习辅导", "代表法解读"} {
			m := model.Material{Title: title, Link: "https://example.org/m" + string(rune('1'+i)), PublishedAt: time.Now().Add(time.Duration(i-5) * time.Minute)}
			if err := db.CreateMaterial(ctx, &m); err != nil {
				t.Fatal(err)
			}
		}
		expect(t, chat(t, u, "学习", "已学1", "已学１", "已学9"), "代表法解读", "还有 1 份", "还有 1 份", "没有第 9 份")
		ms, err := db.LatestMaterials(ctx, d.ID, 5)
		if err != nil || !ms[0].Studied() || ms[1].Studied() {
			t.Fatalf("studied marks: %+v %v", ms, err)
		}
		click := replyText(t)(u.Click(ctx, bot.KeyMaterials))
		expect(t, []string{click}, "（已学）")
	})
}
