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
	return &Flow{
		Name: core.FlowRSVP,
		Title: func(ctx context.Context, s *Session) string {
			if inv, invited, err := r.Core.Meetings.ForDeputy(ctx, deputyOf(s), s.Param("ref")); err == nil && invited {
				return "会议活动回执：" + inv.Meeting.Title
			}
			return "会议活动回执"
		},
		Begin: func(ctx context.Context, s *Session) (string, error) {
			inv, invited, err := r.Core.Meetings.ForDeputy(ctx, deputyOf(s), s.Param("ref"))
			if errors.Is(err, model.ErrNotFound) || (err == nil && !invited) {
				return r.say("rsvp.not_invited", nil)
			}
			if err != nil {
				return "", err
			}
			if !inv.Meeting.RSVPOpenAt(s.Now) {
				return r.say("rsvp.closed", r.meetingData(inv))
			}
			return "", nil
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			inv, _, err := r.Core.Meetings.ForDeputy(ctx, deputyOf(s), s.Param("ref"))
			if err != nil {
				return nil, err
			}
			data := r.meetingData(inv)
			return []Step{
				{Name: "answer", Kind: KindChoice, Prompt: "rsvp.ask", Data: func(context.Context, *Session) any { return data },
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
			by := deputyOf(s)
			inv, err := r.Core.Meetings.RSVP(ctx, by, s.Param("ref"), s.Answers["answer"], s.Answers["reason"])
			if errors.Is(err, core.ErrRSVPClosed) {
				inv, _, gerr := r.Core.Meetings.ForDeputy(ctx, by, s.Param("ref"))
				if gerr != nil {
					return "", gerr
				}
				return r.say("rsvp.closed", r.meetingData(inv))
			}
			if err != nil {
				return "", err
			}
			s.AskClosed = true // by core's RSVP, with the answer
			data := r.meetingData(inv)
			if inv.Status == model.RSVPAttend {
				return r.say("rsvp.ok_attend", data)
			}
			return r.say("rsvp.ok_leave", data)
		},
	}
}

// deputyOf is the deputy of a conversation, acting in the chat.
func deputyOf(s *Session) core.Actor { return core.DeputyActor(s.Deputy, core.ViaWeChat) }

func (r *Router) local(t time.Time) time.Time {
	if r.Loc != nil {
		return t.In(r.Loc)
	}
	return t
}

func (r *Router) meetingData(inv model.Invitation) map[string]any {
	m := inv.Meeting
	current := ""
	if inv.Answered() {
		current = inv.StatusLabel()
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
		"Kind": m.KindLabel(), "Title": m.Title, "Place": place, "Contact": contact,
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
	now := r.now()
	invs, err := r.Core.Meetings.Upcoming(ctx, core.DeputyActor(d, core.ViaWeChat), now)
	if err != nil {
		return "", err
	}
	return r.meetingList(invs, now)
}

// meetingList is 我的会议's answer at now.
func (r *Router) meetingList(invs []model.Invitation, now time.Time) (string, error) {
	if len(invs) == 0 {
		return r.say("meetings.none", nil)
	}
	items := make([]meetingItem, len(invs))
	for i, inv := range invs {
		data := r.meetingData(inv)
		items[i] = meetingItem{Kind: data["Kind"].(string), Title: inv.Meeting.Title, When: data["When"].(string),
			Place: data["Place"].(string), Status: inv.StatusLabel(), Open: inv.Meeting.RSVPOpenAt(now)}
	}
	return r.say("meetings.list", map[string]any{"Items": items})
}

// changeRSVP restarts the RSVP flow for the n-th upcoming invitation.
func (r *Router) changeRSVP(ctx context.Context, d model.Deputy, openid string, n int) (string, error) {
	invs, err := r.Core.Meetings.Upcoming(ctx, core.DeputyActor(d, core.ViaWeChat), r.now())
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(invs) {
		return r.myMeetings(ctx, d)
	}
	params := map[string]string{"ref": strconv.FormatInt(invs[n-1].MeetingID, 10)}
	return r.Engine.Start(ctx, d, openid, core.FlowRSVP, params, "", "")
}
