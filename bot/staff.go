package bot

import (
	"context"
	"errors"
	"fmt"

	"deputybot/core"
	"deputybot/model"
)

// staffTaskWords ask a bound staff account for its 待办: the suggestions to
// act on now.
var staffTaskWords = map[string]bool{"待办": true, "我的待办": true, "承办": true, "我的承办": true, "督办": true}

// staffTaskLimit bounds the suggestions a 待办 reply lists; the console has the rest.
const staffTaskLimit = 10

// staffCommand serves a message from someone who is no deputy: when the
// openid is a staff account's own WeChat, 待办 lists its suggestions to act
// on and 帮助 says so; ok is false otherwise (other text is a message).
func (r *Router) staffCommand(ctx context.Context, openid, word string) (string, bool, error) {
	if !staffTaskWords[word] && !isHelpWord(word) {
		return "", false, nil
	}
	a, err := r.Core.Staff.StaffOf(ctx, openid)
	if errors.Is(err, model.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", true, err
	}
	if isHelpWord(word) {
		reply, err := r.say("staff.help", map[string]any{"Name": a.DisplayName(), "Unit": a.Unit})
		return reply, true, err
	}
	tasks, err := r.Core.Supervision.TasksAs(ctx, core.StaffActor(a, core.ViaWeChat))
	if errors.Is(err, model.ErrForbidden) {
		reply, err := r.say("staff.help", map[string]any{"Name": a.DisplayName(), "Unit": a.Unit})
		return reply, true, err
	}
	if err != nil {
		return "", true, err
	}
	var lines []string
	for i, it := range tasks.Items {
		if i == staffTaskLimit {
			break
		}
		line := fmt.Sprintf("%d. %s《%s》%s", i+1, it.Number, it.Title, it.Reason)
		switch {
		case it.DaysLeft < 0:
			line += fmt.Sprintf(" %d 天", -it.DaysLeft)
		case it.Reason == "期限临近":
			line += fmt.Sprintf("，还剩 %d 天", it.DaysLeft)
		}
		line += "（期限 " + it.Deadline.Format("1月2日") + "）"
		if tasks.Unit == "" {
			line += " · " + it.HostUnit
		}
		lines = append(lines, line)
	}
	reply, err := r.say("staff.tasks", map[string]any{"Name": a.DisplayName(), "Unit": tasks.Unit, "Lines": lines,
		"Total": len(tasks.Items), "More": len(tasks.Items) > staffTaskLimit})
	return reply, true, err
}
