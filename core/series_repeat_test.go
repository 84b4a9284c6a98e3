package core

import "testing"

// A schedule chosen as 每天/每周/每月 + time becomes a cron expression that
// reads back as the same choice and in words; a bad choice is refused on
// its field; a cron expression the form cannot say stays cron.
func TestASeriesScheduleIsChosenInWords(t *testing.T) {
	for _, c := range []struct {
		in   SeriesRepeat
		spec string
		text string
	}{
		{SeriesRepeat{Every: RepeatDaily, At: "08:05"}, "5 8 * * *", "每天 08:05"},
		{SeriesRepeat{Every: RepeatWeekly, Weekday: "1", At: "09:00"}, "0 9 * * 1", "每周一 09:00"},
		{SeriesRepeat{Every: RepeatWeekly, Weekday: "0", At: "18:30"}, "30 18 * * 0", "每周日 18:30"},
		{SeriesRepeat{Every: RepeatMonthly, MonthDay: "15", At: "10:30"}, "30 10 15 * *", "每月 15 号 10:30"},
		{SeriesRepeat{Every: RepeatCron, Cron: "0 9 1-7 * 1"}, "0 9 1-7 * 1", "cron：0 9 1-7 * 1"},
	} {
		spec, fe := c.in.Spec()
		if fe != nil || spec != c.spec || ScheduleText(spec) != c.text {
			t.Errorf("%+v: %q %v, reads %q", c.in, spec, fe, ScheduleText(spec))
		}
		if back := RepeatOf(spec); back.Every != c.in.Every {
			t.Errorf("%q reads back as %+v", spec, back)
		}
	}
	for _, c := range []struct {
		in  SeriesRepeat
		key string
	}{
		{SeriesRepeat{Every: RepeatDaily, At: "25:00"}, "at"},
		{SeriesRepeat{Every: RepeatWeekly, Weekday: "7", At: "09:00"}, "weekday"},
		{SeriesRepeat{Every: RepeatMonthly, MonthDay: "31", At: "09:00"}, "month_day"},
		{SeriesRepeat{Every: RepeatCron, Cron: "every monday"}, "schedule"},
		{SeriesRepeat{Every: "year", At: "09:00"}, "every"},
	} {
		if _, fe := c.in.Spec(); fe == nil || fe.Key != c.key {
			t.Errorf("%+v: %v, want a problem on %s", c.in, fe, c.key)
		}
	}
}
