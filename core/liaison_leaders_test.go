package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestLeaderRequirementOnAFixture checks the yearly requirement against
// figures counted by hand, at the turn of the year in China time.
func TestLeaderRequirementOnAFixture(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		// 2026-01-01 00:30 in China, still 2025-12-31 in UTC.
		now := time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		svc := core.NewLiaison(db)
		svc.SetClock(func() time.Time { return now })
		if svc.ThisYear() != 2026 {
			t.Fatalf("this year %d, want 2026 (China time)", svc.ThisYear())
		}
		var ids []int64
		for i, unit := range []string{"济南市代表团", "青岛市代表团", "烟台市代表团", ""} {
			d := model.Deputy{Name: fmt.Sprintf("领导%d", i+1), Level: model.LevelProvincial, Delegation: unit}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		var ve core.ValidationError
		editor := staffActor(model.RoleStaff)
		// Unit defaults to the deputy's delegation; another must be a delegation of the registry.
		l1, err := svc.CreateLeaderAs(ctx, editor, ids[0], "", " 副省长 ")
		if err != nil || l1.Unit != "济南市代表团" || l1.Title != "副省长" {
			t.Fatalf("leader 1: %+v %v", l1, err)
		}
		l2, err := svc.CreateLeaderAs(ctx, editor, ids[1], "烟台市代表团", "") // elected there, though registered elsewhere
		if err != nil || l2.Unit != "烟台市代表团" {
			t.Fatalf("leader 2: %+v %v", l2, err)
		}
		if _, err := svc.CreateLeaderAs(ctx, editor, ids[2], "", ""); err != nil {
			t.Fatal(err)
		}
		for name, bad := range map[string]func() error{
			"twice":          func() error { _, err := svc.CreateLeaderAs(ctx, editor, ids[0], "", ""); return err },
			"no delegation":  func() error { _, err := svc.CreateLeaderAs(ctx, editor, ids[3], "", ""); return err },
			"unknown unit":   func() error { _, err := svc.CreateLeaderAs(ctx, editor, ids[3], "火星代表团", ""); return err },
			"missing deputy": func() error { _, err := svc.CreateLeaderAs(ctx, editor, 9999, "", ""); return err },
		} {
			if err := bad(); !errors.As(err, &ve) {
				t.Errorf("%s: %v", name, err)
			}
		}

		// Leader 1: two activities in 2026 (China), one on 2025-12-31 (last year).
		// Leader 2: one on 2025-06-01 only. Leader 3: none.
		for _, a := range []model.LeaderActivity{
			{LeaderID: l1.ID, Kind: "调研", OnDate: day(2026, 1, 1), Note: "元旦走访"},
			{LeaderID: l1.ID, Kind: "座谈", OnDate: day(2025, 12, 31)},
			{LeaderID: l2.ID, Kind: "接待代表", OnDate: day(2025, 6, 1)},
		} {
			if _, err := svc.LogActivityAs(ctx, editor, a); err != nil {
				t.Fatal(err)
			}
		}
		for name, bad := range map[string]model.LeaderActivity{
			"kind":   {LeaderID: l1.ID, Kind: "宴请", OnDate: day(2026, 1, 1)},
			"future": {LeaderID: l1.ID, Kind: "调研", OnDate: day(2026, 1, 2)},
			"no day": {LeaderID: l1.ID, Kind: "调研"},
		} {
			if _, err := svc.LogActivityAs(ctx, editor, bad); !errors.As(err, &ve) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := svc.LogActivityAs(ctx, editor, model.LeaderActivity{LeaderID: 9999, Kind: "调研", OnDate: day(2026, 1, 1)}); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("missing leader: %v", err)
		}
		if _, err := svc.LogActivityAs(ctx, editor, model.LeaderActivity{LeaderID: l1.ID, Kind: "其他", OnDate: day(2026, 1, 1)}); err != nil {
			t.Fatal(err)
		}

		type fig struct {
			unit  string
			n     int
			last  string
			met   bool
			flag  string
			title string
		}
		check := func(year int, want map[string]fig, met, notYet int) {
			t.Helper()
			req, err := svc.Requirement(ctx, year)
			if err != nil {
				t.Fatal(err)
			}
			if req.Met != met || req.NotYet != notYet || len(req.Leaders) != 3 || req.Rule != core.LeaderYearlyRequirement {
				t.Fatalf("%d: met %d not yet %d leaders %d", year, req.Met, req.NotYet, len(req.Leaders))
			}
			for _, l := range req.Leaders {
				last := ""
				if l.LastOn.Valid {
					last = l.LastOn.Time.Format(time.DateOnly)
				}
				got := fig{l.Unit, l.Activities, last, l.Met, l.Flag, l.Title}
				if got != want[l.DeputyName] {
					t.Errorf("%d %s: %+v, want %+v", year, l.DeputyName, got, want[l.DeputyName])
				}
			}
		}
		check(0, map[string]fig{
			"领导1": {"济南市代表团", 2, "2026-01-01", true, "", "副省长"},
			"领导2": {"烟台市代表团", 0, "", false, core.LeaderNotYet, ""},
			"领导3": {"烟台市代表团", 0, "", false, core.LeaderNotYet, ""},
		}, 1, 2)
		check(2025, map[string]fig{
			"领导1": {"济南市代表团", 1, "2025-12-31", true, "", "副省长"},
			"领导2": {"烟台市代表团", 1, "2025-06-01", true, "", ""},
			"领导3": {"烟台市代表团", 0, "", false, core.LeaderNotYet, ""},
		}, 2, 1)

		as, err := svc.Activities(ctx, l1.ID)
		if err != nil || len(as) != 3 || as[0].Kind != "其他" || as[2].Kind != "座谈" || as[1].Note != "元旦走访" {
			t.Fatalf("activities %+v %v", as, err)
		}
		if l, err := svc.LeaderOf(ctx, ids[0]); err != nil || l.ID != l1.ID || l.Activities != 2 {
			t.Fatalf("leader of deputy: %+v %v", l, err)
		}
	})
}

// TestMemberBindingAndWeeklyDigestsOnAFixture: a member who is a deputy is
// reached through the deputy's WeChat, one who is not through a member
// code; the week's digests are queued once per member whatever re-runs.
func TestMemberBindingAndWeeklyDigestsOnAFixture(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		// Monday 2026-06-15 08:30 in China.
		now := time.Date(2026, 6, 15, 0, 30, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		svc := core.NewLiaison(db)
		svc.SetClock(func() time.Time { return now })
		var ids []int64
		for i := 1; i <= 6; i++ {
			d := model.Deputy{Name: fmt.Sprintf("代表%d", i), Level: model.LevelProvincial, Delegation: "济南市代表团"}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		// 代表6 is also member 张委员, bound on WeChat as a deputy.
		if err := db.BindDeputy(ctx, ids[5], "o-zhang"); err != nil {
			t.Fatal(err)
		}
		zhang, li, wang := model.CommitteeMember{Name: "张委员"}, model.CommitteeMember{Name: "李委员"}, model.CommitteeMember{Name: "王委员"}
		for _, m := range []*model.CommitteeMember{&zhang, &li, &wang} {
			created, err := svc.CreateMemberAs(ctx, staffActor(model.RoleStaff), *m, 0)
			if err != nil {
				t.Fatal(err)
			}
			*m = created
			if _, _, err := svc.LinkAs(ctx, staffActor(model.RoleStaff), m.ID, ids[:5]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.SetMemberDeputyAs(ctx, staffActor(model.RoleStaff), zhang.ID, ids[5]); err != nil {
			t.Fatal(err)
		}
		var fe *core.FieldError
		if _, err := svc.SetMemberDeputyAs(ctx, staffActor(model.RoleStaff), li.ID, ids[5]); !errors.As(err, &fe) {
			t.Fatalf("a deputy held by another member: %v", err)
		}
		if _, err := svc.SetMemberDeputyAs(ctx, staffActor(model.RoleStaff), li.ID, 9999); !errors.As(err, &fe) {
			t.Fatalf("a missing deputy: %v", err)
		}
		if _, _, _, err := svc.IssueMemberBindCodeAs(ctx, staffActor(model.RoleStaff), zhang.ID); !errors.As(err, &fe) {
			t.Fatalf("a code for a deputy member: %v", err)
		}
		_, code, expires, err := svc.IssueMemberBindCodeAs(ctx, staffActor(model.RoleStaff), li.ID)
		if err != nil || len(code) != 6 || !expires.Equal(now.Add(core.BindCodeValidity)) {
			t.Fatalf("code %q %v %v", code, expires, err)
		}
		if got, _, _ := db.MemberBindCode(ctx, li.ID); got != code {
			t.Fatalf("stored code %q", got)
		}
		if ms, err := db.MemberIDsForBindCode(ctx, code); err != nil || len(ms) != 1 || ms[0] != li.ID {
			t.Fatalf("members for code: %v %v", ms, err)
		}
		if err := db.BindMember(ctx, li.ID, "o-li"); err != nil {
			t.Fatal(err)
		}
		if err := db.BindMember(ctx, li.ID, "o-other"); !errors.Is(err, model.ErrAlreadyBound) {
			t.Fatalf("bound twice: %v", err)
		}
		if got, _, _ := db.MemberBindCode(ctx, li.ID); got != "" {
			t.Fatalf("the code survived binding: %q", got)
		}
		if m, err := svc.MemberOf(ctx, model.Deputy{ID: ids[5]}, "o-zhang"); err != nil || m.ID != zhang.ID || m.WeChat() != "o-zhang" {
			t.Fatalf("member of deputy: %+v %v", m, err)
		}
		if m, err := svc.MemberOf(ctx, model.Deputy{}, "o-li"); err != nil || m.ID != li.ID || m.WeChat() != "o-li" {
			t.Fatalf("member of openid: %+v %v", m, err)
		}
		if _, err := svc.MemberOf(ctx, model.Deputy{ID: ids[0]}, "o-nobody"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("not a member: %v", err)
		}
		if got := core.BindingState(wang); got != "未绑定微信" {
			t.Fatalf("binding state %q", got)
		}

		// One pending invitation for 代表1; 李委员 phoned 代表1 this year.
		mt := model.Meeting{Kind: "inspection", Title: "视察", Place: "济南", StartsAt: now.AddDate(0, 0, 10), RSVPDeadline: now.AddDate(0, 0, 5)}
		if err := db.CreateMeeting(ctx, &mt); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, mt.ID, ids[:1]); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.LogContactAs(ctx, staffActor(model.RoleStaff), model.MemberContact{MemberID: li.ID, DeputyID: ids[0], Kind: "电话", OnDate: day(2026, 6, 1)}); err != nil {
			t.Fatal(err)
		}

		run, err := svc.SendDigests(ctx, core.SystemActor(core.LiaisonDigestJob), now)
		if err != nil || run != (core.DigestRun{Queued: 2, Console: 1}) {
			t.Fatalf("first run %+v %v", run, err)
		}
		// A re-run the same week (a second instance, a catch-up) queues nothing.
		run, err = svc.SendDigests(ctx, core.SystemActor(core.LiaisonDigestJob), now.Add(3*time.Hour))
		if err != nil || run != (core.DigestRun{Already: 2, Console: 1}) {
			t.Fatalf("re-run %+v %v", run, err)
		}
		type row struct {
			Source      string
			DeputyID    int64
			OpenID      string
			Title, Body string
		}
		var rows []row
		q, err := db.SQL().QueryContext(ctx, `SELECT d.source, d.deputy_id, d.openid, n.title, n.body FROM deliveries d
			JOIN notices n ON n.id = d.notice_id ORDER BY d.openid`)
		if err != nil {
			t.Fatal(err)
		}
		for q.Next() {
			var r row
			if err := q.Scan(&r.Source, &r.DeputyID, &r.OpenID, &r.Title, &r.Body); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, r)
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("deliveries %+v", rows)
		}
		li1, zhang1 := rows[0], rows[1]
		if li1.OpenID != "o-li" || li1.DeputyID != 0 || li1.Source != fmt.Sprintf("liaison-digest:2026-W25:m%d", li.ID) {
			t.Errorf("li's delivery %+v", li1)
		}
		if zhang1.OpenID != "o-zhang" || zhang1.DeputyID != ids[5] {
			t.Errorf("zhang's delivery %+v", zhang1)
		}
		wantLi := "双联系周报（6月15日）：联系代表 5 名：待回复邀请 1 件，已答复未评价建议 0 件，近 7 天新意见 0 条、新建议 0 件；今年尚未联系 4 名。"
		if li1.Title != wantLi {
			t.Errorf("li's title %q", li1.Title)
		}
		if want := "今年尚未联系 5 名"; !strings.Contains(zhang1.Title, want) || !strings.Contains(li1.Body, "代表1（济南市代表团）：待回复邀请 1 件，今年已联系 1 次") {
			t.Errorf("zhang's title %q, li's body %q", zhang1.Title, li1.Body)
		}
		// Next week: new digests.
		if run, err := svc.SendDigests(ctx, core.SystemActor(core.LiaisonDigestJob), now.AddDate(0, 0, 7)); err != nil || run.Queued != 2 {
			t.Fatalf("next week %+v %v", run, err)
		}
	})
}
