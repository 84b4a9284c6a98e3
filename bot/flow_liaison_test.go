package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// liaisonMember creates a member linked to five new deputies (named
// prefix1…prefix5), holding deputy record holder when holder > 0.
func liaisonMember(t *testing.T, db *storage.DB, name, prefix string, holder int64) (model.CommitteeMember, []model.Deputy) {
	t.Helper()
	ctx := context.Background()
	svc := core.NewLiaison(db)
	m, err := svc.CreateMemberAs(ctx, liaisonEditor, model.CommitteeMember{Name: name, Title: "常委会委员"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ds []model.Deputy
	var ids []int64
	for i := 1; i <= 5; i++ {
		d := addDeputy(t, db, fmt.Sprintf("%s%d", prefix, i), "")
		ds, ids = append(ds, d), append(ids, d.ID)
	}
	if _, _, err := svc.LinkAs(ctx, liaisonEditor, m.ID, ids); err != nil {
		t.Fatal(err)
	}
	if holder > 0 {
		if _, err := svc.SetMemberDeputyAs(ctx, liaisonEditor, m.ID, holder); err != nil {
			t.Fatal(err)
		}
	}
	return m, ds
}

func chinaToday() time.Time {
	t := time.Now().In(time.FixedZone("CST", 8*3600))
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func TestLiaisonContactByChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		svc := core.NewLiaison(db)

		t.Run("a member who is a deputy logs a contact through the deputy binding", func(t *testing.T) {
			zhang := boundDeputy(t, r, "张伟", "13800000001", "o-liaison-zhang")
			m, ds := liaisonMember(t, db, "张伟", "甲代表", zhang.ID)
			u := r.sim.User(zhang.OpenID)
			got := chat(t, u, "联系登记", "2", "电话", "2099-01-01", "abc", "昨天", "了解议案准备情况")
			if !strings.Contains(got[0], "您联系的是哪位代表") || !strings.Contains(got[0], "2. 甲代表2（济南市代表团）") {
				t.Fatalf("deputy list: %q", got[0])
			}
			if !strings.Contains(got[1], "联系方式") || !strings.Contains(got[1], "4. 信函") || !strings.Contains(got[2], "哪一天") {
				t.Fatalf("kind and date prompts: %q", got[1:3])
			}
			if !strings.Contains(got[3], "不能晚于今天") || !strings.Contains(got[4], "哪一天") || !strings.Contains(got[5], "联系内容") {
				t.Fatalf("date checks: %q", got[3:6])
			}
			yesterday := chinaToday().AddDate(0, 0, -1)
			want := fmt.Sprintf("已记录：%s 以电话方式联系甲代表2代表", yesterday.Format("1月2日"))
			if !strings.Contains(got[6], want) || !strings.Contains(got[6], "今年您已联系 1 名代表（共联系 5 名），尚未联系：甲代表1、甲代表3、甲代表4、甲代表5") {
				t.Fatalf("saved: %q", got[6])
			}
			cs, err := db.MemberContacts(ctx, m.ID)
			if err != nil || len(cs) != 1 || cs[0].DeputyID != ds[1].ID || cs[0].Kind != "电话" || !cs[0].OnDate.Equal(yesterday) ||
				cs[0].Note != "了解议案准备情况" {
				t.Fatalf("contacts %+v %v", cs, err)
			}
			// By name, with 见面 for 见面走访, the note skipped.
			got = chat(t, u, "登记联系", "甲代表5", "见面", "今天", "跳过")
			if !strings.Contains(got[4], "以见面走访方式联系甲代表5代表") || !strings.Contains(got[4], "今年您已联系 2 名代表") {
				t.Fatalf("second: %q", got)
			}
			sum := chat(t, u, "我的联系")[0]
			if !strings.Contains(sum, "张伟委员") || !strings.Contains(sum, "今年尚未联系：甲代表1、甲代表3、甲代表4") {
				t.Fatalf("我的联系: %q", sum)
			}
		})

		t.Run("a deputy who is not a member is told so", func(t *testing.T) {
			d := boundDeputy(t, r, "赵敏", "13800000002", "o-liaison-zhao")
			u := r.sim.User(d.OpenID)
			for _, w := range []string{"联系登记", "我的联系"} {
				if got := chat(t, u, w)[0]; !strings.Contains(got, "尚未登记为双联系委员") {
					t.Fatalf("%s: %q", w, got)
				}
			}
			if got := chat(t, u, "选区活动登记")[0]; !strings.Contains(got, "供联系选举单位的省领导使用") {
				t.Fatalf("选区活动登记: %q", got)
			}
		})

		t.Run("a member with no deputies linked cannot start", func(t *testing.T) {
			d := boundDeputy(t, r, "钱坤", "13800000003", "o-liaison-qian")
			m, err := svc.CreateMemberAs(ctx, liaisonEditor, model.CommitteeMember{Name: "钱坤"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetMemberDeputyAs(ctx, liaisonEditor, m.ID, d.ID); err != nil {
				t.Fatal(err)
			}
			if got := chat(t, r.sim.User(d.OpenID), "联系登记")[0]; !strings.Contains(got, "还没有关联联系的代表") {
				t.Fatalf("%q", got)
			}
			if _, err := db.GetConversation(ctx, d.OpenID); err == nil {
				t.Fatal("a conversation was left open")
			}
		})
	})
}

func TestAMemberWhoIsNotADeputyBindsWithACodeAndLogsContacts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		svc := core.NewLiaison(db)
		m, ds := liaisonMember(t, db, "李娜", "乙代表", 0)
		_, code, _, err := svc.IssueMemberBindCodeAs(ctx, liaisonEditor, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		u := r.sim.User("o-liaison-li")
		if _, err := u.Follow(ctx); err != nil {
			t.Fatal(err)
		}
		if got := chat(t, u, "联系登记")[0]; !strings.Contains(got, "尚未绑定") {
			t.Fatalf("before binding: %q", got)
		}
		got := chat(t, u, "绑定", "李娜", "000000")
		if !strings.Contains(got[2], "不符") {
			t.Fatalf("a wrong code: %q", got[2])
		}
		got = chat(t, u, "李娜", code)
		if !strings.Contains(got[1], "绑定成功！李娜委员") {
			t.Fatalf("binding: %q", got)
		}
		if got := chat(t, u, "绑定")[0]; !strings.Contains(got, "您已绑定为李娜委员") {
			t.Fatalf("binding again: %q", got)
		}
		if got := chat(t, u, "你好")[0]; !strings.Contains(got, "李娜委员，您好") || !strings.Contains(got, "联系登记") {
			t.Fatalf("anything else: %q", got)
		}
		if got := chat(t, u, "帮助")[0]; !strings.Contains(got, "李娜委员，您好") || !strings.Contains(got, "联系登记") {
			t.Fatalf("帮助 outside a conversation: %q", got)
		}

		today := chinaToday()
		got = chat(t, u, "联系登记", "3", "4", today.Format("1月2日"), "写信了解情况")
		if !strings.Contains(got[0], "3. 乙代表3") || !strings.Contains(got[4], "已记录") {
			t.Fatalf("contact: %q", got)
		}
		cs, err := db.MemberContacts(ctx, m.ID)
		if err != nil || len(cs) != 1 || cs[0].DeputyID != ds[2].ID || cs[0].Kind != "信函" || !cs[0].OnDate.Equal(today) {
			t.Fatalf("contacts %+v %v", cs, err)
		}
		if sum := chat(t, u, "联系情况")[0]; !strings.Contains(sum, "李娜委员") || !strings.Contains(sum, "待回复的会议活动邀请 0 件") {
			t.Fatalf("联系情况: %q", sum)
		}

		// 帮助, 返回 and 取消 at every step, as in a deputy's flow.
		path := []string{"1", "电话", "今天", "备注"}
		for step := 0; step < len(path); step++ {
			t.Run(fmt.Sprintf("global words at step %d", step+1), func(t *testing.T) {
				lines := append([]string{"联系登记"}, path[:step]...)
				got := chat(t, u, lines...)
				prompt := got[len(got)-1]
				if help := chat(t, u, "帮助")[0]; !strings.Contains(help, "您正在进行：双联系 · 联系登记") {
					t.Fatalf("帮助 answered %q", help)
				}
				back := chat(t, u, "返回")[0]
				if step == 0 && !strings.Contains(back, "已经是第一步") || step > 0 && back == prompt {
					t.Fatalf("返回 answered %q", back)
				}
				if c := chat(t, u, "取消")[0]; !strings.Contains(c, "已取消") {
					t.Fatalf("取消 answered %q", c)
				}
				if _, err := db.GetConversation(ctx, u.OpenID()); err == nil {
					t.Fatal("a conversation is still active after 取消")
				}
			})
		}
		if cs, _ := db.MemberContacts(ctx, m.ID); len(cs) != 1 {
			t.Fatalf("cancelled flows saved contacts: %d", len(cs))
		}
	})
}

func TestALeaderLogsAnActivityInTheirUnitByChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModePlain})
		ctx := context.Background()
		svc := core.NewLiaison(db)
		d := boundDeputy(t, r, "孙省长", "13800000009", "o-leader-sun")
		l, err := svc.CreateLeaderAs(ctx, liaisonEditor, d.ID, "", "副省长")
		if err != nil {
			t.Fatal(err)
		}
		u := r.sim.User(d.OpenID)
		got := chat(t, u, "选区活动登记", "5", "座谈", "今天", "与代表座谈")
		if !strings.Contains(got[0], "选区活动登记（济南市代表团）") || !strings.Contains(got[0], "3. 接待代表") {
			t.Fatalf("kind prompt: %q", got[0])
		}
		if !strings.Contains(got[1], "1、2、3 或 4") || !strings.Contains(got[4], "在济南市代表团参加座谈活动。今年已参加 1 次，已完成") {
			t.Fatalf("flow: %q", got)
		}
		as, err := svc.Activities(ctx, l.ID)
		if err != nil || len(as) != 1 || as[0].Kind != "座谈" || !as[0].OnDate.Equal(chinaToday()) || as[0].CreatedBy != "微信" {
			t.Fatalf("activities %+v %v", as, err)
		}
	})
}

// A deputy who is also a committee member, or a leader linked to an
// electoral unit, finds their 双联系 words in the help; others do not.
func TestTheHelpListsTheLiaisonWordsOfMembersAndLeaders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		svc := core.NewLiaison(db)
		plain := boundDeputy(t, r, "周普通", "13800000021", "o-help-plain")
		member := boundDeputy(t, r, "吴委员", "13800000022", "o-help-member")
		leader := boundDeputy(t, r, "郑省长", "13800000023", "o-help-leader")
		liaisonMember(t, db, "吴委员", "吴联系代表", member.ID)
		if _, err := svc.CreateLeaderAs(ctx, liaisonEditor, leader.ID, "", "副省长"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			d              model.Deputy
			member, leader bool
		}{{plain, false, false}, {member, true, false}, {leader, false, true}} {
			// Twice: the first answer is rendered, the second cached.
			for range 2 {
				got := chat(t, r.sim.User(c.d.OpenID), "帮助")[0]
				if !strings.HasPrefix(got, c.d.Name+"代表，您好！") || !strings.Contains(got, "我的会议") {
					t.Fatalf("%s: help %q", c.d.Name, got)
				}
				if strings.Contains(got, "联系登记") != c.member || strings.Contains(got, "选区活动登记") != c.leader {
					t.Fatalf("%s (member %v, leader %v): help %q", c.d.Name, c.member, c.leader, got)
				}
			}
		}
	})
}

// liaisonEditor is the staff member who sets members up in the console.
var liaisonEditor = core.StaffActor(model.Account{ID: 1, Username: "liaison", Name: "联络处", Role: model.RoleStaff}, core.ViaConsole)
