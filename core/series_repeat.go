package core

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// How often a series repeats, as the console offers it.
const (
	RepeatDaily   = "day"
	RepeatWeekly  = "week"
	RepeatMonthly = "month"
	RepeatCron    = "cron" // the cron expression, typed (advanced)
)

// weekdayNames are 周日 … 周六, in time.Weekday order.
var weekdayNames = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// WeekdayChoices lists 周一 … 周日 with their cron day numbers.
func WeekdayChoices() []Choice {
	out := make([]Choice, 0, 7)
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		out = append(out, Choice{Value: strconv.Itoa(d), Label: weekdayNames[d]})
	}
	return out
}

// SeriesRepeat is a series' schedule as chosen: 每天, 每周几 or 每月几号 at
// a time of day, or a cron expression.
type SeriesRepeat struct {
	Every    string // RepeatDaily, RepeatWeekly, RepeatMonthly or RepeatCron
	Weekday  string // 0 (周日) – 6, for RepeatWeekly
	MonthDay string // 1 – 28, for RepeatMonthly
	At       string // 09:00
	Cron     string // for RepeatCron
}

// Spec is the cron expression of the choice, or the problem with it.
func (r SeriesRepeat) Spec() (string, *FieldError) {
	if r.Every == RepeatCron {
		spec := strings.TrimSpace(r.Cron)
		if _, err := ParseSeriesSchedule(spec); err != nil {
			return spec, &FieldError{Key: "schedule", Label: "时间表", Value: spec, Msg: "应为标准 cron 表达式，如“0 9 * * 1”（每周一 9:00）"}
		}
		return spec, nil
	}
	at, err := time.Parse("15:04", strings.TrimSpace(r.At))
	if err != nil {
		return "", &FieldError{Key: "at", Label: "时间", Value: r.At, Msg: "请填写时间，如 09:00"}
	}
	hm := fmt.Sprintf("%d %d", at.Minute(), at.Hour())
	switch r.Every {
	case RepeatDaily:
		return hm + " * * *", nil
	case RepeatWeekly:
		d, err := strconv.Atoi(r.Weekday)
		if err != nil || d < 0 || d > 6 {
			return "", &FieldError{Key: "weekday", Label: "星期", Value: r.Weekday, Msg: "请选择星期几"}
		}
		return fmt.Sprintf("%s * * %d", hm, d), nil
	case RepeatMonthly:
		d, err := strconv.Atoi(r.MonthDay)
		if err != nil || d < 1 || d > 28 {
			return "", &FieldError{Key: "month_day", Label: "日期", Value: r.MonthDay, Msg: "请选择每月 1–28 号（每个月都有的日子）"}
		}
		return fmt.Sprintf("%s %d * *", hm, d), nil
	}
	return "", &FieldError{Key: "every", Label: "重复", Value: r.Every, Msg: "请选择每天、每周或每月"}
}

// RepeatOf reads a stored cron expression back as the form's choice: one
// the form can say in words becomes 每天/每周/每月, any other stays cron.
func RepeatOf(spec string) SeriesRepeat {
	out := SeriesRepeat{Every: RepeatCron, Cron: spec, At: "09:00", Weekday: "1", MonthDay: "1"}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return out
	}
	m, err1 := strconv.Atoi(f[0])
	h, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || m < 0 || m > 59 || h < 0 || h > 23 || f[3] != "*" {
		return out
	}
	at := fmt.Sprintf("%02d:%02d", h, m)
	switch {
	case f[2] == "*" && f[4] == "*":
		return SeriesRepeat{Every: RepeatDaily, At: at, Weekday: "1", MonthDay: "1", Cron: spec}
	case f[2] == "*":
		if d, err := strconv.Atoi(f[4]); err == nil && d >= 0 && d <= 6 {
			return SeriesRepeat{Every: RepeatWeekly, Weekday: f[4], At: at, MonthDay: "1", Cron: spec}
		}
	case f[4] == "*":
		if d, err := strconv.Atoi(f[2]); err == nil && d >= 1 && d <= 28 {
			return SeriesRepeat{Every: RepeatMonthly, MonthDay: f[2], At: at, Weekday: "1", Cron: spec}
		}
	}
	return out
}

// ScheduleText says a cron expression in words where it can (每周一 09:00),
// else shows it as it is.
func ScheduleText(spec string) string {
	r := RepeatOf(spec)
	switch r.Every {
	case RepeatDaily:
		return "每天 " + r.At
	case RepeatWeekly:
		d, _ := strconv.Atoi(r.Weekday)
		return "每" + weekdayNames[d] + " " + r.At
	case RepeatMonthly:
		return "每月 " + r.MonthDay + " 号 " + r.At
	}
	return "cron：" + spec
}

// NextRuns returns the next n times a series on spec would send, from now,
// in the committee's time zone; nil when spec does not parse.
func (ns *NoticeSeries) NextRuns(spec string, n int) []time.Time {
	sched, err := ParseSeriesSchedule(spec)
	if err != nil {
		return nil
	}
	var out []time.Time
	t := ns.now().In(ns.loc)
	for range n {
		if t = sched.Next(t); t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}
