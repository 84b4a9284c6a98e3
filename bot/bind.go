package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"

	"deputybot/core"
	"deputybot/model"
)

const flowBind = "bind"

type bindData struct {
	Name string `json:"name"`
}

// follower is the actor of someone not (yet) bound: binding is theirs.
func follower(openid string) core.Actor { return core.PublicActor(openid, core.ViaWeChat) }

// startBind begins the binding conversation, unless the openid is already
// bound or locked out.
func (r *Router) startBind(ctx context.Context, openid string) (string, error) {
	if d, err := r.Store.GetDeputyByOpenID(ctx, openid); err == nil {
		return r.say("bind.already", map[string]any{"Name": d.Name})
	} else if !errors.Is(err, model.ErrNotFound) {
		return "", err
	}
	if m, err := r.Core.Liaison.MemberOf(ctx, model.Deputy{}, openid); err == nil {
		return r.say("bind.member_already", map[string]any{"Name": m.Name})
	} else if !errors.Is(err, model.ErrNotFound) {
		return "", err
	}
	if a, err := r.Core.Staff.StaffOf(ctx, openid); err == nil {
		return r.say("bind.staff_already", map[string]any{"Name": a.DisplayName()})
	} else if !errors.Is(err, model.ErrNotFound) {
		return "", err
	}
	if until, locked, err := r.bindLocked(ctx, openid); err != nil || locked {
		if err != nil {
			return "", err
		}
		return r.say("bind.locked", map[string]any{"Until": until})
	}
	c := model.Conversation{OpenID: openid, Flow: flowBind, Step: "name", ExpiresAt: r.now().Add(r.idle())}
	if old, err := r.Store.GetConversation(ctx, openid); err == nil {
		c.Version = old.Version
	}
	if err := r.Store.SaveConversation(ctx, &c); err != nil {
		return "", err
	}
	return r.say("bind.ask_name", nil)
}

func (r *Router) idle() time.Duration {
	if r.IdleTimeout > 0 {
		return r.IdleTimeout
	}
	return 30 * time.Minute
}

func (r *Router) bindLocked(ctx context.Context, openid string) (string, bool, error) {
	until, locked, err := r.Core.Binding.LockedUntil(ctx, follower(openid))
	if err != nil || !locked {
		return "", false, err
	}
	return r.clock(until), true, nil
}

// clock writes t as the committee's local time of day (15:04).
func (r *Router) clock(t time.Time) string { return t.In(r.Core.Location()).Format("15:04") }

// bindStep takes the deputy's answer to the current binding question.
func (r *Router) bindStep(ctx context.Context, c model.Conversation, text string) (string, error) {
	var data bindData
	_ = json.Unmarshal([]byte(c.Data), &data)
	c.ExpiresAt = r.now().Add(r.idle())
	switch c.Step {
	case "name":
		name := strings.TrimSpace(strings.TrimSuffix(normalizeWord(text), "代表"))
		if name == "" {
			return r.say("bind.empty_name", nil)
		}
		data.Name = name
		b, _ := json.Marshal(data)
		c.Data, c.Step, c.Misses = string(b), "secret", 0
		if err := r.Store.SaveConversation(ctx, &c); err != nil {
			return "", err
		}
		return r.say("bind.ask_secret", nil)
	default:
		digits := asciiDigits(normalizeWord(text))
		if name := strings.TrimSpace(strings.TrimSuffix(normalizeWord(text), "代表")); digits == "" && looksLikeName(name) {
			// A name where the digits are asked: the deputy corrects the
			// name (after a mismatch); the digits are asked again.
			data.Name = name
			b, _ := json.Marshal(data)
			c.Data, c.Misses = string(b), 0
			if err := r.Store.SaveConversation(ctx, &c); err != nil {
				return "", err
			}
			return r.say("bind.ask_secret", nil)
		}
		if len(digits) != 4 && len(digits) != 6 {
			c.Misses++
			if err := r.Store.SaveConversation(ctx, &c); err != nil {
				return "", err
			}
			reply, err := r.say("bind.bad_secret", nil)
			if c.Misses >= 3 && err == nil {
				offer, _ := r.say("bind.offer_cancel", nil)
				reply += "\n" + offer
			}
			return reply, err
		}
		return r.tryBind(ctx, c, data.Name, digits)
	}
}

// looksLikeName tells whether s could be a Chinese name: 2 to 4 Han
// characters, or more around a middle dot (阿依古丽·买买提), and none of
// the words of a sentence (我不记得了 is no name).
func looksLikeName(s string) bool {
	if strings.ContainsAny(s, "我你您不没吗呢了的是忘记号码位") {
		return false
	}
	n, dot := 0, false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			n++
		case r == '·' || r == '•':
			dot = true
		default:
			return false
		}
	}
	return n >= 2 && (n <= 4 || (dot && n <= 12))
}

// asciiDigits returns s with full-width digits folded, or "" if s has
// anything but digits.
func asciiDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + r - '０')
		case r == ' ':
		default:
			return ""
		}
	}
	return b.String()
}

// tryBind asks core to bind the follower and words the outcome.
func (r *Router) tryBind(ctx context.Context, c model.Conversation, name, digits string) (string, error) {
	res, err := r.Core.Binding.Attempt(ctx, follower(c.OpenID), name, digits)
	if err != nil {
		return "", err
	}
	if res.Outcome == core.BindMismatch {
		// Wrong digits are the likelier mistake: ask for them again,
		// keeping the name (a name typed instead corrects it).
		c.Step, c.Misses = "secret", 0
		if err := r.Store.SaveConversation(ctx, &c); err != nil {
			return "", err
		}
		return r.say("bind.mismatch", map[string]any{"Left": res.Left, "Name": name})
	}
	if err := r.Store.DeleteConversation(ctx, c.OpenID); err != nil {
		return "", err
	}
	switch res.Outcome {
	case core.BindDeputy:
		r.Log.Info("a deputy bound to WeChat")
		return r.say("bind.ok", map[string]any{"Name": res.Name})
	case core.BindMember:
		r.Log.Info("a committee member bound to WeChat")
		return r.say("bind.member_ok", map[string]any{"Name": res.Name})
	case core.BindStaff:
		r.Log.Info("a staff account bound to WeChat")
		return r.say("bind.staff_ok", map[string]any{"Name": res.Name, "Unit": res.Unit})
	case core.BindAlready:
		return r.say("bind.already", map[string]any{"Name": res.Name})
	case core.BindAmbiguous:
		return r.say("bind.ambiguous", nil)
	case core.BindTerminated:
		return r.say("bind.terminated", nil)
	case core.BindDeputyLocked:
		r.Log.Warn("binding refused: the deputy named is locked after repeated failures")
		return r.say("bind.deputy_locked", nil)
	case core.BindPaused:
		r.Log.Warn("binding refused: binding by phone digits is paused after too many failures overall")
		return r.say("bind.paused", nil)
	case core.BindLocked:
		r.Log.Warn("binding locked after repeated failures", "failures", core.BindMaxFailures)
		return r.say("bind.locked", map[string]any{"Until": r.clock(res.Until)})
	}
	return r.say("bind.taken", nil)
}
