package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"deputybot/model"
)

// seriesBatch bounds the deputies considered at once by the study series.
const seriesBatch = 500

// SendSeries is the study series (学习材料系列): each bound deputy in
// office is pushed the oldest published material never pushed to them
// and not yet studied, one per run. A material reaches a deputy at most
// once however often it runs (the outbox's key is the material and the
// deputy). It returns how many deputies were sent one.
func (s *Materials) SendSeries(ctx context.Context, by Actor, now time.Time) (int, error) {
	if err := requireJob(by); err != nil {
		return 0, err
	}
	sent := 0
	var after int64
	for {
		next, last, err := s.db.NextMaterialPerDeputy(ctx, now, after, seriesBatch)
		if err != nil {
			return sent, err
		}
		if last == 0 {
			break
		}
		after = last
		for mid, ids := range next {
			err := s.tx(ctx, func(ctx context.Context) error {
				m, err := s.get(ctx, mid)
				if err != nil {
					return err
				}
				n := s.notice(ctx, by, m)
				n.Fields["note"] = "学习材料系列，点击阅读全文"
				if err := s.db.Enqueue(ctx, "study-series-"+strconv.FormatInt(mid, 10), model.Push{Notice: n, DeputyIDs: ids}); err != nil {
					return err
				}
				return s.audit(ctx, by, "material.series", m.Object(), fmt.Sprintf("学习材料系列：向 %d 位代表推送“%s”", len(ids), m.Title))
			})
			if err != nil {
				return sent, err
			}
			sent += len(ids)
		}
	}
	return sent, nil
}

// courseReminderKey keeps how many days before a course's deadline the
// unfinished are reminded.
const courseReminderKey = "study:course_reminder_days"

// ReminderDays is how many days before a course's deadline the reminder
// job reminds those who have not finished (CourseReminderDays unless set).
func (s *Courses) ReminderDays(ctx context.Context) (int, error) {
	v, err := s.db.KVGet(ctx, courseReminderKey)
	if errors.Is(err, model.ErrNotFound) {
		return CourseReminderDays, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return CourseReminderDays, nil
	}
	return n, nil
}

// SetReminderDays sets how many days (1–30) before a course's deadline
// the unfinished are reminded.
func (s *Courses) SetReminderDays(ctx context.Context, by Actor, days int) error {
	if err := by.Require(Editors...); err != nil {
		return err
	}
	if days < 1 || days > 30 {
		return &FieldError{Key: "reminder_days", Label: "截止前提醒天数", Value: strconv.Itoa(days), Msg: "应为 1–30 的整数"}
	}
	return s.tx(ctx, func(ctx context.Context) error {
		if err := s.db.KVSet(ctx, courseReminderKey, strconv.Itoa(days), 0); err != nil {
			return err
		}
		return s.audit(ctx, by, "course.settings", "course_settings", fmt.Sprintf("学习班截止前提醒改为提前 %d 天", days))
	})
}

// RunReminders is the course-reminders job: RemindDue with the days set.
func (s *Courses) RunReminders(ctx context.Context, by Actor) (int, error) {
	days, err := s.ReminderDays(ctx)
	if err != nil {
		return 0, err
	}
	return s.RemindDue(ctx, by, days)
}
