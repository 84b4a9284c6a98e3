package core

import (
	"context"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// testStaff is an administrator at the command line: every staff action
// is open to it.
var testStaff = CLIActor(model.Account{}, "test")

func TestSetRulesSaysWhatIsWrongWithEachBox(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := NewRecords(db)
		typed := map[string]string{}
		for _, tt := range model.RecordTypes {
			typed[tt.Type] = "2"
		}
		typed[model.RecOpinion] = " ５ "
		if _, err := r.SetRules(ctx, testStaff, typed); err != nil {
			t.Fatal(err)
		}
		rules, _ := r.Rules(ctx, testStaff)
		if rules[model.RecOpinion] != 5 || rules[model.RecStudy] != 2 || len(rules) != len(model.RecordTypes) {
			t.Fatalf("%v", rules)
		}
		typed[model.RecStudy], typed[model.RecRating], typed[model.RecRSVP], typed[model.RecSelfReport] = "1.5", "101", "", "三"
		_, err := r.SetRules(ctx, testStaff, typed)
		errs, _ := Fields(err)
		got := map[string]string{}
		for _, e := range errs {
			got[e.Label] = e.Msg
			if i := model.RecordTypeIndex(strings.TrimPrefix(e.Key, "rules.")); i < 0 || model.RecordTypes[i].Label != e.Label {
				t.Errorf("%s: key %q", e.Label, e.Key)
			}
		}
		if len(errs) != 4 || !strings.Contains(got["学习材料"], "不是整数") || !strings.Contains(got["建议办理测评"], "超出范围") ||
			!strings.Contains(got["回复会议活动邀请"], "不能为空") || !strings.Contains(got["履职登记"], "不是整数") {
			t.Fatalf("problems %v", got)
		}
		if after, _ := r.Rules(ctx, testStaff); after[model.RecOpinion] != 5 || after[model.RecStudy] != 2 {
			t.Fatalf("a refused change changed the rules: %v", after)
		}
	})
}

func TestRuleChangesAndResetRules(t *testing.T) {
	before := model.DefaultRecordRules()
	after := model.DefaultRecordRules()
	after[model.RecAttendSession], after[model.RecStudy] = 5, 0
	if got := strings.Join(ruleChanges(before, after), "，"); got != "列席常委会会议 3→5，学习材料 1→0" {
		t.Fatalf("changes %q", got)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := NewRecords(db)
		if _, err := r.SetRules(ctx, testStaff, map[string]string{model.RecOpinion: "9"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Rules(ctx, testStaff); got[model.RecOpinion] != 9 {
			t.Fatalf("set: %v", got)
		}
		if _, err := r.ResetRules(ctx, testStaff); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Rules(ctx, testStaff); got[model.RecOpinion] != 1 {
			t.Fatalf("after reset: %v", got)
		}
	})
}
