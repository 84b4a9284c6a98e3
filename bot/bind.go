package bot

import (
	"context"
	"deputybot/model"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

const flowBind = "bind"

// Binding limits: five failures within an hour lock binding for an hour.
const (
	bindMaxFailures = 5
	bindWindow      = time.Hour
)

type bindData struct {
	Name string `json:"name"`
}

func bindLockKey(openid string) string { return "bindlock:" + openid }

// startBind begins the binding conversation, unless the openid is already
// bound or locked out.
func (r *Router) startBind(ctx context.Context, openid string) (string, error) {
	if d, err := r.DB.GetDeputyByOpenID(ctx, openid); err == nil {
		return r.say("bind.already", map[string]any{"Name": d.Name})
	} else if !errors.Is(err, model.ErrNotFound) {
		return "", err
	}
	if m, err := r.DB.MemberByOpenID(ctx, openid); err == nil {
		return r.say("bind.member_already", map[string]any{"Name": m.Name})
	}
	if until, locked, err := r.bindLocked(ctx, openid); err != nil || locked {
		if err != nil {
			return "", err
		}
		return r.say("bind.locked", map[string]any{"Until": until})
	}
	c := model.Conversation{OpenID: openid, Flow: flowBind, Step: "name", ExpiresAt: r.now().Add(r.idle())}
	if old, err := r.DB.GetConversation(ctx, openid); err == nil {
		c.Version = old.Version
	}
	if err := r.DB.SaveConversation(ctx, &c); err != nil {
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
	v, err := r.DB.KVGet(ctx, bindLockKey(openid))
	if errors.Is(err, model.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	until, _ := time.Parse(time.RFC3339, v)
	loc := r.Loc
	if loc == nil {
		loc = time.Local
	}
	return until.In(loc).Format("15:04"), true, nil
}

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
		if err := r.DB.SaveConversation(ctx, &c); err != nil {
			return "", err
		}
		return r.say("bind.ask_secret", nil)
	default:
		digits := asciiDigits(normalizeWord(text))
		if len(digits) != 4 && len(digits) != 6 {
			c.Misses++
			if err := r.DB.SaveConversation(ctx, &c); err != nil {
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

func (r *Router) tryBind(ctx context.Context, c model.Conversation, name, digits string) (string, error) {
	openid := c.OpenID
	candidates, err := r.bindCandidates(ctx, name, digits)
	if err != nil {
		return "", err
	}
	if len(candidates) == 0 {
		if reply, ok, err := r.tryBindMember(ctx, c, name, digits); ok || err != nil {
			return reply, err
		}
		return r.bindFailed(ctx, c)
	}
	if len(candidates) > 1 {
		if err := r.DB.DeleteConversation(ctx, openid); err != nil {
			return "", err
		}
		return r.say("bind.ambiguous", nil)
	}
	d := candidates[0]
	if err := r.DB.DeleteConversation(ctx, openid); err != nil {
		return "", err
	}
	switch {
	case d.Status == model.StatusEnded:
		return r.say("bind.terminated", nil)
	case d.OpenID == openid:
		return r.say("bind.already", map[string]any{"Name": d.Name})
	case d.OpenID != "":
		return r.say("bind.taken", nil)
	}
	if err := r.DB.BindDeputy(ctx, d.ID, openid); errors.Is(err, model.ErrAlreadyBound) {
		if other, err := r.DB.GetDeputyByOpenID(ctx, openid); err == nil {
			return r.say("bind.already", map[string]any{"Name": other.Name})
		}
		return r.say("bind.taken", nil)
	} else if err != nil {
		return "", err
	}
	r.Log.Info("a deputy bound to WeChat")
	return r.say("bind.ok", map[string]any{"Name": d.Name})
}

// bindCandidates returns the deputies called name whose phone ends in the
// 4 digits, or whose unexpired binding code is the 6 digits.
func (r *Router) bindCandidates(ctx context.Context, name, digits string) ([]model.Deputy, error) {
	named, err := r.DB.FindDeputiesByName(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []model.Deputy
	if len(digits) == 4 {
		for _, d := range named {
			if len(d.Phone) >= 4 && strings.HasSuffix(d.Phone, digits) {
				out = append(out, d)
			}
		}
		return out, nil
	}
	ids, err := r.DB.DeputyIDsForBindCode(ctx, digits)
	if err != nil {
		return nil, err
	}
	for _, d := range named {
		for _, id := range ids {
			if d.ID == id {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

func (r *Router) bindFailed(ctx context.Context, c model.Conversation) (string, error) {
	openid := c.OpenID
	if err := r.DB.AddBindFailure(ctx, openid); err != nil {
		return "", err
	}
	n, last, err := r.DB.BindFailuresSince(ctx, openid, r.now().Add(-bindWindow))
	if err != nil {
		return "", err
	}
	if n >= bindMaxFailures {
		until := last.Add(bindWindow)
		if err := r.DB.KVSet(ctx, bindLockKey(openid), until.UTC().Format(time.RFC3339), until.Sub(r.now())); err != nil {
			return "", err
		}
		if err := r.DB.DeleteConversation(ctx, openid); err != nil {
			return "", err
		}
		r.Log.Warn("binding locked after repeated failures", "failures", n)
		locked, _, _ := r.bindLocked(ctx, openid)
		return r.say("bind.locked", map[string]any{"Until": locked})
	}
	c.Step, c.Data, c.Misses = "name", "{}", 0
	if err := r.DB.SaveConversation(ctx, &c); err != nil {
		return "", err
	}
	return r.say("bind.mismatch", map[string]any{"Left": bindMaxFailures - n})
}
