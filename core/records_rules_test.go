package core

import (
	"context"
	"strings"
	"testing"

	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestParseRulesSaysWhatIsWrongWithEachBox(t *testing.T) {
	typed := map[string]string{}
	for _, tt := range RecordTypes {
		typed[tt.Type] = "2"
	}
	typed[RecOpinion] = " ５ "
	rules, errs := ParseRules(typed)
	if len(errs) != 0 || rules[RecOpinion] != 5 || rules[RecStudy] != 2 || len(rules) != len(RecordTypes) {
		t.Fatalf("%v %v", rules, errs)
	}
	typed[RecStudy], typed[RecRating], typed[RecRSVP], typed[RecSelfReport] = "1.5", "101", "", "三"
	_, errs = ParseRules(typed)
	got := map[string]string{}
	for _, e := range errs {
		got[e.Label] = e.Msg
	}
	if len(errs) != 4 || !strings.Contains(got["学习材料"], "不是整数") || !strings.Contains(got["建议办理测评"], "超出范围") ||
		!strings.Contains(got["回复会议活动邀请"], "不能为空") || !strings.Contains(got["履职登记"], "不是整数") {
		t.Fatalf("problems %v", got)
	}
}

func TestRuleChangesAndResetRules(t *testing.T) {
	before := DefaultRecordRules()
	after := DefaultRecordRules()
	after[RecAttendSession], after[RecStudy] = 5, 0
	if got := strings.Join(RuleChanges(before, after), "，"); got != "列席常委会会议 3→5，学习材料 1→0" {
		t.Fatalf("changes %q", got)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := NewRecords(db)
		if err := r.SetRules(ctx, RecordRules{RecOpinion: 9}); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Rules(ctx); got[RecOpinion] != 9 {
			t.Fatalf("set: %v", got)
		}
		if err := r.ResetRules(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Rules(ctx); got[RecOpinion] != 1 {
			t.Fatalf("after reset: %v", got)
		}
	})
}
