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

// todayOf is the day the bot's records count as today, in its zone.
func todayOf(r *rig) string { return time.Now().In(r.router.Loc).Format(time.DateOnly) }

func entriesOf(t *testing.T, db *storage.DB, deputyID int64) []model.RecordEntry {
	t.Helper()
	es, _, err := db.ListRecordEntries(context.Background(), model.RecordEntryFilter{DeputyID: deputyID})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestRecordConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		today := todayOf(r)
		n := 0
		fresh := func(t *testing.T) (model.Deputy, *wechatsim.User) {
			n++
			openid := fmt.Sprintf("o-record-%d", n)
			return boundDeputy(t, r, fmt.Sprintf("履职代表%d", n), fmt.Sprintf("1377700%04d", n), openid), r.sim.User(openid)
		}

		tests := []struct {
			name  string
			lines []string
			want  []string
			check func(t *testing.T, d model.Deputy)
		}{
			{"a complete 履职登记 is stored pending review",
				[]string{"履职登记", "2", today, "历城区华山街道代表联络站", "接待选民，收集意见 5 条", "是"},
				[]string{"类别", "哪一天", "地点", "一句话", "联系群众", "已提交，待工作人员审核"},
				func(t *testing.T, d model.Deputy) {
					es := entriesOf(t, db, d.ID)
					if len(es) != 1 || es[0].Status != model.EntryPending || es[0].Category != model.EntryContact ||
						es[0].HappenedOn.Format(time.DateOnly) != today || es[0].Place != "历城区华山街道代表联络站" ||
						es[0].Description != "接待选民，收集意见 5 条" || es[0].Channel != "wechat" {
						t.Fatalf("stored %+v", es)
					}
				}},
			{"a date that is not one, or in the future, is asked again; 否 then 放弃 stores nothing",
				[]string{"履职登记", "调研视察", "前几天", "2099-01-01", today, "跳过", "调研乡村振兴", "否", "放弃"},
				[]string{"类别", "哪一天", "请回复日期", "不能晚于今天", "地点", "一句话", "（未填）", "要修改哪一项", "未提交"},
				func(t *testing.T, d model.Deputy) {
					if es := entriesOf(t, db, d.ID); len(es) != 0 {
						t.Fatalf("a discarded entry was stored: %+v", es)
					}
				}},
			{"a description over 100 characters is asked again",
				[]string{"履职登记", "4", today, "济南", strings.Repeat("长", 101), "短说明", "是"},
				[]string{"类别", "哪一天", "地点", "一句话", "100 字以内", "确认", "已提交"},
				func(t *testing.T, d model.Deputy) {
					if es := entriesOf(t, db, d.ID); len(es) != 1 || es[0].Description != "短说明" {
						t.Fatalf("stored %+v", es)
					}
				}},
			{"我的履职 with nothing done says so",
				[]string{"我的履职"}, []string{"暂无履职记录"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d, u := fresh(t)
				expect(t, chat(t, u, tc.lines...), tc.want...)
				if tc.check != nil {
					tc.check(t, d)
				}
			})
		}

		t.Run("我的履职 counts the year's work; a self-report counts once approved", func(t *testing.T) {
			d, u := fresh(t)
			if _, err := core.NewOpinions(db).Submit(ctx, d.ID, model.Opinion{Category: model.OpinionSocial, Body: "道路养护"}); err != nil {
				t.Fatal(err)
			}
			chat(t, u, "履职登记", "1", today, "济南", "参加专题调研", "是")
			got := chat(t, u, "我的履职")[0]
			for _, w := range []string{"提出意见建议 1 次，1 分", "合计 1 项，积分 1 分", "1 条履职登记待工作人员审核"} {
				if !strings.Contains(got, w) {
					t.Fatalf("我的履职 answered %q, want %q", got, w)
				}
			}
			es := entriesOf(t, db, d.ID)
			if _, err := core.NewRecords(db).Review(ctx, core.CLIActor(model.Account{}, "test"), es[0].ID, core.ReviewApprove, ""); err != nil {
				t.Fatal(err)
			}
			got = chat(t, u, "履职档案")[0]
			if !strings.Contains(got, "履职登记 1 次，2 分") || !strings.Contains(got, "积分 3 分") || strings.Contains(got, "待工作人员审核") {
				t.Fatalf("after approval 我的履职 answered %q", got)
			}
		})

		t.Run("帮助 lists the record words", func(t *testing.T) {
			_, u := fresh(t)
			got := chat(t, u, "帮助")[0]
			if !strings.Contains(got, "我的履职") || !strings.Contains(got, "履职登记") {
				t.Fatalf("帮助 answered %q", got)
			}
		})

		path := []string{"1", today, "济南", "调研"}
		for step := range path {
			t.Run(fmt.Sprintf("帮助, 返回 and 取消 work at step %d of 履职登记", step+1), func(t *testing.T) {
				d, u := fresh(t)
				got := chat(t, u, append([]string{"履职登记"}, path[:step]...)...)
				prompt := got[len(got)-1]
				helpOrPark(t, u, step)
				back := chat(t, u, "返回")[0]
				if (step == 0 && !strings.Contains(back, "已经是第一步")) || (step > 0 && back == prompt) {
					t.Fatalf("返回 at step %d answered %q", step+1, back)
				}
				if c := chat(t, u, "取消")[0]; !strings.Contains(c, "已取消") {
					t.Fatalf("取消 answered %q", c)
				}
				if es := entriesOf(t, db, d.ID); len(es) != 0 {
					t.Fatalf("a cancelled entry was stored: %+v", es)
				}
			})
		}
	})
}
