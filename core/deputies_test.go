package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestNormalizePhoneAndMask(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"13800138000", "13800138000", true},
		{"+86 138-0013-8000", "13800138000", true},
		{"１３８００１３８０００", "13800138000", true},
		{"", "", true},
		{"abc", "abc", false},
		{"1380013800", "1380013800", false},
		{"23800138000", "23800138000", false},
	}
	for _, tt := range tests {
		got, ok := core.NormalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := core.MaskPhone("13800131234"); got != "138****1234" {
		t.Errorf("MaskPhone gives %q", got)
	}
}

func TestRegistryRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		reg := core.NewRegistry(db)

		bad := model.Deputy{Name: " ", Gender: "未知", Level: "市级", Phone: "abc"}
		err := reg.Create(ctx, &bad)
		var verr core.ValidationError
		if !errors.As(err, &verr) || len(verr) != 4 {
			t.Fatalf("an invalid deputy gives %v, want 4 field errors", err)
		}
		for _, field := range []string{"姓名", "性别", "代表层级", "手机号"} {
			if !strings.Contains(err.Error(), field) {
				t.Errorf("error %q does not name %s", err, field)
			}
		}
		if n, _ := db.CountRows(ctx, "deputies"); n != 0 {
			t.Fatalf("an invalid deputy wrote %d rows", n)
		}

		d := model.Deputy{Name: "王芳", Gender: "F", Ethnicity: "回", Level: "全国人大代表", Delegation: "济南市代表团",
			Phone: "+86 13800131234", Tags: []string{"教师", " 教师 ", ""}}
		if err := reg.Create(ctx, &d); err != nil {
			t.Fatal(err)
		}
		got, _ := reg.Get(ctx, d.ID)
		if got.Gender != "女" || got.Ethnicity != "回族" || got.Level != model.LevelNational || got.Phone != "13800131234" || len(got.Tags) != 1 {
			t.Fatalf("normalized to %+v", got)
		}
		twin := model.Deputy{Name: "李强", Phone: "13800131234"}
		if err := reg.Create(ctx, &twin); err == nil || !strings.Contains(err.Error(), "已被另一位代表使用") {
			t.Fatalf("a taken phone gives %v", err)
		}
		if _, err := reg.TerminateAs(ctx, admin, d.ID, time.Now().Format(time.DateOnly), true, " "); err == nil {
			t.Fatal("terminating without a reason should be refused")
		}
		if _, err := reg.TerminateAs(ctx, admin, d.ID, time.Now().Format(time.DateOnly), true, "调离"); err != nil {
			t.Fatal(err)
		}
		found, err := reg.Find(ctx, "王芳")
		if err != nil || len(found) != 1 || found[0].Status != model.StatusEnded || core.StatusLabel(found[0].Status) != "终止" {
			t.Fatalf("find: %+v %v", found, err)
		}
	})
}
