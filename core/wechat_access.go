package core

import (
	"context"
	"errors"
	"fmt"

	"deputybot/model"
)

// Access decides which deputy a page opened from WeChat acts for: the
// deputy a push's signed link was sent to, or the deputy who signed in
// with WeChat for the menu's pages. Its answers make the DeputyActor the
// page then acts as; the signature itself is the page's to check.
type Access struct{ *env }

// Why a page may not act for anyone.
var (
	// ErrNotBound: no deputy is bound to the WeChat user (any more).
	ErrNotBound = errors.New("core: access: no deputy is bound to this WeChat user")
	// ErrTermEnded: the deputy's term has ended.
	ErrTermEnded = errors.New("core: access: the deputy's term has ended")
)

// Linked is a push as its page shows it: the delivery, its notice and the
// deputy it went to.
type Linked struct {
	Delivery model.Delivery
	Notice   model.Notice
	Deputy   model.Deputy
}

// Actor is the deputy the link acts for, on a page; for a push to a
// follower who is not a deputy (the answer to a message they left), the
// follower as a member of the public.
func (l Linked) Actor() Actor {
	if l.Deputy.ID == 0 {
		return PublicActor(l.Delivery.OpenID, ViaH5)
	}
	return DeputyActor(l.Deputy, ViaH5)
}

// Link returns delivery deliveryID for the deputy depID, whom its verified
// link names: NotFound when there is no such delivery (or deputy),
// Forbidden when the delivery went to another deputy. A link speaks for
// its deputy only while they stay bound to the WeChat user it was sent to
// and in office, as a menu session does: after an unbind (or a binding to
// another WeChat user) it is ErrNotBound, after the term ended
// ErrTermEnded, with the Linked for the page's log.
func (a *Access) Link(ctx context.Context, deliveryID, depID int64) (Linked, error) {
	del, err := a.db.GetDelivery(ctx, deliveryID)
	if errors.Is(err, model.ErrNotFound) {
		return Linked{}, NotFound("推送 %d 不存在", deliveryID)
	}
	if err != nil {
		return Linked{}, fmt.Errorf("core: link of delivery %d: %w", deliveryID, err)
	}
	if del.DeputyID != depID {
		return Linked{}, Forbidden("该链接不属于此推送")
	}
	if depID == 0 {
		// A push to a follower who is no deputy: the page shows its notice
		// and acts for the follower it went to.
		n, err := a.db.GetNotice(ctx, del.NoticeID)
		if err != nil {
			return Linked{}, fmt.Errorf("core: link of delivery %d: %w", deliveryID, err)
		}
		return Linked{Delivery: del, Notice: n}, nil
	}
	d, err := a.db.GetDeputy(ctx, depID)
	if errors.Is(err, model.ErrNotFound) {
		return Linked{}, NotFound("代表 %d 不存在", depID)
	}
	if err != nil {
		return Linked{}, fmt.Errorf("core: link of delivery %d: %w", deliveryID, err)
	}
	switch {
	case d.OpenID == "" || d.OpenID != del.OpenID:
		return Linked{Delivery: del, Deputy: d}, ErrNotBound
	case d.Status == model.StatusEnded:
		return Linked{Delivery: del, Deputy: d}, ErrTermEnded
	}
	n, err := a.db.GetNotice(ctx, del.NoticeID)
	if err != nil {
		return Linked{}, fmt.Errorf("core: link of delivery %d: %w", deliveryID, err)
	}
	return Linked{Delivery: del, Notice: n, Deputy: d}, nil
}

// MarkRead records that by, the deputy a push went to, opened its page
// (a sent or delivered push becomes read; anything else stays as it is).
// Like WeChat's delivery reports it is a delivery status, shown in the
// delivery ledger, not an audited change.
func (a *Access) MarkRead(ctx context.Context, by Actor, del model.Delivery) error {
	public := by.Deputy.ID == 0 && del.DeputyID == 0 && by.OpenID != "" && by.OpenID == del.OpenID
	if !public && (by.Deputy.ID == 0 || by.Deputy.ID != del.DeputyID) {
		return Forbidden("只有推送的收件人才能标记已读")
	}
	return a.db.MarkDeliveryRead(ctx, del.ID)
}

// SessionDeputy returns the deputy of a menu session begun by SignIn, as
// long as they stay bound to WeChat and in office: ErrNotBound and
// ErrTermEnded say why not.
func (a *Access) SessionDeputy(ctx context.Context, depID int64) (model.Deputy, error) {
	d, err := a.db.GetDeputy(ctx, depID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return d, ErrNotBound
	case err != nil:
		return d, fmt.Errorf("core: session of deputy %d: %w", depID, err)
	case d.OpenID == "":
		return d, ErrNotBound
	case d.Status == model.StatusEnded:
		return d, ErrTermEnded
	}
	return d, nil
}

// SignIn returns the deputy bound to the WeChat user openid, whom WeChat's
// web authorisation identified: ErrNotBound when there is none,
// ErrTermEnded (with the deputy) when their term has ended.
func (a *Access) SignIn(ctx context.Context, openid string) (model.Deputy, error) {
	if openid == "" {
		return model.Deputy{}, ErrNotBound
	}
	d, err := a.db.GetDeputyByOpenID(ctx, openid)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return d, ErrNotBound
	case err != nil:
		return d, fmt.Errorf("core: sign in: %w", err)
	case d.Status == model.StatusEnded:
		return d, ErrTermEnded
	}
	return d, nil
}
