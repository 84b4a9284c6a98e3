package core

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ActivityKinds are the kinds of activity a leader attends in their
// electoral unit.
var ActivityKinds = []string{"调研", "座谈", "接待代表", "其他"}

// LeaderYearlyRequirement is the plan's yearly requirement for a leader.
const LeaderYearlyRequirement = "年内至少参加 1 次所在选举单位活动"

// LeaderNotYet flags a leader with no activity in their unit this year.
const LeaderNotYet = "今年尚未参加"

// yearBounds returns 1 January of year and of the next, as dates.
func yearBounds(year int) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
}

// ThisYear is the current calendar year in China time.
func (s *Liaison) ThisYear() int { return s.now().In(liaisonZone).Year() }

// today is the current date in China time, at midnight UTC (as dates are stored).
func (s *Liaison) today() time.Time {
	t := s.now().In(liaisonZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// createLeader records a provincial leader who is a deputy. The electoral
// unit is the delegation named unit, or the deputy's own when unit is "".
func (s *Liaison) createLeader(ctx context.Context, deputyID int64, unit, title string) (model.LiaisonLeader, error) {
	unit, title = strings.TrimSpace(unit), strings.TrimSpace(title)
	var errs ValidationError
	d, err := s.db.GetDeputy(ctx, deputyID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		errs = append(errs, &FieldError{Key: "deputy_id", Label: "代表", Value: fmt.Sprint(deputyID), Msg: "不存在"})
	case err != nil:
		return model.LiaisonLeader{}, err
	case d.Status == model.StatusEnded:
		errs = append(errs, &FieldError{Key: "deputy_id", Label: "代表", Value: d.Name, Msg: "代表资格已终止"})
	case unit == "":
		unit = d.Delegation
	}
	if utf8.RuneCountInString(title) > 200 {
		errs = append(errs, &FieldError{Key: "title", Label: "职务", Msg: "过长（最多 200 字）"})
	}
	l := model.LiaisonLeader{DeputyID: deputyID, DeputyName: d.Name, Title: title, Unit: unit}
	if err == nil {
		if unit == "" {
			errs = append(errs, &FieldError{Key: "unit", Label: "选举单位", Msg: "该代表没有所属代表团，请填写选举单位"})
		} else if l.DelegationID, err = s.db.DelegationID(ctx, unit); errors.Is(err, model.ErrNotFound) {
			errs = append(errs, &FieldError{Key: "unit", Label: "选举单位", Value: unit, Msg: "不是代表名册中的代表团（选举单位）"})
		} else if err != nil {
			return l, err
		}
	}
	if len(errs) > 0 {
		return l, errs
	}
	if _, err := s.db.LeaderByDeputy(ctx, deputyID, time.Time{}, time.Time{}); err == nil {
		return l, ValidationError{{Key: "deputy_id", Label: "代表", Value: d.Name, Msg: "已经是联系选举单位的省领导"}}
	}
	if err := s.db.CreateLeader(ctx, &l); errors.Is(err, model.ErrConflict) {
		return l, ValidationError{{Key: "deputy_id", Label: "代表", Value: d.Name, Msg: "已经是联系选举单位的省领导"}}
	} else if err != nil {
		return l, err
	}
	return l, nil
}

// Leader returns a leader with their activities this year.
func (s *Liaison) Leader(ctx context.Context, id int64) (model.LiaisonLeader, error) {
	from, to := yearBounds(s.ThisYear())
	return s.db.GetLeader(ctx, id, from, to)
}

// LeaderOf returns the leader who is the deputy, with this year's activities.
func (s *Liaison) LeaderOf(ctx context.Context, deputyID int64) (model.LiaisonLeader, error) {
	from, to := yearBounds(s.ThisYear())
	return s.db.LeaderByDeputy(ctx, deputyID, from, to)
}

// logActivity validates and stores an activity of a leader in their unit:
// the kind one of ActivityKinds, the date not in the future.
func (s *Liaison) logActivity(ctx context.Context, a *model.LeaderActivity) error {
	var errs ValidationError
	a.Kind, a.Note = strings.TrimSpace(a.Kind), strings.TrimSpace(a.Note)
	if !slices.Contains(ActivityKinds, a.Kind) {
		errs = append(errs, &FieldError{Key: "kind", Label: "活动类型", Value: a.Kind, Msg: "应为 调研、座谈、接待代表 或 其他"})
	}
	if problem := s.CheckDate(a.OnDate); problem != "" {
		errs = append(errs, &FieldError{Key: "on_date", Label: "日期", Msg: problem})
	}
	if utf8.RuneCountInString(a.Note) > 500 {
		errs = append(errs, &FieldError{Key: "note", Label: "备注", Msg: "过长（最多 500 字）"})
	}
	if _, err := s.db.GetLeader(ctx, a.LeaderID, time.Time{}, time.Time{}); err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	return s.db.AddLeaderActivity(ctx, a)
}

// CheckDate says what is wrong with a contact or activity date, or "".
func (s *Liaison) CheckDate(day time.Time) string {
	switch {
	case day.IsZero():
		return "不能为空"
	case day.After(s.today()):
		return "不能晚于今天"
	case day.Year() < 2000:
		return "过早，请检查年份"
	}
	return ""
}

// Activities returns a leader's activities, the latest first.
func (s *Liaison) Activities(ctx context.Context, leaderID int64) ([]model.LeaderActivity, error) {
	if _, err := s.db.GetLeader(ctx, leaderID, time.Time{}, time.Time{}); err != nil {
		return nil, err
	}
	return s.db.LeaderActivities(ctx, leaderID)
}

// LeaderYear is a leader's standing against the yearly requirement.
type LeaderYear struct {
	model.LiaisonLeader
	Met  bool   // at least one activity in the unit this year
	Flag string // LeaderNotYet when not met, else ""
}

// Requirement is the yearly requirement view: every leader, their unit
// and activities in year (0: this year, China time).
type Requirement struct {
	Year    int
	Rule    string
	Leaders []LeaderYear
	Met     int // leaders with at least one activity
	NotYet  int // leaders with none
}

// Requirement computes the yearly requirement for year (0: this year).
func (s *Liaison) Requirement(ctx context.Context, year int) (Requirement, error) {
	if year == 0 {
		year = s.ThisYear()
	}
	from, to := yearBounds(year)
	ls, err := s.db.ListLeaders(ctx, from, to)
	if err != nil {
		return Requirement{}, err
	}
	r := Requirement{Year: year, Rule: LeaderYearlyRequirement, Leaders: make([]LeaderYear, len(ls))}
	for i, l := range ls {
		ly := LeaderYear{LiaisonLeader: l, Met: l.Activities > 0}
		if ly.Met {
			r.Met++
		} else {
			ly.Flag = LeaderNotYet
			r.NotYet++
		}
		r.Leaders[i] = ly
	}
	return r, nil
}
