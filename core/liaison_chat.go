package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"deputybot/model"
)

// The 双联系 actions members and leaders take themselves, in the chat:
// staff log the same records for them in the console (LogContact,
// LogActivity); here the actor must be the member or leader.

// MemberOfActor returns the committee member by is: the member holding by's
// deputy record (DeputyActor), or the member bound to by's WeChat with a
// member code (MemberActor). ErrNotFound when by is neither.
func (s *Liaison) MemberOfActor(ctx context.Context, by Actor) (model.CommitteeMember, error) {
	if by.Member.ID != 0 {
		return s.db.GetCommitteeMember(ctx, by.Member.ID)
	}
	return s.MemberOf(ctx, by.Deputy, by.OpenID)
}

// LogOwnContact records a contact the member by made with one of their
// linked deputies (c.MemberID is set to by's member record), validated as
// LogContact does, and audits it.
func (s *Liaison) LogOwnContact(ctx context.Context, by Actor, c *model.MemberContact) error {
	m, err := s.MemberOfActor(ctx, by)
	if errors.Is(err, model.ErrNotFound) {
		return Forbidden("只有常委会组成人员本人可以登记联系")
	}
	if err != nil {
		return err
	}
	c.MemberID = m.ID
	return s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.logContact(ctx, c); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "liaison.contact", fmt.Sprintf("member/%d", m.ID),
			fmt.Sprintf("委员 %s 联系代表（%s，%s）", m.Name, c.Kind, c.OnDate.Format(time.DateOnly)))
	})
}

// LogOwnActivity records an activity the provincial leader by (a
// DeputyActor) held in their electoral unit, validated as LogActivity
// does, and audits it; a.LeaderID is set to by's leader record.
func (s *Liaison) LogOwnActivity(ctx context.Context, by Actor, a *model.LeaderActivity) (model.LiaisonLeader, error) {
	if by.Deputy.ID == 0 {
		return model.LiaisonLeader{}, Forbidden("只有省领导本人可以登记选区活动")
	}
	l, err := s.LeaderOf(ctx, by.Deputy.ID)
	if err != nil {
		return l, err
	}
	a.LeaderID = l.ID
	if a.CreatedBy == "" {
		a.CreatedBy = ViaLabel(by.Via)
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.logActivity(ctx, a); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "liaison.leader.activity", fmt.Sprintf("leader/%d", l.ID),
			fmt.Sprintf("省领导 %s 在%s参加%s活动（%s）", l.DeputyName, l.Unit, a.Kind, a.OnDate.Format(time.DateOnly)))
	})
	if err != nil {
		return model.LiaisonLeader{}, err
	}
	return s.Leader(ctx, l.ID)
}
