package bot_test

import (
	"context"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestActivitySignUpInTheChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		now := time.Now()
		staff := core.CLIActor(model.Account{}, "test")
		m := model.Meeting{Kind: model.MeetingResearch, Title: "乡村振兴专题调研", StartsAt: now.Add(10 * 24 * time.Hour),
			RSVPDeadline: now.Add(7 * 24 * time.Hour), Place: "临沂"}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		wang := boundDeputy(t, r, "王芳", "13711112222", "o-su-wang")
		li := boundDeputy(t, r, "李强", "13711113333", "o-su-li")
		zhao := boundDeputy(t, r, "赵敏", "13711114444", "o-su-zhao")

		expect(t, chat(t, r.sim.User("o-su-wang"), "活动报名"), "目前没有开放报名的活动")
		deadline := now.Add(5 * 24 * time.Hour).Format(time.RFC3339)
		if _, err := r.router.Core.Meetings.OpenSignup(ctx, staff, m.ID, core.SignupInput{Capacity: "2", Deadline: deadline}); err != nil {
			t.Fatal(err)
		}
		expect(t, chat(t, r.sim.User("o-su-wang"), "活动报名", "1"), "1. 【专题调研】乡村振兴专题调研", "报名成功：“乡村振兴专题调研”")
		expect(t, chat(t, r.sim.User("o-su-li"), "活动报名", "报名1"), "名额 2，剩余 1", "报名成功")
		expect(t, chat(t, r.sim.User("o-su-zhao"), "活动报名", "１"), "剩余 0", "名额已满：“乡村振兴专题调研”的 2 个名额已报满，您在候补名单第 1 位")
		expect(t, chat(t, r.sim.User("o-su-zhao"), "报名1"), "您已在“乡村振兴专题调研”的候补名单第 1 位")
		for _, d := range []model.Deputy{wang, li} {
			if inv, err := db.GetInvitation(ctx, m.ID, d.ID); err != nil || inv.Status != model.RSVPAttend || inv.Channel != core.ViaWeChat {
				t.Fatalf("%s's invitation: %+v %v", d.Name, inv, err)
			}
		}
		// 退出报名1 typed at the list is the command, not a bad choice.
		expect(t, chat(t, r.sim.User("o-su-li"), "活动报名", "退出报名1"), "您已报名", "已退出“乡村振兴专题调研”的报名")
		if inv, _ := db.GetInvitation(ctx, m.ID, zhao.ID); inv.Status != model.RSVPAttend {
			t.Fatalf("the waiting deputy did not get the freed place: %+v", inv)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id
			WHERE d.deputy_id = ? AND n.title LIKE '候补报名成功%'`, zhao.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the promoted deputy's push: %d %v", n, err)
		}
		expect(t, chat(t, r.sim.User("o-su-zhao"), "活动报名"), "您已报名")
		expect(t, chat(t, r.sim.User("o-su-li"), "退出报名1", "退出报名5"), "您没有报名", "没有第 5 项")
		// A deputy whose term ended is refused.
		if err := db.TerminateDeputy(ctx, li.ID, now, "调离"); err != nil {
			t.Fatal(err)
		}
		expect(t, chat(t, r.sim.User("o-su-li"), "报名1"), "代表资格已终止")
		if su, err := db.GetSignup(ctx, m.ID, li.ID); err != nil || su.Status != model.SignupWithdrawn {
			t.Fatalf("a terminated deputy signed up: %+v %v", su, err)
		}
	})
}
