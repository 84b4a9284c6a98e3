package bot

import (
	"context"
	"deputybot/model"
	"strconv"
	"strings"
)

// registerFlows declares every engine-run conversation.
func (r *Router) registerFlows() {
	r.Engine.Register(r.rsvpFlow(), r.rateFlow(), r.opinionFlow(), r.surveyFlow(), r.recordFlow(),
		r.liaisonContactFlow(), r.leaderActivityFlow(), r.signupFlow(), r.pickAskFlow(), r.publicReplyFlow(),
		r.suggestFlow(), r.cosignFlow())
}

// deputyCommand answers the words a bound deputy can send at any time
// outside a flow; ok is false when word is not one of them.
func (r *Router) deputyCommand(ctx context.Context, d model.Deputy, openid, word string) (string, bool, error) {
	if reply, ok, err := r.liaisonCommand(ctx, d, openid, word); ok || err != nil {
		return reply, true, err
	}
	if reply, ok, err := r.signupCommand(ctx, d, openid, word); ok || err != nil {
		return reply, true, err
	}
	if reply, ok, err := r.suggestCommand(ctx, d, openid, word); ok || err != nil {
		return reply, true, err
	}
	if reply, ok, err := r.publicOpinionCommand(ctx, d, openid, word); ok || err != nil {
		return reply, true, err
	}
	switch word {
	case "我的会议", "会议活动", "会议", "我的活动":
		reply, err := r.myMeetings(ctx, d)
		return reply, true, err
	}
	if word == "我的建议" || word == "建议" || word == "建议办理" {
		reply, err := r.mySuggestions(ctx, d)
		return reply, true, err
	}
	switch word {
	case "意见", "意见反馈", "意见建议", "提意见", "反映意见", "法规草案", "征求意见":
		reply, err := r.Engine.Start(ctx, d, openid, FlowOpinion, nil, "", "")
		return reply, true, err
	}
	if word == "问卷" || word == "调查问卷" || word == "填问卷" {
		reply, err := r.surveys(ctx, d, openid)
		return reply, true, err
	}
	switch word {
	case "我的履职", "履职档案", "履职情况":
		reply, err := r.myRecord(ctx, d)
		return reply, true, err
	case "履职登记", "登记履职":
		reply, err := r.Engine.Start(ctx, d, openid, FlowRecord, nil, "", "")
		return reply, true, err
	}
	if reply, ok, err := r.studyCommand(ctx, d, word); ok || err != nil {
		return reply, true, err
	}
	if n, ok := numberAfter(word, "测评", "评价"); ok {
		reply, err := r.rateNth(ctx, d, openid, n)
		return reply, true, err
	}
	if n, ok := numberAfter(word, "修改", "改"); ok {
		reply, err := r.changeRSVP(ctx, d, openid, n)
		return reply, true, err
	}
	return "", false, nil
}

// numberAfter reads "修改2" / "修改 2" as 2.
func numberAfter(word string, prefixes ...string) (int, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(word, p); ok {
			n, err := strconv.Atoi(strings.TrimSpace(foldDigits(rest)))
			if err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}
