package bot

import (
	"context"
	"deputybot/model"
	"errors"
	"strings"
)

// tryBindMember binds a committee member who is not a deputy: their name
// and the 6-digit member code staff issued in the console. ok is false
// when no member matches, so the attempt counts as a failure as usual.
func (r *Router) tryBindMember(ctx context.Context, c model.Conversation, name, digits string) (string, bool, error) {
	if len(digits) != 6 {
		return "", false, nil
	}
	ids, err := r.DB.MemberIDsForBindCode(ctx, digits)
	if err != nil || len(ids) == 0 {
		return "", false, err
	}
	for _, id := range ids {
		m, err := r.DB.GetCommitteeMember(ctx, id)
		if err != nil {
			return "", true, err
		}
		if strings.TrimSpace(strings.TrimSuffix(m.Name, "委员")) != strings.TrimSuffix(name, "委员") {
			continue
		}
		if err := r.DB.DeleteConversation(ctx, c.OpenID); err != nil {
			return "", true, err
		}
		if err := r.DB.BindMember(ctx, m.ID, c.OpenID); errors.Is(err, model.ErrAlreadyBound) {
			reply, err := r.say("bind.taken", nil)
			return reply, true, err
		} else if err != nil {
			return "", true, err
		}
		r.Log.Info("a committee member bound to WeChat", "member", m.ID)
		reply, err := r.say("bind.member_ok", map[string]any{"Name": m.Name})
		return reply, true, err
	}
	return "", false, nil
}
