package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// FlowSignup is 活动报名: the activities open for sign-up, numbered;
// replying a number signs up for it. Params: ids = the listed meeting ids,
// in order, so the numbers keep meaning what the deputy read.
const FlowSignup = "signup"

// signupWords start 活动报名; withdrawPrefixes, followed by a number,
// withdraw from that item of the list.
var (
	signupWords      = map[string]bool{"活动报名": true, "报名": true, "我要报名": true, "报名活动": true, "可报名活动": true}
	withdrawPrefixes = []string{"退出报名", "取消报名"}
)

// isSignupEscape tells whether a word in a 活动报名 conversation is a
// command of its own (退出报名2, 活动报名) rather than a choice.
func isSignupEscape(word string) bool {
	if signupWords[word] {
		return true
	}
	_, ok := numberAfter(word, withdrawPrefixes...)
	return ok
}

// signupCommand answers 活动报名, 报名N and 退出报名N; ok is false for
// any other word.
func (r *Router) signupCommand(ctx context.Context, d model.Deputy, openid, word string) (string, bool, error) {
	if n, ok := numberAfter(word, withdrawPrefixes...); ok {
		reply, err := r.withdrawNth(ctx, d, n)
		return reply, true, err
	}
	if signupWords[word] {
		reply, err := r.listActivities(ctx, d, openid)
		return reply, true, err
	}
	if n, ok := numberAfter(word, "报名"); ok {
		reply, err := r.signUpNth(ctx, d, n)
		return reply, true, err
	}
	return "", false, nil
}

// activityLabel is one line of the numbered list: what, when, places, and
// where the deputy stands.
func (r *Router) activityLabel(a model.OpenActivity) string {
	m := a.Meeting
	var b strings.Builder
	fmt.Fprintf(&b, "【%s】%s\n   %s", m.KindLabel(), m.Title, r.local(m.StartsAt).Format("1月2日 15:04"))
	if m.Place != "" {
		b.WriteString(" · " + m.Place)
	}
	fmt.Fprintf(&b, "\n   名额 %d，剩余 %d，%s 截止", a.Summary.Window.Capacity, a.Summary.Left(),
		r.local(a.Summary.Window.Deadline).Format("1月2日 15:04"))
	switch a.Mine.Status {
	case model.SignupConfirmed:
		b.WriteString(" · 您已报名")
	case model.SignupWaiting:
		fmt.Fprintf(&b, " · 您在候补第 %d 位", a.Position)
	}
	return b.String()
}

// listActivities starts 活动报名 with the open activities, or says there
// are none.
func (r *Router) listActivities(ctx context.Context, d model.Deputy, openid string) (string, error) {
	acts, err := r.Core.Meetings.OpenActivities(ctx, core.DeputyActor(d, core.ViaWeChat))
	if err != nil {
		return "", err
	}
	if len(acts) == 0 {
		return r.say("signup.none", nil)
	}
	ids := make([]string, len(acts))
	for i, a := range acts {
		ids[i] = strconv.FormatInt(a.Meeting.ID, 10)
	}
	return r.Engine.Start(ctx, d, openid, FlowSignup, map[string]string{"ids": strings.Join(ids, ",")}, "", "")
}

func (r *Router) signupFlow() *Flow {
	return &Flow{
		Name:  FlowSignup,
		Title: func(context.Context, *Session) string { return "活动报名" },
		Steps: func(ctx context.Context, s *Session) ([]Step, error) {
			acts, err := r.Core.Meetings.OpenActivities(ctx, deputyOf(s))
			if err != nil {
				return nil, err
			}
			byID := map[string]model.OpenActivity{}
			for _, a := range acts {
				byID[strconv.FormatInt(a.Meeting.ID, 10)] = a
			}
			var choices []Choice
			for i, id := range strings.Split(s.Params["ids"], ",") {
				label := "（报名已截止）"
				if a, ok := byID[id]; ok {
					label = r.activityLabel(a)
				}
				n := strconv.Itoa(i + 1)
				choices = append(choices, Choice{Value: id, Label: label, Aliases: []string{"报名" + n}})
			}
			data := map[string]any{"ListURL": r.activitiesURL()}
			return []Step{{Name: "activity", Kind: KindChoice, Prompt: "signup.list", Choices: choices,
				Data: func(context.Context, *Session) any { return data }}}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			id, _ := strconv.ParseInt(s.Answers["activity"], 10, 64)
			n := 0
			for i, v := range strings.Split(s.Params["ids"], ",") {
				if v == s.Answers["activity"] {
					n = i + 1
				}
			}
			return r.signUp(ctx, deputyOf(s), id, n)
		},
	}
}

// signUp signs the deputy up for the meeting, the n-th of their list, and
// says how it went: 报名成功, or 名额已满 with the waiting position, or
// why not.
func (r *Router) signUp(ctx context.Context, by core.Actor, meetingID int64, n int) (string, error) {
	res, err := r.Core.Meetings.SignUp(ctx, by, meetingID)
	if msg := core.Message(err); msg != "" {
		return r.say("signup.refused", map[string]any{"Problem": msg})
	}
	if err != nil {
		return "", err
	}
	m := res.Meeting
	data := map[string]any{"Title": m.Title, "When": r.local(m.StartsAt).Format("1月2日 15:04"), "Place": m.Place,
		"Deadline": r.local(res.Window.Deadline).Format("1月2日 15:04"), "Capacity": res.Window.Capacity,
		"Position": res.Position, "N": n, "Already": res.Already}
	if res.Signup.Status == model.SignupConfirmed {
		return r.say("signup.confirmed", data)
	}
	return r.say("signup.waiting", data)
}

// signUpNth signs up for the n-th open activity (报名N).
func (r *Router) signUpNth(ctx context.Context, d model.Deputy, n int) (string, error) {
	by := core.DeputyActor(d, core.ViaWeChat)
	acts, err := r.Core.Meetings.OpenActivities(ctx, by)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(acts) {
		return r.say("signup.bad_number", map[string]any{"N": n, "Count": len(acts)})
	}
	return r.signUp(ctx, by, acts[n-1].Meeting.ID, n)
}

// withdrawNth withdraws from the n-th open activity (退出报名N).
func (r *Router) withdrawNth(ctx context.Context, d model.Deputy, n int) (string, error) {
	by := core.DeputyActor(d, core.ViaWeChat)
	acts, err := r.Core.Meetings.OpenActivities(ctx, by)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(acts) {
		return r.say("signup.bad_number", map[string]any{"N": n, "Count": len(acts)})
	}
	res, err := r.Core.Meetings.WithdrawSignup(ctx, by, acts[n-1].Meeting.ID)
	if msg := core.Message(err); msg != "" {
		return r.say("signup.refused", map[string]any{"Problem": msg})
	}
	if err != nil {
		return "", err
	}
	return r.say("signup.withdrawn", map[string]any{"Title": res.Meeting.Title, "N": n})
}

// activitiesURL is the H5 list of open activities, or "" when the router
// knows no public address.
func (r *Router) activitiesURL() string {
	if r.PagesURL == "" {
		return ""
	}
	return strings.TrimRight(r.PagesURL, "/") + "/h5/activities"
}
