package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// 双联系 in the chat: a committee member logs a contact with one of their
// linked deputies (联系登记) and reads their digest (我的联系); a
// provincial leader logs an activity in their electoral unit (选区活动登记).
// A member who is a deputy is recognised through the deputy binding; one
// who is not binds with a member code and is served by memberCommand.
const (
	FlowLiaisonContact = "liaison_contact"
	FlowLeaderActivity = "leader_activity"
)

// The words of 双联系; each set is checked before any database query.
var (
	liaisonContactWords = map[string]bool{"联系登记": true, "登记联系": true, "记录联系": true, "联系代表": true}
	liaisonDigestWords  = map[string]bool{"我的联系": true, "联系情况": true, "双联系": true, "联系周报": true}
	leaderActivityWords = map[string]bool{"选区活动登记": true, "选区活动": true, "登记选区活动": true, "选举单位活动": true}
)

// chinaZone is the committee's zone, for "today" in the chat.
var chinaZone = time.FixedZone("CST", 8*60*60)

// liaison is the 双联系 service.
func (r *Router) liaison() *core.Liaison { return r.Core.Liaison }

// memberActor is who logs a contact in the chat: the deputy who holds the
// member record, or the member who bound with a member code.
func (r *Router) memberActor(ctx context.Context, s *Session) (core.Actor, error) {
	if s.Deputy.ID != 0 {
		return deputyOf(s), nil
	}
	m, err := r.liaison().MemberOf(ctx, model.Deputy{}, s.OpenID)
	return core.MemberActor(m, s.OpenID, core.ViaWeChat), err
}

// liaisonCommand answers the 双联系 words of a bound deputy; ok is false
// when word is not one of them.
func (r *Router) liaisonCommand(ctx context.Context, d model.Deputy, openid, word string) (string, bool, error) {
	switch {
	case liaisonContactWords[word], liaisonDigestWords[word]:
		m, err := r.liaison().MemberOf(ctx, d, "")
		if errors.Is(err, model.ErrNotFound) {
			reply, err := r.say("liaison.not_member", nil)
			return reply, true, err
		}
		if err != nil {
			return "", true, err
		}
		reply, err := r.memberWord(ctx, d, m, openid, word)
		return reply, true, err
	case leaderActivityWords[word]:
		if _, err := r.liaison().LeaderOf(ctx, d.ID); errors.Is(err, model.ErrNotFound) {
			reply, err := r.say("leader.not_leader", nil)
			return reply, true, err
		} else if err != nil {
			return "", true, err
		}
		reply, err := r.Engine.Start(ctx, d, openid, FlowLeaderActivity, nil, "", "")
		return reply, true, err
	}
	return "", false, nil
}

// memberWord runs 联系登记 or 我的联系 for the member m.
func (r *Router) memberWord(ctx context.Context, d model.Deputy, m model.CommitteeMember, openid, word string) (string, error) {
	if liaisonContactWords[word] {
		return r.Engine.Start(ctx, d, openid, FlowLiaisonContact, map[string]string{"member": strconv.FormatInt(m.ID, 10)}, "", "")
	}
	return r.myLiaison(ctx, m)
}

// memberCommand serves a message from someone who is not a bound deputy:
// when the openid is a member bound with a member code, it continues their
// 双联系 conversation or answers their words; ok is false otherwise.
func (r *Router) memberCommand(ctx context.Context, openid, word, text string) (string, bool, error) {
	m, err := r.liaison().MemberOf(ctx, model.Deputy{}, openid)
	if errors.Is(err, model.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", true, err
	}
	if r.Engine != nil {
		c, err := r.Store.GetConversation(ctx, openid)
		switch {
		case err == nil && c.Flow == FlowLiaisonContact && c.ExpiresAt.After(r.now()):
			reply, err := r.Engine.Continue(ctx, model.Deputy{}, c, text)
			if !errors.Is(err, errFlowGone) {
				return reply, true, err
			}
		case err != nil && !errors.Is(err, model.ErrNotFound):
			return "", true, err
		}
		if liaisonContactWords[word] || liaisonDigestWords[word] {
			reply, err := r.memberWord(ctx, model.Deputy{}, m, openid, word)
			return reply, true, err
		}
	}
	reply, err := r.say("liaison.member_help", map[string]any{"Name": m.Name})
	return reply, true, err
}

// memberHelp answers 帮助 from a member bound with a member code: in a
// 联系登记 conversation the step's help, as for a deputy's flow, and
// otherwise the member's own list of words.
func (r *Router) memberHelp(ctx context.Context, openid string) (string, bool, error) {
	if r.Engine == nil {
		return "", false, nil
	}
	m, err := r.liaison().MemberOf(ctx, model.Deputy{}, openid)
	if errors.Is(err, model.ErrNotFound) {
		return "", false, nil
	} else if err != nil {
		return "", true, err
	}
	c, err := r.Store.GetConversation(ctx, openid)
	if err == nil && c.Flow == FlowLiaisonContact && c.ExpiresAt.After(r.now()) {
		reply, err := r.Engine.Continue(ctx, model.Deputy{}, c, "帮助")
		if !errors.Is(err, errFlowGone) {
			return reply, true, err
		}
	}
	reply, err := r.say("liaison.member_help", map[string]any{"Name": m.Name})
	return reply, true, err
}

// myLiaison answers 我的联系: the member's digest in a few lines.
func (r *Router) myLiaison(ctx context.Context, m model.CommitteeMember) (string, error) {
	d, err := r.liaison().Digest(ctx, m.ID)
	if err != nil {
		return "", err
	}
	return r.say("liaison.summary", map[string]any{"Name": m.Name, "Since": d.Since.In(chinaZone).Format("1月2日"),
		"OpenRSVPs": d.OpenRSVPs, "UnratedReplies": d.UnratedReplies, "NewOpinions": d.NewOpinions,
		"NewSuggestions": d.NewSuggestions, "NotThisYear": strings.Join(d.NotThisYear, "、"), "Count": len(d.Rows),
		"Warning": d.Warning})
}

// dayStep asks for a date (今天, 昨天, 5月20日 …) not in the future.
func (r *Router) dayStep(prompt string) Step {
	return Step{Name: "date", Kind: KindDate, Prompt: prompt,
		Check: func(_ context.Context, s *Session, v string) (string, error) {
			day, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return r.say("hint.date", nil)
			}
			if problem := r.liaison().CheckDate(day); problem != "" {
				return r.say("liaison.bad_date", map[string]any{"Problem": problem})
			}
			return "", nil
		}}
}

// linkedChoices lists the member's deputies as numbered choices.
func (r *Router) linkedChoices(ctx context.Context, memberID int64) ([]Choice, error) {
	d, err := r.liaison().Digest(ctx, memberID)
	if err != nil {
		return nil, err
	}
	out := make([]Choice, len(d.Rows))
	for i, row := range d.Rows {
		label := row.Name
		if row.Delegation != "" {
			label += "（" + row.Delegation + "）"
		}
		out[i] = Choice{Value: strconv.FormatInt(row.DeputyID, 10), Label: label, Aliases: []string{row.Name, row.Name + "代表"}}
	}
	return out, nil
}

func kindChoices(kinds []string) []Choice {
	out := make([]Choice, len(kinds))
	for i, k := range kinds {
		out[i] = Choice{Value: k, Label: k}
	}
	return out
}

// liaisonContactFlow (param member): the deputy from a numbered list, the
// way, the date, an optional note; stored through core.Liaison.LogContact.
func (r *Router) liaisonContactFlow() *Flow {
	kinds := kindChoices(core.ContactKinds)
	kinds[0].Aliases = []string{"见面", "走访", "面谈"}
	kinds[3].Aliases = []string{"写信", "书信"}
	return &Flow{
		Name:  FlowLiaisonContact,
		Title: func(context.Context, *Session) string { return "双联系 · 联系登记" },
		Begin: func(ctx context.Context, s *Session) (string, error) {
			ids, err := r.liaison().Deputies(ctx, s.Param("member"))
			if err != nil || len(ids) > 0 {
				return "", err
			}
			return r.say("liaison.no_deputies", nil)
		},
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			deputies, err := r.linkedChoices(ctx, s.Param("member"))
			if err != nil {
				return nil, err
			}
			return []Step{
				{Name: "deputy", Kind: KindChoice, Prompt: "liaison.deputy", Choices: deputies},
				{Name: "kind", Kind: KindChoice, Prompt: "liaison.kind", Choices: kinds},
				r.dayStep("liaison.date"),
				{Name: "note", Kind: KindText, Prompt: "liaison.note", MaxLen: 500, Optional: true,
					Data: func(context.Context, *Session) any { return map[string]any{"Max": 500} }},
			}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			day, _ := time.Parse(time.DateOnly, s.Answers["date"])
			deputyID, _ := strconv.ParseInt(s.Answers["deputy"], 10, 64)
			svc := r.liaison()
			by, err := r.memberActor(ctx, s)
			if err != nil {
				return "", err
			}
			c := model.MemberContact{MemberID: s.Param("member"), DeputyID: deputyID, Kind: s.Answers["kind"], OnDate: day,
				Note: s.Answers["note"]}
			err = svc.LogOwnContact(ctx, by, &c)
			if verr, ok := core.Fields(err); ok {
				return r.say("liaison.invalid", map[string]any{"Problem": verr.Error()})
			}
			if err != nil {
				return "", err
			}
			d, err := svc.Digest(ctx, c.MemberID)
			if err != nil {
				return "", err
			}
			name := ""
			for _, row := range d.Rows {
				if row.DeputyID == deputyID {
					name = row.Name
				}
			}
			return r.say("liaison.saved", map[string]any{"Date": day.Format("1月2日"), "Kind": c.Kind, "Deputy": name,
				"Contacted": len(d.Rows) - len(d.NotThisYear), "Total": len(d.Rows), "NotYet": strings.Join(d.NotThisYear, "、")})
		},
	}
}

// leaderActivityFlow: the kind, the date, an optional note; stored through
// core.Liaison.LogActivity for the leader who is the deputy.
func (r *Router) leaderActivityFlow() *Flow {
	unit := func(ctx context.Context, s *Session) string {
		if l, err := r.liaison().LeaderOf(ctx, s.Deputy.ID); err == nil {
			return l.Unit
		}
		return "所在选举单位"
	}
	return &Flow{
		Name:  FlowLeaderActivity,
		Title: func(context.Context, *Session) string { return "选区活动登记" },
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			u := unit(ctx, s)
			return []Step{
				{Name: "kind", Kind: KindChoice, Prompt: "leader.kind", Choices: kindChoices(core.ActivityKinds),
					Data: func(context.Context, *Session) any { return map[string]any{"Unit": u} }},
				r.dayStep("leader.date"),
				{Name: "note", Kind: KindText, Prompt: "leader.note", MaxLen: 500, Optional: true,
					Data: func(context.Context, *Session) any { return map[string]any{"Max": 500} }},
			}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			day, _ := time.Parse(time.DateOnly, s.Answers["date"])
			a := model.LeaderActivity{Kind: s.Answers["kind"], OnDate: day, Note: s.Answers["note"]}
			l, err := r.liaison().LogOwnActivity(ctx, deputyOf(s), &a)
			if errors.Is(err, model.ErrNotFound) {
				return r.say("leader.not_leader", nil)
			}
			if verr, ok := core.Fields(err); ok {
				return r.say("leader.invalid", map[string]any{"Problem": verr.Error()})
			}
			if err != nil {
				return "", err
			}
			return r.say("leader.saved", map[string]any{"Date": day.Format("1月2日"), "Unit": l.Unit, "Kind": a.Kind, "Count": l.Activities})
		},
	}
}

// helpWithLiaison answers 帮助 on the full path: a member bound with a
// member code in a 联系登记 conversation gets the step's help; everyone
// else the usual help.
func (r *Router) helpWithLiaison(ctx context.Context, openid string) (string, error) {
	if reply, ok, err := r.memberHelp(ctx, openid); ok || err != nil {
		return reply, err
	}
	return r.help(ctx, openid)
}
