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

// Binding limits. A follower: BindMaxFailures failed attempts within
// BindWindow lock them out of binding for BindWindow after the last one.
// A deputy: BindDeputyMaxFailures failed attempts naming them within
// BindDeputyWindow, from any followers, lock binding them by phone digits
// until they bind with a code staff issue. Everyone: more than
// BindOverallMaxFailures failed attempts within BindWindow pause binding
// by phone digits for all until the rate falls (codes still work).
const (
	BindMaxFailures        = 5
	BindWindow             = time.Hour
	BindDeputyMaxFailures  = 10
	BindDeputyWindow       = 24 * time.Hour
	BindOverallMaxFailures = 120
)

// BindOutcome is how a binding attempt ended.
type BindOutcome int

// The outcomes of Binding.Attempt. An attempt with phone digits that
// matches no deputy who can be bound is a BindMismatch, whether the
// digits are wrong or the deputy is bound to someone else or has left
// office, so the reply tells nothing about the digits.
const (
	BindDeputy       BindOutcome = iota + 1 // bound to the deputy Name
	BindMember                              // bound to the committee member Name (a member code)
	BindAlready                             // the follower was already bound to the deputy Name
	BindTaken                               // a code's deputy (or member) is bound to another WeChat user
	BindAmbiguous                           // several deputies match: staff must issue a code
	BindTerminated                          // a code's deputy's term has ended
	BindMismatch                            // nothing that can be bound matches; Left attempts remain
	BindLocked                              // the follower failed too often: binding is locked until Until
	BindDeputyLocked                        // the deputy named is locked: only a staff code binds them
	BindPaused                              // too many failures overall: phone digits are paused for all
	BindStaff                               // bound to the staff account Name (of the unit Unit) with its code
)

// BindResult is the outcome of one binding attempt.
type BindResult struct {
	Outcome BindOutcome
	Name    string    // the deputy's, member's or account's name, for BindDeputy, BindMember, BindStaff, BindAlready
	Unit    string    // for BindStaff: the handling unit of a unit account
	Left    int       // for BindMismatch: attempts left before the lock
	Until   time.Time // for BindLocked
}

// The keys binding attempts are counted under, besides the follower's.
const bindAllKey = "bind:all"

func bindDeputyKey(id int64) string { return fmt.Sprintf("bind:d:%d", id) }

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
// proved to be; a failure counts towards the follower's lock, and an
// attempt with phone digits towards the lock of each deputy it names and
// the overall guard, all reserved before the digits are compared.
func (b *Binding) Attempt(ctx context.Context, by Actor, name, digits string) (BindResult, error) {
	if by.OpenID == "" {
		return BindResult{}, Forbidden("只有微信用户本人可以绑定身份")
	}
	if until, locked, err := b.LockedUntil(ctx, by); err != nil {
		return BindResult{}, err
	} else if locked {
		return BindResult{Outcome: BindLocked, Until: until}, nil
	}
	if len(digits) == 4 {
		return b.attemptDigits(ctx, by, name, digits)
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
		if res, ok, err := b.attemptStaff(ctx, by, name, digits); ok || err != nil {
			return res, err
		}
		return b.fail(ctx, by)
	case 1:
		return b.bindDeputy(ctx, by, candidates[0])
	}
	return BindResult{Outcome: BindAmbiguous}, nil
}

// attemptDigits is an attempt with the last 4 digits of the phone. The
// attempt is reserved overall and under each deputy called name before
// the digits are compared, so parallel attempts from many followers
// cannot get past the limits; a success releases the reservations, a
// failure leaves them as its record.
func (b *Binding) attemptDigits(ctx context.Context, by Actor, name, digits string) (BindResult, error) {
	now := b.now()
	var held []int64
	release := func() error {
		for _, id := range held {
			if err := b.db.ReleaseAttempt(ctx, id); err != nil {
				return err
			}
		}
		return nil
	}
	all, _, err := b.db.ReserveAttempt(ctx, bindAllKey, now.Add(-BindWindow), BindOverallMaxFailures,
		func(recent []time.Time) bool { return len(recent) >= BindOverallMaxFailures })
	if err != nil {
		return BindResult{}, err
	}
	if all == 0 {
		return BindResult{Outcome: BindPaused}, b.notePause(ctx, by)
	}
	held = append(held, all)
	named, err := b.db.FindDeputiesByName(ctx, name)
	if err != nil {
		return BindResult{}, err
	}
	ids := make([]int64, len(named))
	for i, d := range named {
		ids[i] = d.ID
	}
	locked, err := b.db.BindLockedAmong(ctx, ids)
	if err != nil {
		return BindResult{}, err
	}
	var open []model.Deputy
	for _, d := range named {
		if locked[d.ID] {
			continue
		}
		id, _, err := b.db.ReserveAttempt(ctx, bindDeputyKey(d.ID), now.Add(-BindDeputyWindow), BindDeputyMaxFailures,
			func(recent []time.Time) bool { return len(recent) >= BindDeputyMaxFailures })
		if err != nil {
			return BindResult{}, err
		}
		if id == 0 {
			if err := b.lockDeputy(ctx, by, d); err != nil {
				return BindResult{}, err
			}
			continue
		}
		held = append(held, id)
		open = append(open, d)
	}
	if len(named) > 0 && len(open) == 0 {
		// Every deputy of that name is locked: nothing was compared, but
		// the follower's try counts against them all the same.
		if err := release(); err != nil {
			return BindResult{}, err
		}
		if _, err := b.fail(ctx, by); err != nil {
			return BindResult{}, err
		}
		return BindResult{Outcome: BindDeputyLocked}, nil
	}
	var candidates []model.Deputy
	for _, d := range open {
		if len(d.Phone) >= 4 && strings.HasSuffix(d.Phone, digits) {
			candidates = append(candidates, d)
		}
	}
	switch {
	case len(candidates) > 1:
		return BindResult{Outcome: BindAmbiguous}, release()
	case len(candidates) == 1 && candidates[0].OpenID == by.OpenID:
		return BindResult{Outcome: BindAlready, Name: candidates[0].Name}, release()
	case len(candidates) == 1 && candidates[0].OpenID == "" && candidates[0].Status != model.StatusEnded:
		res, err := b.bindDeputy(ctx, by, candidates[0])
		switch {
		case err != nil:
			return res, err
		case res.Outcome == BindTaken:
			// Another follower bound the deputy a moment earlier.
			return b.fail(ctx, by)
		case res.Outcome != BindDeputy:
			return res, nil
		}
		return res, release()
	}
	// Wrong digits, or the right ones for a deputy bound to someone else
	// or out of office: the same answer and the same count.
	return b.fail(ctx, by)
}

// lockDeputy locks binding d by phone digits, once: the audit log and the
// dashboard say so, and only a code staff issue binds d from now on.
func (b *Binding) lockDeputy(ctx context.Context, by Actor, d model.Deputy) error {
	return b.tx(ctx, func(ctx context.Context) error {
		first, err := b.db.LockDeputyBinding(ctx, d.ID, BindDeputyMaxFailures)
		if err != nil || !first {
			return err
		}
		return b.audit(ctx, by, "deputy.bind_locked", deputyObject(d), fmt.Sprintf(
			"%s 的微信绑定在 %d 小时内失败 %d 次，已锁定：今后只能凭工作人员生成的绑定码绑定",
			d.Name, int(BindDeputyWindow/time.Hour), BindDeputyMaxFailures))
	})
}

const bindPausedKey = "bind:paused"

// notePause records, once per BindWindow, that binding by phone digits is
// paused for everyone, in the audit log.
func (b *Binding) notePause(ctx context.Context, by Actor) error {
	if _, err := b.db.KVGet(ctx, bindPausedKey); err == nil || !errors.Is(err, model.ErrNotFound) {
		return err
	}
	return b.tx(ctx, func(ctx context.Context) error {
		if err := b.db.KVSet(ctx, bindPausedKey, b.now().UTC().Format(time.RFC3339), BindWindow); err != nil {
			return err
		}
		return b.audit(ctx, by, "binding.paused", "binding", fmt.Sprintf(
			"1 小时内绑定失败超过 %d 次，已暂停以手机号后4位绑定，失败率回落后自动恢复；绑定码仍可使用", BindOverallMaxFailures))
	})
}

// BindLockState is what staff are told about binding on the dashboard:
// the deputies locked recently and whether digits are paused for all.
type BindLockState struct {
	Locked []model.BindLock
	Paused bool
}

// Locks tells staff which deputies' binding has been locked within since
// (newest first) and whether binding by phone digits is paused for all.
func (b *Binding) Locks(ctx context.Context, by Actor, since time.Time) (BindLockState, error) {
	if err := by.Require(Viewers...); err != nil {
		return BindLockState{}, err
	}
	var st BindLockState
	var err error
	if st.Locked, err = b.db.ListBindLocks(ctx, since); err != nil {
		return st, err
	}
	n, err := b.db.CountAttempts(ctx, bindAllKey, b.now().Add(-BindWindow))
	st.Paused = n >= BindOverallMaxFailures
	return st, err
}

// LockOf returns the deputy's binding lock, or model.ErrNotFound.
func (b *Binding) LockOf(ctx context.Context, by Actor, deputyID int64) (model.BindLock, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.BindLock{}, err
	}
	return b.db.GetBindLock(ctx, deputyID)
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
		// Bound (with a code, when the lock was on): the lock has done its job.
		if err := b.db.ClearDeputyBindLock(ctx, d.ID); err != nil {
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

// attemptCode binds the follower with a 6-digit code issued in the
// console to a member or a staff account: ids lists whom the code is
// for, and try looks one of them up and, when name names them, returns
// the binding to make in a transaction (bind and its audit entry) and its
// result; a nil bind passes on to the next. ok is false when nobody
// matches, so the attempt counts as a failure as usual.
func (b *Binding) attemptCode(ctx context.Context, digits string, ids func(context.Context, string) ([]int64, error),
	try func(ctx context.Context, id int64) (bind func(context.Context) error, res BindResult, err error)) (BindResult, bool, error) {
	if len(digits) != 6 {
		return BindResult{}, false, nil
	}
	owners, err := ids(ctx, digits)
	if err != nil || len(owners) == 0 {
		return BindResult{}, false, err
	}
	for _, id := range owners {
		bind, res, err := try(ctx, id)
		if err != nil {
			return BindResult{}, true, err
		}
		if bind == nil {
			continue
		}
		err = b.tx(ctx, bind)
		if errors.Is(err, model.ErrAlreadyBound) {
			return BindResult{Outcome: BindTaken}, true, nil
		}
		if err != nil {
			return BindResult{}, true, err
		}
		return res, true, nil
	}
	return BindResult{}, false, nil
}

// attemptMember binds a committee member who is not a deputy: their name
// and the 6-digit member code staff issued (see attemptCode).
func (b *Binding) attemptMember(ctx context.Context, by Actor, name, digits string) (BindResult, bool, error) {
	return b.attemptCode(ctx, digits, b.db.MemberIDsForBindCode, func(ctx context.Context, id int64) (func(context.Context) error, BindResult, error) {
		m, err := b.db.GetCommitteeMember(ctx, id)
		if err != nil || strings.TrimSpace(strings.TrimSuffix(m.Name, "委员")) != strings.TrimSuffix(name, "委员") {
			return nil, BindResult{}, err
		}
		return func(ctx context.Context) error {
			if err := b.db.BindMember(ctx, m.ID, by.OpenID); err != nil {
				return err
			}
			return b.audit(ctx, MemberActor(m, by.OpenID, by.Via), "liaison.member.bind", memberObject(m.ID),
				fmt.Sprintf("委员 %s 以绑定码绑定微信", m.Name))
		}, BindResult{Outcome: BindMember, Name: m.Name}, nil
	})
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
// code stays out of the audit entry. It returns the deputy with the code,
// for the surface to name them.
func (b *Binding) IssueCode(ctx context.Context, by Actor, deputyID int64, valid time.Duration) (d model.Deputy, code string, expires time.Time, err error) {
	if err := by.Require(Editors...); err != nil {
		return model.Deputy{}, "", time.Time{}, err
	}
	err = b.tx(ctx, func(ctx context.Context) error {
		d, err = b.db.GetDeputy(ctx, deputyID)
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
	return d, code, expires, err
}
