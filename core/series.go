package core

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
)

// NoticeSeries runs the recurring notices: it checks and stores series, and
// sends one campaign per schedule tick.
type NoticeSeries struct{ *env }

// NewNoticeSeries returns the service on its own clock; schedules are read
// in loc.
func NewNoticeSeries(db *storage.DB, loc *time.Location) *NoticeSeries {
	e := newEnv(db)
	if loc != nil {
		e.loc = loc
	}
	return &NoticeSeries{e}
}

// ParseSeriesSchedule reads a standard 5-field cron spec (or @weekly …).
func ParseSeriesSchedule(spec string) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(strings.TrimSpace(spec))
	if err != nil {
		return nil, err
	}
	if _, ok := sched.(*cron.SpecSchedule); !ok {
		return nil, errors.New("@every is not supported")
	}
	return sched, nil
}

// Create checks s and stores it, active.
func (ns *NoticeSeries) Create(ctx context.Context, s *model.Series) error {
	s.Name, s.Title, s.Schedule = strings.TrimSpace(s.Name), strings.TrimSpace(s.Title), strings.TrimSpace(s.Schedule)
	var errs ValidationError
	keys := map[string]string{"名称": "name", "类型": "kind", "标题": "title", "时间表": "schedule"}
	bad := func(field, value, msg string) {
		errs = append(errs, &FieldError{Key: keys[field], Label: field, Value: value, Msg: msg})
	}
	if s.Name == "" || utf8.RuneCountInString(s.Name) > 100 {
		bad("名称", s.Name, "不能为空，不超过 100 字")
	}
	if _, ok := model.KindLabels[s.Kind]; !ok && !s.NextMaterial {
		bad("类型", s.Kind, "请选择通知类型")
	}
	if !s.NextMaterial && (s.Title == "" || strings.TrimSpace(s.Body) == "") {
		bad("标题", s.Title, "标题和正文不能为空（或选择推送下一份学习材料）")
	}
	if sched, err := ParseSeriesSchedule(s.Schedule); err != nil {
		bad("时间表", s.Schedule, "应为标准 cron 表达式，如“0 9 * * 1”（每周一 9:00）")
	} else if sched.Next(ns.now().In(ns.loc)).IsZero() {
		bad("时间表", s.Schedule, "这个时间表不会触发")
	}
	if s.NextMaterial {
		s.Kind, s.Audience = model.KindMaterial, model.Audience{All: true}
	}
	if len(errs) > 0 {
		return errs
	}
	return ns.db.CreateSeries(ctx, s)
}

// Due reports whether s had a tick after its last run (or its creation)
// and at or before now.
func (ns *NoticeSeries) Due(s model.Series, now time.Time) bool {
	sched, err := ParseSeriesSchedule(s.Schedule)
	if err != nil || !s.Active {
		return false
	}
	from := s.CreatedAt
	if s.LastRunAt != nil {
		from = *s.LastRunAt
	}
	next := sched.Next(from.In(ns.loc))
	return !next.IsZero() && !next.After(now)
}

// RunDue sends one campaign for every active series that is due at now.
// The run is claimed first, so of two instances only one sends; a failed
// send is not retried until the next tick.
func (ns *NoticeSeries) RunDue(ctx context.Context, by Actor, now time.Time, out *notify.Outbox) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	list, err := ns.db.ListSeries(ctx, true)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{"sent": 0}
	var errs []error
	for _, s := range list {
		if !ns.Due(s, now) {
			continue
		}
		ok, err := ns.db.ClaimSeriesRun(ctx, s.ID, s.LastRunAt, now)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		if err := ns.send(ctx, by, s, now, out); err != nil {
			counts["failed"]++
			errs = append(errs, err)
			continue
		}
		counts["sent"]++
	}
	return counts, errors.Join(errs...)
}

func (ns *NoticeSeries) send(ctx context.Context, by Actor, s model.Series, now time.Time, out *notify.Outbox) error {
	if s.NextMaterial {
		_, err := NewReminders(ns.db, ns.loc).AnnounceNextMaterial(ctx, by, now, out)
		return err
	}
	n := model.Notice{Kind: s.Kind, Title: s.Title, Body: s.Body, RefKind: "series", RefID: s.ID,
		CreatedBy: "series:" + s.Name, Fields: map[string]string{"time": now.In(ns.loc).Format("2006-01-02 15:04")}}
	_, err := out.CreateCampaign(ctx, &n, s.Audience, now)
	return err
}
