package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"deputybot/model"
)

// Binding connects a WeChat follower to the deputy they are, or to the
// committee member who is not a deputy, after they prove it in the chat:
// their name and the last 4 digits of the phone on record, or a 6-digit
// code staff issued. Every rule of an attempt — who matches, when a
// deputy is taken, how many failures lock an openid out — lives here, so
// the chat only asks the questions and words the outcome.
type Binding struct{ *env }

// Binding limits: BindMaxFailures failed attempts within BindWindow lock
// the follower out of binding for BindWindow after the last one.
const (
	BindMaxFailures = 5
	BindWindow      = time.Hour
)

// BindOutcome is how a binding attempt ended.
type BindOutcome int

// The outcomes of Binding.Attempt.
const (
	BindDeputy     BindOutcome = iota + 1 // bound to the deputy Name
	BindMember                            // bound to the committee member Name (a member code)
	BindAlready                           // the follower was already bound to the deputy Name
	BindTaken                             // the deputy (or member) is bound to another WeChat user
	BindAmbiguous                         // several deputies match: staff must issue a code
	BindTerminated                        // the deputy's term has ended
	BindMismatch                          // nothing matches; Left attempts remain
	BindLocked                            // too many failures: binding is locked until Until
)

// BindResult is the outcome of one binding attempt.
type BindResult struct {
	Outcome BindOutcome
	Name    string    // the deputy's or member's name, for BindDeputy, BindMember, BindAlready
	Left    int       // for BindMismatch: attempts left before the lock
	Until   time.Time // for BindLocked
}

func bindLockKey(openid string) string { return "bindlock:" + openid }

// LockedUntil tells whether by, a follower, may not try binding now
// because of earlier failures, and until when.
func (b *Binding) LockedUntil(ctx context.Context, by Actor) (time.Time, bool, error) {
	v, err := b.db.KVGet(ctx, bindLockKey(by.OpenID))
	if errors.Is(err, model.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("core: binding lock: %w", err)
	}
	until, _ := time.Parse(time.RFC3339, v)
	return until, true, nil
}

// Attempt binds by (a follower, PublicActor) to the deputy called name
// whose phone ends in digits (4 digits) or whose unexpired binding code is
// digits (6 digits), or else to the committee member called name whose
// member code it is. A success is audited as the deputy (or member) it
// proved to be; a failure counts towards the follower's lock.
func (b *Binding) Attempt(ctx context.Context, by Actor, name, digits string) (BindResult, error) {
	if by.OpenID == "" {
		return BindResult{}, Forbidden("只有微信用户本人可以绑定身份")
	}
	candidates, err := b.candidates(ctx, name, digits)
	if err != nil {
		return BindResult{}, err
	}
	switch len(candidates) {
	case 0:
		if res, ok, err := b.attemptMember(ctx, by, name, digits); ok || err != nil {
			return res, err
		}
		return b.fail(ctx, by)
	case 1:
		return b.bindDeputy(ctx, by, candidates[0])
	}
	return BindResult{Outcome: BindAmbiguous}, nil
}

func (b *Binding) bindDeputy(ctx context.Context, by Actor, d model.Deputy) (BindResult, error) {
	switch {
	case d.Status == model.StatusEnded:
		return BindResult{Outcome: BindTerminated}, nil
	case d.OpenID == by.OpenID:
		return BindResult{Outcome: BindAlready, Name: d.Name}, nil
	case d.OpenID != "":
		return BindResult{Outcome: BindTaken}, nil
	}
	err := b.tx(ctx, func(ctx context.Context) error {
		if err := b.db.BindDeputy(ctx, d.ID, by.OpenID); err != nil {
			return err
		}
		d.OpenID = by.OpenID
		return b.audit(ctx, DeputyActor(d, by.Via), "deputy.bind", deputyObject(d), fmt.Sprintf("%s 绑定微信", d.Name))
	})
	if errors.Is(err, model.ErrAlreadyBound) {
		// Another message bound the deputy or this follower first.
		if other, err := b.db.GetDeputyByOpenID(ctx, by.OpenID); err == nil {
			return BindResult{Outcome: BindAlready, Name: other.Name}, nil
		}
		return BindResult{Outcome: BindTaken}, nil
	}
	if err != nil {
		return BindResult{}, err
	}
	return BindResult{Outcome: BindDeputy, Name: d.Name}, nil
}

// candidates returns the deputies called name whose phone ends in the 4
// digits, or whose unexpired binding code is the 6 digits.
func (b *Binding) candidates(ctx context.Context, name, digits string) ([]model.Deputy, error) {
	named, err := b.db.FindDeputiesByName(ctx, name)
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
	ids, err := b.db.DeputyIDsForBindCode(ctx, digits)
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

// attemptMember binds a committee member who is not a deputy: their name
// and the 6-digit member code staff issued. ok is false when no member
// matches, so the attempt counts as a failure as usual.
func (b *Binding) attemptMember(ctx context.Context, by Actor, name, digits string) (BindResult, bool, error) {
	if len(digits) != 6 {
		return BindResult{}, false, nil
	}
	ids, err := b.db.MemberIDsForBindCode(ctx, digits)
	if err != nil || len(ids) == 0 {
		return BindResult{}, false, err
	}
	for _, id := range ids {
		m, err := b.db.GetCommitteeMember(ctx, id)
		if err != nil {
			return BindResult{}, true, err
		}
		if strings.TrimSpace(strings.TrimSuffix(m.Name, "委员")) != strings.TrimSuffix(name, "委员") {
			continue
		}
		err = b.tx(ctx, func(ctx context.Context) error {
			if err := b.db.BindMember(ctx, m.ID, by.OpenID); err != nil {
				return err
			}
			return b.audit(ctx, MemberActor(m, by.OpenID, by.Via), "liaison.member.bind", fmt.Sprintf("member/%d", m.ID),
				fmt.Sprintf("委员 %s 以绑定码绑定微信", m.Name))
		})
		if errors.Is(err, model.ErrAlreadyBound) {
			return BindResult{Outcome: BindTaken}, true, nil
		}
		if err != nil {
			return BindResult{}, true, err
		}
		return BindResult{Outcome: BindMember, Name: m.Name}, true, nil
	}
	return BindResult{}, false, nil
}

// fail counts a failed attempt and locks the follower out after
// BindMaxFailures within BindWindow.
func (b *Binding) fail(ctx context.Context, by Actor) (BindResult, error) {
	if err := b.db.AddBindFailure(ctx, by.OpenID); err != nil {
		return BindResult{}, err
	}
	now := b.now()
	n, last, err := b.db.BindFailuresSince(ctx, by.OpenID, now.Add(-BindWindow))
	if err != nil {
		return BindResult{}, err
	}
	if n < BindMaxFailures {
		return BindResult{Outcome: BindMismatch, Left: BindMaxFailures - n}, nil
	}
	until := last.Add(BindWindow)
	if err := b.db.KVSet(ctx, bindLockKey(by.OpenID), until.UTC().Format(time.RFC3339), until.Sub(now)); err != nil {
		return BindResult{}, err
	}
	return BindResult{Outcome: BindLocked, Until: until}, nil
}

func deputyObject(d model.Deputy) string { return fmt.Sprintf("deputy/%d", d.ID) }

// Unbind removes the deputy's WeChat binding, so they can bind again (from
// a new phone); pushes stop until they do. A deputy not bound is a
// Conflict.
func (b *Binding) Unbind(ctx context.Context, by Actor, deputyID int64) (model.Deputy, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Deputy{}, err
	}
	var d model.Deputy
	err := b.tx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = b.db.GetDeputy(ctx, deputyID); errors.Is(err, model.ErrNotFound) {
			return NotFound("代表 %d 不存在", deputyID)
		} else if err != nil {
			return err
		}
		if _, err := b.db.UnbindDeputy(ctx, deputyID); errors.Is(err, model.ErrNotFound) {
			return Conflict("该代表尚未绑定微信，无需解除。")
		} else if err != nil {
			return err
		}
		since := ""
		if d.BoundAt != nil {
			since = "（绑定于 " + d.BoundAt.In(b.loc).Format("2006-01-02 15:04") + "）"
		}
		return b.audit(ctx, by, "deputy.unbind", deputyObject(d), "解除 "+d.Name+" 的微信绑定"+since)
	})
	return d, err
}

// IssueCode gives the deputy a fresh 6-digit binding code valid for valid
// (replacing any earlier one), to send instead of their phone digits; the
// code stays out of the audit entry.
func (b *Binding) IssueCode(ctx context.Context, by Actor, deputyID int64, valid time.Duration) (code string, expires time.Time, err error) {
	if err := by.Require(Editors...); err != nil {
		return "", time.Time{}, err
	}
	err = b.tx(ctx, func(ctx context.Context) error {
		d, err := b.db.GetDeputy(ctx, deputyID)
		if errors.Is(err, model.ErrNotFound) {
			return NotFound("代表 %d 不存在", deputyID)
		} else if err != nil {
			return err
		}
		if code, expires, err = IssueBindCode(ctx, b.db, deputyID, b.now(), valid); err != nil {
			return err
		}
		return b.audit(ctx, by, "deputy.bind_code", deputyObject(d),
			fmt.Sprintf("为 %s 生成绑定码，有效至 %s", d.Name, expires.In(b.loc).Format("2006-01-02 15:04")))
	})
	return code, expires, err
}
