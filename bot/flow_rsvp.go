package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// rsvpFlow answers an invitation: 参加, or 请假 with a reason. Params:
// ref = the meeting id.
func (r *Router) rsvpFlow() *Flow {
	meetings := core.NewMeetings(r.DB)
	meetings.Now = r.now
	return &Flow{
		Name: core.FlowRSVP,
		Title: func(s *Session) string {
			if inv, err := r.DB.GetInvitation(context.Background(), s.Param("ref"), s.Deputy.ID); err == nil {
				return "会议活动回执：" + inv.Meeting.Title
			}
			return "会议活动回执"
		},
		Begin: func(ctx context.Context, s *Session) (string, error) {
			inv, err := r.DB.GetInvitation(ctx, s.Param("ref"), s.Deputy.ID)
			if errors.Is(err, model.ErrNotFound) {
				return r.say("rsvp.not_invited", nil)
			}
			if err != nil {
				return "", err
			}
			if s.Now.After(inv.Meeting.RSVPDeadline) {
				return r.say("rsvp.closed", r.meetingData(inv))
			}
			return "", nil
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			inv, err := r.DB.GetInvitation(ctx, s.Param("ref"), s.Deputy.ID)
			if err != nil {
				return nil, err
			}
			data := r.meetingData(inv)
			return []Step{
				{Name: "answer", Kind: KindChoice, Prompt: "rsvp.ask", Data: func(*Session) any { return data },
					Choices: []Choice{
						{Value: model.RSVPAttend, Label: "参加", Aliases: []string{"是", "出席", "能参加", "可以", "参会"}},
						{Value: model.RSVPLeave, Label: "请假", Aliases: []string{"否", "不参加", "不能参加", "不去"}},
					},
					Next: func(_ *Session, v string) string {
						if v == model.RSVPAttend {
							return End
						}
						return "reason"
					}},
				{Name: "reason", Kind: KindText, Prompt: "rsvp.ask_reason", MaxLen: 200},
			}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			status := s.Answers["answer"]
			reason := s.Answers["reason"]
			err := meetings.RSVP(ctx, s.Param("ref"), s.Deputy.ID, status, reason, "wechat")
			inv, gerr := r.DB.GetInvitation(ctx, s.Param("ref"), s.Deputy.ID)
			if gerr != nil {
				return "", gerr
			}
			data := r.meetingData(inv)
			if errors.Is(err, core.ErrRSVPClosed) {
				return r.say("rsvp.closed", data)
			}
			if err != nil {
				return "", err
			}
			data["Reason"] = reason
			if status == model.RSVPAttend {
				return r.say("rsvp.ok_attend", data)
			}
			return r.say("rsvp.ok_leave", data)
		},
	}
}

func (r *Router) local(t time.Time) time.Time {
	if r.Loc != nil {
		return t.In(r.Loc)
	}
	return t
}

func (r *Router) meetingData(inv model.Invitation) map[string]any {
	m := inv.Meeting
	current := ""
	if inv.Status != model.RSVPPending {
		current = core.RSVPLabel(inv.Status)
	}
	contact := m.Contact
	if contact == "" {
		contact = "常委会代表工作机构"
	}
	place := m.Place
	if place == "" {
		place = "另行通知"
	}
	return map[string]any{
		"Kind": core.MeetingKindLabel(m.Kind), "Title": m.Title, "Place": place, "Contact": contact,
		"When": r.local(m.StartsAt).Format("1月2日 15:04"), "Deadline": r.local(m.RSVPDeadline).Format("1月2日 15:04"),
		"Current": current, "Reason": inv.Reason,
	}
}

type meetingItem struct {
	Kind, Title, When, Place, Status string
	Open                             bool
}

// myMeetings lists the deputy's upcoming invitations with their answers.
func (r *Router) myMeetings(ctx context.Context, d model.Deputy) (string, error) {
	invs, err := r.DB.UpcomingInvitations(ctx, d.ID, r.now())
	if err != nil {
		return "", err
	}
	if len(invs) == 0 {
		return r.say("meetings.none", nil)
	}
	items := make([]meetingItem, len(invs))
	for i, inv := range invs {
		data := r.meetingData(inv)
		items[i] = meetingItem{Kind: data["Kind"].(string), Title: inv.Meeting.Title, When: data["When"].(string),
			Place: data["Place"].(string), Status: core.RSVPLabel(inv.Status), Open: !r.now().After(inv.Meeting.RSVPDeadline)}
	}
	return r.say("meetings.list", map[string]any{"Items": items})
}

// changeRSVP restarts the RSVP flow for the n-th upcoming invitation.
func (r *Router) changeRSVP(ctx context.Context, d model.Deputy, openid string, n int) (string, error) {
	invs, err := r.DB.UpcomingInvitations(ctx, d.ID, r.now())
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(invs) {
		return r.myMeetings(ctx, d)
	}
	params := map[string]string{"ref": strconv.FormatInt(invs[n-1].MeetingID, 10)}
	return r.Engine.Start(ctx, d, openid, core.FlowRSVP, params, "", "")
}
