package core_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestATemplateMappingIsReadAsStaffTypeIt(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"thing1=title, time2=time", "thing1=title, time2=time", ""},
		{"time2：time，thing1:title\nthing3=note", "thing1=title, time2=time, thing3=note", ""},
		{"", "", ""},
		{"thing1", "", "应写作 关键词=字段"},
		{"thing1=title thing1=note", "thing1=title", "关键词 thing1 重复"},
	} {
		got, err := core.ParseTemplateFields(tc.in)
		if core.FormatTemplateFields(got) != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: %v %v, want %q %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestTemplateSettingsAreChecked(t *testing.T) {
	errs := core.ValidateTemplates(map[string]model.TemplateSetting{
		"general_notice":     {ID: "TPL_OK-1", Fields: map[string]string{"thing1": "title", "character_string2": "number"}},
		"meeting_invitation": {ID: " ", Fields: map[string]string{"Thing1": "title"}},
		"survey":             {ID: "A B", Fields: map[string]string{"thing1": "salary"}},
		"no_such_kind":       {ID: "X", Fields: map[string]string{"thing1": "title"}},
	})
	got := map[string]string{}
	for _, e := range errs {
		got[e.Key] = e.Msg
	}
	want := map[string]string{
		"templates.meeting_invitation.id": "不能为空", "templates.meeting_invitation.fields": "应形如 thing1",
		"templates.survey.id": "只能由字母", "templates.survey.fields": `字段 "salary" 不可用`, "templates.no_such_kind.id": "不是已知的通知类别",
	}
	if len(got) != len(want) {
		t.Fatalf("errors %v", got)
	}
	for k, w := range want {
		if !strings.Contains(got[k], w) {
			t.Errorf("%s: %q, want it to say %q", k, got[k], w)
		}
	}
}

func TestAMenuIsCheckedAgainstWeChatsRules(t *testing.T) {
	ok, err := core.ParseMenu([]byte(`{"button":[{"name":"学习","key":"M"},{"name":"我的","sub_button":[{"name":"官网","url":"https://a.example/"}]}]}`))
	if err != nil || !strings.Contains(string(ok), `"type": "view"`) || !strings.Contains(string(ok), `"type": "click"`) {
		t.Fatalf("a valid menu: %s %v", ok, err)
	}
	for _, tc := range []struct{ menu, want string }{
		{`{"button":[]}`, "一级菜单应有 1 至 3 个"},
		{`{"button":[{"name":"我的","key":"K","sub_button":[{"name":"a","key":"b"}]}]}`, "有子菜单，不能再设置"},
		{`{"button":[{"name":"我的","sub_button":[{"name":"a","sub_button":[{"name":"b","key":"c"}]}]}]}`, "不能再有子菜单"},
		{`{"button":[{"type":"click","name":"a","url":"https://a.example/"}]}`, "须有 key，不能有 url"},
		{`{"button":[{"type":"miniprogram","name":"a","key":"k"}]}`, "只能是 click 或 view"},
		{`{"button":[{"name":"","key":"k"}]}`, "缺少名称"},
		{`{"button":[{"name":"a","key":"k"}]} {}`, "只能包含一个 JSON 对象"},
	} {
		_, err := core.ParseMenu([]byte(tc.menu))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.menu, err, tc.want)
		}
	}
}

func TestABindCodeHasSixDigitsAndReplacesTheLastOne(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	d := model.Deputy{Name: "王芳", Delegation: "济南市代表团", Level: model.LevelProvincial}
	if err := db.CreateDeputy(t.Context(), &d); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	first, _, err := core.IssueBindCode(t.Context(), db, d.ID, now, core.BindCodeValidity)
	if err != nil || !regexp.MustCompile(`^[1-9]\d{5}$`).MatchString(first) {
		t.Fatalf("code %q %v", first, err)
	}
	second, expires, err := core.IssueBindCode(t.Context(), db, d.ID, now, core.BindCodeValidity)
	if err != nil || !expires.Equal(now.Add(core.BindCodeValidity)) {
		t.Fatal(err)
	}
	if ids, _ := db.DeputyIDsForBindCode(t.Context(), second); len(ids) != 1 || ids[0] != d.ID {
		t.Fatalf("the new code finds %v", ids)
	}
	if ids, _ := db.DeputyIDsForBindCode(t.Context(), first); first != second && len(ids) != 0 {
		t.Fatal("the replaced code still works")
	}
}

func TestDeliverySettingsAreValidatedLikeTheConfiguration(t *testing.T) {
	for _, tc := range []struct {
		quiet  string
		rate   float64
		fields string
	}{
		{"22:00-07:30", 20, ""},
		{"", 0.5, ""},
		{"", 1000, ""},
		{"22:00-7:30", 20, "quiet_hours"},
		{"24:00-07:00", 20, "quiet_hours"},
		{"22:00", 20, "quiet_hours"},
		{"22:00-07:00", 0, "rate_per_second"},
		{"22:00-07:00", -1, "rate_per_second"},
		{"x", 1001, "quiet_hours,rate_per_second"},
	} {
		errs := core.ValidateDelivery(model.DeliverySetting{QuietHours: tc.quiet, RatePerSecond: tc.rate})
		var got []string
		for _, e := range errs {
			got = append(got, e.Key)
		}
		if strings.Join(got, ",") != tc.fields {
			t.Errorf("%q %v: fields %v, want %q", tc.quiet, tc.rate, got, tc.fields)
		}
	}
}

func TestDeliverySettingsAreSavedAndReset(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		s := core.NewSettings(db)
		if _, err := s.Delivery(ctx); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("nothing saved: %v", err)
		}
		if err := s.SaveDeliveryAs(ctx, admin, model.DeliverySetting{QuietHours: "bad", RatePerSecond: 5}, nil); err == nil {
			t.Fatal("bad quiet hours saved")
		}
		if err := s.SaveDeliveryAs(ctx, admin, model.DeliverySetting{QuietHours: " 21:00-08:00 ", RatePerSecond: 5}, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.Delivery(ctx)
		if err != nil || got.QuietHours != "21:00-08:00" || got.RatePerSecond != 5 {
			t.Fatalf("saved: %+v, %v", got, err)
		}
		if err := s.ResetDeliveryAs(ctx, admin, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Delivery(ctx); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("after reset: %v", err)
		}
	})
}
