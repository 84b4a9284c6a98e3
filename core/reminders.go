package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
)

// Reminders sends the time-based reminders the scheduler runs. Each
// reminder's source names what and when, so a job that runs twice (a
// retry, a catch-up after downtime) reminds each deputy once.
type Reminders struct{ *env }

// NewReminders returns the reminders service over db, on its own clock;
// loc formats dates (default Asia/Shanghai).
func NewReminders(db *storage.DB, loc *time.Location) *Reminders {
	e := newEnv(db)
	if loc != nil {
		e.loc = loc
	}
	return &Reminders{e}
}

// push sends one reminder per target and counts the targets reminded.
func (r *Reminders) push(ctx context.Context, targets []model.ReminderTarget, source func(t model.ReminderTarget) string,
	notice func(t model.ReminderTarget) model.Notice, ask func(t model.ReminderTarget) *model.Ask) (int, error) {
	n := 0
	for _, t := range targets {
		p := model.Push{Notice: notice(t), DeputyIDs: t.DeputyIDs}
		if ask != nil {
			p.Ask = ask(t)
		}
		if err := r.db.Enqueue(ctx, source(t), p); err != nil {
			return n, err
		}
		n += len(t.DeputyIDs)
	}
	return n, nil
}

func (r *Reminders) date(t time.Time) string { return t.In(r.loc).Format("1月2日 15:04") }

// Meetings reminds attending deputies 3 days and 1 day before a meeting,
// and invitees who have not answered, once a day until the RSVP deadline.
func (r *Reminders) Meetings(ctx context.Context, by Actor, now time.Time) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, w := range []struct {
		key      string
		from, to time.Duration
	}{{"3d", 48 * time.Hour, 72 * time.Hour}, {"1d", 0, 24 * time.Hour}} {
		ts, err := r.db.MeetingsStartingBetween(ctx, now.Add(w.from), now.Add(w.to), model.RSVPAttend)
		if err != nil {
			return counts, err
		}
		n, err := r.push(ctx, ts,
			func(t model.ReminderTarget) string { return fmt.Sprintf("mr%s-%d", w.key, t.RefID) },
			func(t model.ReminderTarget) model.Notice {
				return model.Notice{Kind: model.KindReminder, Title: "会议活动提醒：" + t.Title, RefKind: "meeting", RefID: t.RefID,
					Body:   fmt.Sprintf("您报名参加的“%s”将于 %s 开始，请按时参加。", t.Title, r.date(t.When)),
					Fields: map[string]string{"time": r.date(t.When), "note": "请按时参加"}}
			}, nil)
		counts["meeting_"+w.key] += n
		if err != nil {
			return counts, err
		}
	}
	ts, err := r.db.OpenRSVPs(ctx, now)
	if err != nil {
		return counts, err
	}
	day := now.In(r.loc).Format("20060102")
	// The reminder names the meeting's start and place, which the targets
	// (meeting, deadline, invitees) do not carry.
	meetings := map[int64]model.Meeting{}
	for _, t := range ts {
		m, err := r.db.GetMeeting(ctx, t.RefID)
		if err != nil {
			return counts, err
		}
		meetings[t.RefID] = m
	}
	n, err := r.push(ctx, ts,
		func(t model.ReminderTarget) string { return fmt.Sprintf("rsvp%d-%s", t.RefID, day) },
		func(t model.ReminderTarget) model.Notice { return rsvpReminder(meetings[t.RefID], r.loc) },
		func(t model.ReminderTarget) *model.Ask { return rsvpAsk(t.RefID, t.Title) })
	counts["rsvp"] = n
	return counts, err
}

// Ratings reminds deputies who have not rated a reply after 3 days, and
// once more after 6; never more than twice.
func (r *Reminders) Ratings(ctx context.Context, by Actor, now time.Time) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for i, age := range []time.Duration{3 * 24 * time.Hour, 6 * 24 * time.Hour} {
		ts, err := r.db.UnratedReplies(ctx, now.Add(-age))
		if err != nil {
			return counts, err
		}
		round := i + 1
		n, err := r.push(ctx, ts,
			func(t model.ReminderTarget) string { return fmt.Sprintf("rr%d-%d-%d", round, t.RefID, t.When.Unix()) },
			func(t model.ReminderTarget) model.Notice {
				return model.Notice{Kind: model.KindReminder, Title: t.Title + "建议待测评", RefKind: "suggestion", RefID: t.RefID,
					Body:   "承办单位已答复您的建议，请抽空进行满意度测评。",
					Fields: map[string]string{"number": t.Title, "status": "待测评"}}
			},
			func(t model.ReminderTarget) *model.Ask {
				return &model.Ask{Flow: FlowRate, RefID: t.RefID, Title: "建议办理满意度测评：" + t.Title}
			})
		counts[fmt.Sprintf("round%d", round)] = n
		if err != nil {
			return counts, err
		}
	}
	return counts, nil
}

// Closing reminds deputies who have not answered a survey (on the days
// the survey chose, else two days before it closes) or a draft
// regulation's solicitation two days before it closes.
func (r *Reminders) Closing(ctx context.Context, by Actor, now time.Time) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	n, err := r.surveys(ctx, now)
	counts["survey"] = n
	if err != nil {
		return counts, err
	}
	sols, err := r.db.SolicitationsClosingBetween(ctx, now, now.Add(48*time.Hour))
	if err != nil {
		return counts, err
	}
	n, err = r.push(ctx, sols,
		func(t model.ReminderTarget) string { return fmt.Sprintf("solr-%d", t.RefID) },
		func(t model.ReminderTarget) model.Notice {
			return model.Notice{Kind: model.KindReminder, Title: "征求意见即将截止", RefKind: "solicitation", RefID: t.RefID,
				Body:   fmt.Sprintf("%s将于 %s 截止，回复“意见”即可提出意见。", t.Title, r.date(t.When)),
				Fields: map[string]string{"time": r.date(t.When), "note": t.Title}}
		}, nil)
	counts["solicitation"] = n
	return counts, err
}

// AnnounceNextMaterial sends the oldest study material not yet announced
// to every deputy: the weekly study series.
func (r *Reminders) AnnounceNextMaterial(ctx context.Context, by Actor, now time.Time, out *notify.Outbox) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	m, err := r.db.NextUnannouncedMaterial(ctx, now)
	if errors.Is(err, model.ErrNotFound) {
		return map[string]int{"announced": 0}, nil
	}
	if err != nil {
		return nil, err
	}
	n := model.Notice{Kind: model.KindMaterial, Title: m.Title, Body: m.Summary + "\n\n" + m.Body, Link: m.Link,
		RefKind: "material", RefID: m.ID, Fields: map[string]string{"time": m.PublishedAt.In(r.loc).Format("2006-01-02"),
			"note": "学完后回复“已学1”"}}
	if _, err := out.CreateCampaign(ctx, &n, model.Audience{All: true}, now); err != nil {
		return nil, err
	}
	return map[string]int{"announced": 1}, nil
}

// surveys reminds the deputies each open survey asks who are bound and
// have not answered: on each of the survey's reminder days, or, for a
// survey that chose none, once within two days of its close.
func (r *Reminders) surveys(ctx context.Context, now time.Time) (int, error) {
	open, err := r.db.OpenSurveys(ctx, now)
	if err != nil {
		return 0, err
	}
	today := now.In(r.loc).Format(time.DateOnly)
	total := 0
	for _, sv := range open {
		source := fmt.Sprintf("svr-%d", sv.ID)
		if len(sv.RemindOn) > 0 {
			if !slices.Contains(sv.RemindOn, today) {
				continue
			}
			source = fmt.Sprintf("svd-%d-%s", sv.ID, today)
		} else if !sv.ClosesAt.Before(now.Add(48 * time.Hour)) {
			continue
		}
		invitees, err := r.db.SurveyInvitees(ctx, sv)
		if err != nil {
			return total, err
		}
		t := model.ReminderTarget{RefID: sv.ID, Title: sv.Title, When: sv.ClosesAt}
		for _, d := range invitees {
			if d.Bound && !d.Answered {
				t.DeputyIDs = append(t.DeputyIDs, d.DeputyID)
			}
		}
		if len(t.DeputyIDs) == 0 {
			continue
		}
		n, err := r.push(ctx, []model.ReminderTarget{t},
			func(model.ReminderTarget) string { return source },
			func(t model.ReminderTarget) model.Notice {
				return model.Notice{Kind: model.KindReminder, Title: "问卷提醒：" + t.Title, RefKind: "survey", RefID: t.RefID,
					Body:   fmt.Sprintf("问卷“%s”将于 %s 截止，您还没有填写，回复“问卷”即可作答。", t.Title, r.date(t.When)),
					Fields: map[string]string{"time": r.date(t.When) + "截止", "note": "回复“问卷”填写"}}
			},
			func(t model.ReminderTarget) *model.Ask {
				return &model.Ask{Flow: "survey", RefID: t.RefID, Title: "问卷：" + t.Title}
			})
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
