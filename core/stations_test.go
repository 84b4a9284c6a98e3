package core_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestAStationTakesAPublicOpinionThatStaffRouteToItsDeputiesWhoAnswer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		st := w.svc.Stations
		po := w.svc.PublicOpinions
		staff := staffActor(model.RoleStaff)

		if _, err := st.Create(ctx, staff, core.StationInput{Name: "历下区代表联络站", Deputies: "代表1、无此人\n代表4",
			MapURL: "javascript:alert(1)"}); err == nil {
			t.Fatal("a station with unknown deputies and a bad map link was accepted")
		} else if fe, _ := core.Fields(err); len(fe) != 2 || !strings.Contains(err.Error(), "无此人") || !strings.Contains(err.Error(), "代表4") {
			t.Fatalf("refusal %v", err)
		}
		station, err := st.Create(ctx, staff, core.StationInput{Name: "历下区代表联络站", Address: "济南市历下区泺源大街 1 号",
			MapURL: "https://map.example.cn/?q=1", Delegation: "济南市代表团", ContactName: "张明", ContactPhone: "0531-1234567",
			Deputies: "代表1、代表2"})
		if err != nil || station.DeputyCount != 2 {
			t.Fatalf("create: %+v %v", station, err)
		}
		if _, err := st.Create(ctx, staff, core.StationInput{Name: "历下区代表联络站"}); err == nil {
			t.Fatal("a second station of the same name")
		}

		citizen := core.PublicActor("o-citizen", core.ViaH5)
		in := core.PublicOpinionInput{Category: "traffic", Body: "建议在泺源大街增设过街天桥。", Name: "刘先生", Phone: "13912345678"}
		before := w.state(t)
		for _, bad := range []core.PublicOpinionInput{
			{Category: "traffic", Body: "bad \xff utf-8"},
			{Category: "traffic", Body: strings.Repeat("长", 2001)},
			{Category: "traffic", Body: "   "},
			{Category: "party", Body: "建议"},
			{Category: "traffic", Body: "建议", Phone: "请打我电话"},
		} {
			if _, err := po.Submit(ctx, citizen, station.ID, bad); err == nil {
				t.Fatalf("accepted %+v", bad)
			} else if _, ok := core.Fields(err); !ok {
				t.Fatalf("refusal of %+v is no field error: %v", bad, err)
			}
		}
		if _, err := po.Submit(ctx, staff, station.ID, in); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("staff submitting: %v", err)
		}
		if after := w.state(t); after != before {
			t.Fatalf("refusals changed the state: %s → %s", before, after)
		}
		o, err := po.Submit(ctx, citizen, station.ID, in)
		if err != nil || o.Receipt != "QY2026-00001" || o.Status != model.PublicOpinionNew {
			t.Fatalf("submit: %+v %v", o, err)
		}
		anon, err := po.Submit(ctx, citizen, station.ID, core.PublicOpinionInput{Category: "other", Body: "匿名意见", Name: "王", Phone: "13900000000", Anonymous: true})
		if err != nil || anon.Name != "" || anon.Phone != "" {
			t.Fatalf("an anonymous opinion kept who sent it: %+v %v", anon, err)
		}
		for i := 0; i < 3; i++ {
			if _, err := po.Submit(ctx, citizen, station.ID, core.PublicOpinionInput{Category: "other", Body: "再提一条"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := po.Submit(ctx, citizen, station.ID, in); !errors.Is(err, model.ErrConflict) || !strings.Contains(core.Message(err), "每日上限") {
			t.Fatalf("the sixth of the day: %v", err)
		}
		if _, err := po.Submit(ctx, core.PublicActor("o-other", core.ViaH5), station.ID, in); err != nil {
			t.Fatalf("another follower is not limited by the first: %v", err)
		}

		if _, err := po.Route(ctx, staff, o.ID, core.RouteInput{Action: "unit"}); err == nil {
			t.Fatal("a unit route without a unit")
		}
		routed, err := po.Route(ctx, staff, o.ID, core.RouteInput{Action: core.RouteToDeputies})
		if err != nil || routed.Status != model.PublicOpinionDeputies {
			t.Fatalf("route: %+v %v", routed, err)
		}
		var pushes int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM deliveries WHERE source = ?`, "po-"+itoa(o.ID)+"-deputies").Scan(&pushes); err != nil || pushes != 2 {
			t.Fatalf("%d pushes to the station's deputies, want 2 (%v)", pushes, err)
		}
		mine, err := po.ForDeputy(ctx, core.DeputyActor(w.a, core.ViaWeChat), 5)
		if err != nil || len(mine) != 1 || mine[0].ID != o.ID {
			t.Fatalf("deputy 1 sees %+v %v", mine, err)
		}
		if _, err := po.DeputyReply(ctx, core.DeputyActor(w.c, core.ViaWeChat), o.ID, "我来答"); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("a deputy of no station answered: %v", err)
		}
		if _, err := po.DeputyReply(ctx, core.DeputyActor(w.a, core.ViaWeChat), o.ID, "已联系区交通局，明年列入计划。"); err != nil {
			t.Fatal(err)
		}
		var openid, body string
		if err := db.SQL().QueryRow(`SELECT d.openid, n.body FROM deliveries d JOIN notices n ON n.id = d.notice_id
			WHERE d.source LIKE ? ORDER BY d.id DESC LIMIT 1`, "po-"+itoa(o.ID)+"-reply%").Scan(&openid, &body); err != nil ||
			openid != "o-citizen" || !strings.Contains(body, "已联系区交通局") || !strings.Contains(body, o.Receipt) {
			t.Fatalf("the sender's push: %q %q %v", openid, body, err)
		}
		thread, err := po.Get(ctx, staffActor(model.RoleReadonly), o.ID)
		if err != nil || thread.Opinion.Status != model.PublicOpinionReplied || len(thread.Replies) != 1 || len(thread.Deputies) != 2 {
			t.Fatalf("thread %+v %v", thread, err)
		}
		if _, err := po.Route(ctx, staff, anon.ID, core.RouteInput{Action: core.RouteClose, Reason: "已现场答复"}); err != nil {
			t.Fatal(err)
		}
		if _, err := po.Route(ctx, staff, anon.ID, core.RouteInput{Action: core.RouteToUnit, Unit: "历下区交通运输局"}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("routing a closed opinion: %v", err)
		}
		counts, err := po.Counts(ctx, staff, 2026)
		if err != nil || len(counts) != 1 || counts[0].Month != "2026-03" || counts[0].Received != 6 || counts[0].Handled != 2 {
			t.Fatalf("counts %+v %v", counts, err)
		}
		if f, err := po.ExportCounts(ctx, staff, 2026); err != nil || len(f.Data) == 0 {
			t.Fatalf("export: %v", err)
		}
		audits := map[string]int{}
		for _, e := range w.audits(t) {
			audits[e.Action]++
			if strings.Contains(e.Summary, "过街天桥") || strings.Contains(e.Summary, "13912345678") {
				t.Fatalf("an audit entry holds the opinion or the phone: %q", e.Summary)
			}
		}
		if audits["station.create"] != 1 || audits["public_opinion.submit"] != 6 || audits["public_opinion.route"] != 2 ||
			audits["public_opinion.reply"] != 1 || audits["public_opinion.export"] != 1 {
			t.Fatalf("audit entries %v", audits)
		}

		// A reception day is a meeting of kind station inviting the deputies on duty.
		m, err := st.ScheduleReception(ctx, staff, station.ID, core.ReceptionInput{StartsAt: "2026-03-15 09:00", EndsAt: "2026-03-15 11:30"})
		if err != nil || m.Kind != model.MeetingStation || m.Place != "济南市历下区泺源大街 1 号" {
			t.Fatalf("reception: %+v %v", m, err)
		}
		if inv, err := db.GetInvitation(ctx, m.ID, w.b.ID); err != nil || inv.Status != model.RSVPPending {
			t.Fatalf("deputy 2 is not invited to the reception day: %+v %v", inv, err)
		}
		if rs, err := st.Receptions(ctx, staff, station.ID); err != nil || len(rs) != 1 {
			t.Fatalf("receptions %+v %v", rs, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// atOnce calls submit n times at the same time and counts the calls that
// succeeded and those refused with a Conflict (a daily limit); any other
// error fails the test.
func atOnce(t *testing.T, n int, submit func(i int) error) (ok, refused int) {
	t.Helper()
	results := make(chan error, n)
	for i := range n {
		go func() { results <- submit(i) }()
	}
	for range n {
		switch err := <-results; {
		case err == nil:
			ok++
		case errors.Is(err, model.ErrConflict):
			refused++
		default:
			t.Fatal(err)
		}
	}
	return ok, refused
}

func TestOpinionsSentAtOnceKeepTheDailyLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newSignupWorld(t, db)
		ctx := t.Context()
		st, err := w.svc.Stations.Create(ctx, staffActor(model.RoleStaff), core.StationInput{Name: "槐荫区代表之家"})
		if err != nil {
			t.Fatal(err)
		}
		citizen := core.PublicActor("o-eager", core.ViaH5)
		ok, limited := atOnce(t, 12, func(int) error {
			_, err := w.svc.PublicOpinions.Submit(ctx, citizen, st.ID, core.PublicOpinionInput{Category: "other", Body: "同时提交"})
			return err
		})
		if ok != core.DefaultPublicOpinionDailyLimit || limited != 12-ok {
			t.Fatalf("%d stored and %d refused, want %d stored", ok, limited, core.DefaultPublicOpinionDailyLimit)
		}
	})
}
