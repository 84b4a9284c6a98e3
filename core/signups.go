package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"deputybot/model"
)

// Activity sign-up (活动报名): staff open a meeting or activity for
// sign-up with a number of places and a deadline; deputies sign up or
// withdraw until then. A sign-up within the places is the deputy's
// invitation answered 参加; beyond them the deputy waits, and a freed
// place goes to the first on the waiting list, who is told.

// maxSignupCapacity bounds the places of one activity.
const maxSignupCapacity = 10000

// SignupInput opens a meeting for sign-up: the places, and the deadline as
// text (RFC 3339 or 2006-01-02 15:04 in the committee's zone).
type SignupInput struct {
	Capacity string
	Deadline string
}

// ErrSignupClosed refuses a sign-up or a withdrawal after the deadline.
// It is a conflict.
var ErrSignupClosed = fmt.Errorf("core: sign-up closed: %w", model.ErrConflict)

// signupClosed is the refusal after the deadline; it names the deputy's
// place on the waiting list when they have one.
func (s *Meetings) signupClosed(w model.SignupWindow, position int) error {
	msg := fmt.Sprintf("报名已于 %s 截止。", w.Deadline.In(s.loc).Format("1月2日 15:04"))
	if position > 0 {
		msg += fmt.Sprintf("您在候补名单第 %d 位，如有名额空出会通知您。", position)
	}
	return &Problem{Kind: ErrSignupClosed, Msg: msg}
}

// OpenSignup opens the meeting for sign-up, or changes its places and
// deadline. The deadline must be in the future and not after the start;
// the places may not be fewer than the deputies already holding one. More
// places go at once to the waiting list, in order, each deputy told.
func (s *Meetings) OpenSignup(ctx context.Context, by Actor, meetingID int64, in SignupInput) (model.SignupSummary, error) {
	if err := by.Require(Editors...); err != nil {
		return model.SignupSummary{}, err
	}
	var out model.SignupSummary
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, meetingID)
		if err != nil {
			return err
		}
		var errs ValidationError
		capacity, cerr := strconv.Atoi(strings.TrimSpace(in.Capacity))
		if cerr != nil || capacity < 1 || capacity > maxSignupCapacity {
			errs = append(errs, &FieldError{Key: "capacity", Label: "名额", Value: in.Capacity,
				Msg: fmt.Sprintf("请填写 1 到 %d 之间的整数", maxSignupCapacity)})
		}
		deadline, ok := parseMeetingTime(strings.TrimSpace(in.Deadline), s.loc)
		switch {
		case strings.TrimSpace(in.Deadline) == "":
			errs = append(errs, &FieldError{Key: "deadline", Label: "报名截止时间", Msg: "不能为空"})
		case !ok:
			errs = append(errs, &FieldError{Key: "deadline", Label: "报名截止时间", Value: in.Deadline, Msg: "请填写日期和时间，如 2026-03-05 18:00"})
		case !deadline.After(s.now()):
			errs = append(errs, &FieldError{Key: "deadline", Label: "报名截止时间", Msg: "应晚于现在"})
		case deadline.After(m.StartsAt):
			errs = append(errs, &FieldError{Key: "deadline", Label: "报名截止时间",
				Msg: "不能晚于活动开始时间（" + m.StartsAt.In(s.loc).Format("2006-01-02 15:04") + "）"})
		}
		if len(errs) > 0 {
			return errs
		}
		old, err := s.db.GetSignupWindow(ctx, m.ID, true)
		existed := err == nil
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		confirmed, _, err := s.db.SignupCounts(ctx, m.ID)
		if err != nil {
			return err
		}
		if capacity < confirmed {
			return &FieldError{Key: "capacity", Label: "名额", Value: in.Capacity,
				Msg: fmt.Sprintf("已有 %d 位代表报名成功，名额不能少于 %d", confirmed, confirmed)}
		}
		w := model.SignupWindow{MeetingID: m.ID, Capacity: capacity, Deadline: deadline, OpenedBy: by.handle()}
		if err := s.db.PutSignupWindow(ctx, &w); err != nil {
			return err
		}
		promoted, err := s.fillPlaces(ctx, m, w, confirmed)
		if err != nil {
			return err
		}
		summary := fmt.Sprintf("开放“%s”报名：名额 %d，%s 截止", m.Title, capacity, deadline.In(s.loc).Format("2006-01-02 15:04"))
		if existed {
			summary = fmt.Sprintf("修改“%s”报名：名额 %d → %d，截止 %s", m.Title, old.Capacity, capacity,
				deadline.In(s.loc).Format("2006-01-02 15:04"))
		}
		if promoted > 0 {
			summary += fmt.Sprintf("，候补 %d 位转为报名成功", promoted)
		}
		if err := s.audit(ctx, by, "meeting.signup_open", m.Object(), summary); err != nil {
			return err
		}
		out.Window = w
		out.Confirmed, out.Waiting, err = s.db.SignupCounts(ctx, m.ID)
		return err
	})
	return out, err
}

// fillPlaces gives the free places to the waiting list, in order: each
// promoted deputy's invitation is answered 参加 and they are told. It
// returns how many were promoted.
func (s *Meetings) fillPlaces(ctx context.Context, m model.Meeting, w model.SignupWindow, confirmed int) (int, error) {
	free := w.Capacity - confirmed
	if free <= 0 {
		return 0, nil
	}
	next, err := s.db.FirstWaiting(ctx, m.ID, free)
	if err != nil {
		return 0, err
	}
	for _, su := range next {
		if err := s.db.SetSignupStatus(ctx, su.ID, model.SignupConfirmed); err != nil {
			return 0, err
		}
		if err := s.db.AttendBySignup(ctx, m.ID, su.DeputyID, su.Channel, FlowRSVP); err != nil {
			return 0, err
		}
		when := m.StartsAt.In(s.loc).Format("2006年1月2日 15:04")
		n := model.Notice{Kind: model.KindInvitation, Title: "候补报名成功：" + m.Title, RefKind: "meeting", RefID: m.ID,
			Body: fmt.Sprintf("有名额空出，您在候补名单上的“%s”报名已转为报名成功。\n时间：%s\n地点：%s\n如不能参加，请在 %s 前回复“活动报名”后退出报名。",
				m.Title, when, m.Place, w.Deadline.In(s.loc).Format("1月2日 15:04")),
			Fields: map[string]string{"time": when, "place": m.Place, "kind": m.KindLabel(), "note": "候补转为报名成功"}}
		source := fmt.Sprintf("signup-%d-%d-%d", m.ID, su.ID, s.now().UnixNano())
		if err := s.db.Enqueue(ctx, source, model.Push{Notice: n, DeputyIDs: []int64{su.DeputyID}}); err != nil {
			return 0, err
		}
	}
	return len(next), nil
}

// signer checks that by is a deputy in office, reading the record afresh
// (a term may have ended since the chat or the page looked).
func (s *Meetings) signer(ctx context.Context, by Actor) (model.Deputy, error) {
	if by.Deputy.ID == 0 {
		return model.Deputy{}, Forbidden("只有代表本人可以报名参加活动")
	}
	d, err := s.db.GetDeputy(ctx, by.Deputy.ID)
	if err != nil {
		return d, withNotFoundText(err, "代表信息不存在。")
	}
	if d.Status != model.StatusActive {
		return d, Forbidden("您的代表资格已终止，不能报名参加活动。如有疑问，请联系常委会代表工作机构。")
	}
	return d, nil
}

// openWindow returns the meeting's sign-up window, locked for the action.
func (s *Meetings) openWindow(ctx context.Context, meetingID int64) (model.Meeting, model.SignupWindow, error) {
	m, err := s.get(ctx, meetingID)
	if err != nil {
		return m, model.SignupWindow{}, err
	}
	w, err := s.db.GetSignupWindow(ctx, m.ID, true)
	if errors.Is(err, model.ErrNotFound) {
		return m, w, NotFound("“%s”未开放报名。", m.Title)
	}
	return m, w, err
}

// SignUp signs the acting deputy up for the meeting: a place while there
// is one (the invitation answered 参加), else the end of the waiting list.
// Signing up twice changes nothing and says where the deputy stands. It
// is refused after the deadline (with the waiting-list position, if any)
// and for a deputy whose term has ended.
func (s *Meetings) SignUp(ctx context.Context, by Actor, meetingID int64) (model.SignupResult, error) {
	var out model.SignupResult
	err := s.tx(ctx, func(ctx context.Context) error {
		d, err := s.signer(ctx, by)
		if err != nil {
			return err
		}
		m, w, err := s.openWindow(ctx, meetingID)
		if err != nil {
			return err
		}
		out.Meeting, out.Window = m, w
		cur, err := s.db.GetSignup(ctx, m.ID, d.ID)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if err == nil && cur.Active() {
			out.Signup, out.Already = cur, true
			if cur.Status == model.SignupWaiting {
				if out.Position, err = s.db.WaitingPosition(ctx, cur); err != nil {
					return err
				}
			}
			if !w.OpenAt(s.now()) {
				return s.signupClosed(w, out.Position)
			}
			return nil
		}
		if !w.OpenAt(s.now()) {
			return s.signupClosed(w, 0)
		}
		confirmed, _, err := s.db.SignupCounts(ctx, m.ID)
		if err != nil {
			return err
		}
		su := model.Signup{MeetingID: m.ID, DeputyID: d.ID, Status: model.SignupWaiting, Channel: by.Via}
		if confirmed < w.Capacity {
			su.Status = model.SignupConfirmed
		}
		if err := s.db.SaveSignup(ctx, &su); err != nil {
			return err
		}
		out.Signup = su
		summary := fmt.Sprintf("报名“%s”：报名成功", m.Title)
		if su.Status == model.SignupConfirmed {
			if err := s.db.AttendBySignup(ctx, m.ID, d.ID, by.Via, FlowRSVP); err != nil {
				return err
			}
		} else {
			if out.Position, err = s.db.WaitingPosition(ctx, su); err != nil {
				return err
			}
			summary = fmt.Sprintf("报名“%s”：名额已满，候补第 %d 位", m.Title, out.Position)
		}
		return s.audit(ctx, by, "meeting.signup", m.Object(), summary)
	})
	if err != nil && !errors.Is(err, ErrSignupClosed) {
		return model.SignupResult{}, err
	}
	return out, err
}

// WithdrawSignup takes the acting deputy off the meeting's sign-up: a
// confirmed deputy's invitation becomes 请假 (退出报名) and the place goes
// to the first on the waiting list, who is told. Refused after the
// deadline, and when the deputy has not signed up.
func (s *Meetings) WithdrawSignup(ctx context.Context, by Actor, meetingID int64) (model.SignupResult, error) {
	var out model.SignupResult
	err := s.tx(ctx, func(ctx context.Context) error {
		if by.Deputy.ID == 0 {
			return Forbidden("只有代表本人可以退出报名")
		}
		m, w, err := s.openWindow(ctx, meetingID)
		if err != nil {
			return err
		}
		out.Meeting, out.Window = m, w
		cur, err := s.db.GetSignup(ctx, m.ID, by.Deputy.ID)
		if errors.Is(err, model.ErrNotFound) || (err == nil && !cur.Active()) {
			return Conflict("您没有报名“%s”，无需退出。", m.Title)
		}
		if err != nil {
			return err
		}
		if !w.OpenAt(s.now()) {
			return &Problem{Kind: ErrSignupClosed, Msg: fmt.Sprintf("报名已于 %s 截止，不能再退出。如不能参加，请直接联系活动组织方。",
				w.Deadline.In(s.loc).Format("1月2日 15:04"))}
		}
		if err := s.db.SetSignupStatus(ctx, cur.ID, model.SignupWithdrawn); err != nil {
			return err
		}
		was := cur.Status
		cur.Status = model.SignupWithdrawn
		out.Signup = cur
		summary := fmt.Sprintf("退出“%s”候补", m.Title)
		if was == model.SignupConfirmed {
			summary = fmt.Sprintf("退出“%s”报名", m.Title)
			if err := s.db.AnswerInvitation(ctx, m.ID, cur.DeputyID, model.RSVPLeave, "退出报名", by.Via); err != nil {
				return err
			}
			confirmed, _, err := s.db.SignupCounts(ctx, m.ID)
			if err != nil {
				return err
			}
			next, err := s.db.FirstWaiting(ctx, m.ID, 1)
			if err != nil {
				return err
			}
			if _, err := s.fillPlaces(ctx, m, w, confirmed); err != nil {
				return err
			}
			if len(next) > 0 && confirmed < w.Capacity {
				out.Promoted = next[0]
				out.Promoted.Status = model.SignupConfirmed
				summary += "，名额由候补第 1 位递补"
			}
		}
		return s.audit(ctx, by, "meeting.signup_withdraw", m.Object(), summary)
	})
	if err != nil {
		return model.SignupResult{}, err
	}
	return out, nil
}

// OpenActivities lists the activities open for sign-up now, soonest
// deadline first, each with the acting deputy's own sign-up: what
// 活动报名 numbers in the chat and the H5 list shows.
func (s *Meetings) OpenActivities(ctx context.Context, by Actor) ([]model.OpenActivity, error) {
	if by.Deputy.ID == 0 {
		return nil, Forbidden("只有代表本人可以查看可报名的活动")
	}
	ms, sums, err := s.db.OpenSignups(ctx, s.now())
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	mine, err := s.db.DeputySignups(ctx, by.Deputy.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]model.OpenActivity, len(ms))
	for i, m := range ms {
		out[i] = model.OpenActivity{Meeting: m, Summary: sums[i], Mine: mine[m.ID]}
		if out[i].Mine.Status == model.SignupWaiting {
			if out[i].Position, err = s.db.WaitingPosition(ctx, out[i].Mine); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Signups returns the meeting's sign-up window with its counts and every
// sign-up (confirmed, the waiting list in order, withdrawn); the window is
// not found when the meeting was never opened for sign-up.
func (s *Meetings) Signups(ctx context.Context, by Actor, meetingID int64) (model.SignupSummary, []model.SignupRow, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.SignupSummary{}, nil, err
	}
	m, err := s.get(ctx, meetingID)
	if err != nil {
		return model.SignupSummary{}, nil, err
	}
	w, err := s.db.GetSignupWindow(ctx, m.ID, false)
	if err != nil {
		return model.SignupSummary{}, nil, withNotFoundText(err, "“"+m.Title+"”未开放报名。")
	}
	sum := model.SignupSummary{Window: w}
	if sum.Confirmed, sum.Waiting, err = s.db.SignupCounts(ctx, m.ID); err != nil {
		return sum, nil, err
	}
	rows, err := s.db.ListSignups(ctx, m.ID)
	return sum, rows, err
}
