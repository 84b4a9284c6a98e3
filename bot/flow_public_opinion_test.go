package bot_test

import (
	"context"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestAStationDeputySeesARoutedPublicOpinionInTheChatAndAnswersIt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		staff := core.CLIActor(model.Account{}, "test")
		if _, err := r.sim.User("o-po-citizen").Follow(ctx); err != nil {
			t.Fatal(err)
		}
		wang := boundDeputy(t, r, "王芳", "13711115555", "o-po-wang")
		boundDeputy(t, r, "李强", "13711116666", "o-po-li")
		expect(t, chat(t, r.sim.User("o-po-wang"), "群众意见"), "目前没有转交给您的群众意见")
		st, err := r.router.Core.Stations.Create(ctx, staff, core.StationInput{Name: "历下区代表联络站", Deputies: wang.Name})
		if err != nil {
			t.Fatal(err)
		}
		o, err := r.router.Core.PublicOpinions.Submit(ctx, core.PublicActor("o-po-citizen", core.ViaH5), st.ID,
			core.PublicOpinionInput{Category: "traffic", Body: "建议在泺源大街增设过街天桥，方便老人过马路。"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.router.Core.PublicOpinions.Route(ctx, staff, o.ID, core.RouteInput{Action: core.RouteToDeputies}); err != nil {
			t.Fatal(err)
		}
		expect(t, chat(t, r.sim.User("o-po-li"), "群众意见"), "目前没有转交给您的群众意见")
		expect(t, chat(t, r.sim.User("o-po-wang"), "群众意见", "答复3", "答复1", "已联系区交通局，明年列入计划。"),
			o.Receipt+"【交通出行】历下区代表联络站", "没有第 3 条", "方便老人过马路", "答复已记录")
		var openid string
		if err := db.SQL().QueryRow(`SELECT openid FROM deliveries WHERE source LIKE 'po-%-reply%'`).Scan(&openid); err != nil || openid != "o-po-citizen" {
			t.Fatalf("the answer's push: %q %v", openid, err)
		}
		expect(t, chat(t, r.sim.User("o-po-wang"), "群众意见"), "代表已答复")
		// 转交N passes it on to a handling unit; the sender is told.
		expect(t, chat(t, r.sim.User("o-po-li"), "转交1 区交通运输局"), "已收到您的留言")
		expect(t, chat(t, r.sim.User("o-po-wang"), "转交3份材料给工作人员", "转交9 区交通运输局", "转交1 区交通运输局"), "已收到您的留言", "没有第 9 条", "已将群众意见 "+o.Receipt+" 转交区交通运输局办理")
		if err := db.SQL().QueryRow(`SELECT openid FROM deliveries WHERE source LIKE 'po-%-unit-%'`).Scan(&openid); err != nil || openid != "o-po-citizen" {
			t.Fatalf("the forward's push: %q %v", openid, err)
		}
		if got, _ := r.router.Core.PublicOpinions.OfSender(ctx, core.PublicActor("o-po-citizen", core.ViaH5), o.ID); got.Status != model.PublicOpinionUnit || got.Unit != "区交通运输局" {
			t.Fatalf("after forwarding: %+v", got)
		}
	})
}
