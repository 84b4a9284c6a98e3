package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// The 双联系 actions staff take in the console and through the API: each
// checks the actor's role, validates, writes and records its audit entry
// in one transaction. The chat's own actions (a member logging their
// contact, a leader their activity) are in liaison_chat.go.

func memberObject(id int64) string { return fmt.Sprintf("member/%d", id) }

func leaderObject(id int64) string { return fmt.Sprintf("leader/%d", id) }

// MembersAs lists every committee member, by name.
func (s *Liaison) MembersAs(ctx context.Context, by Actor) ([]model.CommitteeMember, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.ListCommitteeMembers(ctx)
}

// MemberAs returns one member.
func (s *Liaison) MemberAs(ctx context.Context, by Actor, id int64) (model.CommitteeMember, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.CommitteeMember{}, err
	}
	return s.db.GetCommitteeMember(ctx, id)
}

// MemberPage is what staff see of one member: the digest (with the
// member), their contacts, and whether an unexpired binding code exists
// (the code itself is shown only when issued).
type MemberPage struct {
	Digest   Digest
	Contacts []model.MemberContact
	CodeLive bool
}

// MemberPageAs returns member id's page.
func (s *Liaison) MemberPageAs(ctx context.Context, by Actor, id int64) (MemberPage, error) {
	if err := by.Require(Viewers...); err != nil {
		return MemberPage{}, err
	}
	d, err := s.Digest(ctx, id)
	if err != nil {
		return MemberPage{}, err
	}
	cs, err := s.db.MemberContacts(ctx, id)
	if err != nil {
		return MemberPage{}, err
	}
	code, _, err := s.db.MemberBindCode(ctx, id)
	if err != nil {
		return MemberPage{}, err
	}
	return MemberPage{Digest: d, Contacts: cs, CodeLive: code != ""}, nil
}

// ContactsAs returns member id's contacts, the latest first.
func (s *Liaison) ContactsAs(ctx context.Context, by Actor, id int64) ([]model.MemberContact, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	if _, err := s.db.GetCommitteeMember(ctx, id); err != nil {
		return nil, err
	}
	return s.db.MemberContacts(ctx, id)
}

// ResolveDeputies reads deputies named in text by name or number, one a
// line or separated by 、, commas or semicolons. A name matching no deputy
// or several is a problem, returned in Chinese for the form.
func (s *Liaison) ResolveDeputies(ctx context.Context, by Actor, text string) ([]int64, []string, error) {
	if err := by.Require(Editors...); err != nil {
		return nil, nil, err
	}
	fields := strings.FieldsFunc(text, func(c rune) bool {
		return c == '\n' || c == '\r' || c == '、' || c == ',' || c == '，' || c == ';' || c == '；'
	})
	var ids []int64
	var problems []string
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			if _, err := s.db.GetDeputy(ctx, n); errors.Is(err, model.ErrNotFound) {
				problems = append(problems, "没有编号为 "+f+" 的代表")
				continue
			} else if err != nil {
				return nil, nil, err
			}
			ids = append(ids, n)
			continue
		}
		ds, err := s.db.FindDeputiesByName(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		switch len(ds) {
		case 0:
			problems = append(problems, "没有名为“"+f+"”的代表")
		case 1:
			ids = append(ids, ds[0].ID)
		default:
			problems = append(problems, fmt.Sprintf("名为“%s”的代表有 %d 名，请改填编号", f, len(ds)))
		}
	}
	return ids, problems, nil
}

// CreateMemberAs adds a committee member and, when deputyID > 0, the
// deputy record they hold; one audit entry.
func (s *Liaison) CreateMemberAs(ctx context.Context, by Actor, m model.CommitteeMember, deputyID int64) (model.CommitteeMember, error) {
	if err := by.Require(Editors...); err != nil {
		return m, err
	}
	err := s.env.tx(ctx, func(ctx context.Context) error {
		if deputyID > 0 {
			if _, err := s.db.GetDeputy(ctx, deputyID); errors.Is(err, model.ErrNotFound) {
				return &FieldError{Key: "deputy_id", Label: "代表身份", Value: fmt.Sprint(deputyID), Msg: "没有这名代表"}
			} else if err != nil {
				return err
			}
		}
		if err := s.createMember(ctx, &m); err != nil {
			return err
		}
		if deputyID > 0 {
			if err := s.setMemberDeputy(ctx, m.ID, deputyID); err != nil {
				return err
			}
		}
		if err := s.env.audit(ctx, by, "liaison.member.create", memberObject(m.ID), "新增双联系委员 "+m.Name); err != nil {
			return err
		}
		var err error
		m, err = s.db.GetCommitteeMember(ctx, m.ID)
		return err
	})
	return m, err
}

// LinkAs replaces the deputies linked to member id. A number outside 5–7
// is saved and flagged: the warning is returned ("" when within), with
// the ids now linked.
func (s *Liaison) LinkAs(ctx context.Context, by Actor, id int64, deputyIDs []int64) ([]int64, string, error) {
	if err := by.Require(Editors...); err != nil {
		return nil, "", err
	}
	var ids []int64
	var warning string
	err := s.env.tx(ctx, func(ctx context.Context) error {
		m, err := s.db.GetCommitteeMember(ctx, id)
		if err != nil {
			return err
		}
		for _, d := range deputyIDs {
			if _, err := s.db.GetDeputy(ctx, d); errors.Is(err, model.ErrNotFound) {
				return &FieldError{Key: "deputy_id", Label: "代表", Value: fmt.Sprint(d), Msg: "没有这名代表"}
			} else if err != nil {
				return err
			}
		}
		if warning, err = s.link(ctx, id, deputyIDs); err != nil {
			return err
		}
		if ids, err = s.db.MemberDeputyIDs(ctx, id); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "liaison.link", memberObject(id), fmt.Sprintf("委员 %s 联系代表 %d 名", m.Name, len(ids)))
	})
	return ids, warning, err
}

// SetMemberDeputyAs records the deputy record member id holds (0: none).
func (s *Liaison) SetMemberDeputyAs(ctx context.Context, by Actor, id, deputyID int64) (model.CommitteeMember, error) {
	if err := by.Require(Editors...); err != nil {
		return model.CommitteeMember{}, err
	}
	var m model.CommitteeMember
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.db.GetCommitteeMember(ctx, id); err != nil {
			return err
		}
		if err := s.setMemberDeputy(ctx, id, deputyID); err != nil {
			return err
		}
		if err := s.env.audit(ctx, by, "liaison.member.deputy", memberObject(id),
			fmt.Sprintf("委员 %s 的代表身份设为 %d", m.Name, deputyID)); err != nil {
			return err
		}
		m, err = s.db.GetCommitteeMember(ctx, id)
		return err
	})
	return m, err
}

// IssueMemberBindCodeAs gives member id, who is not a deputy, a fresh
// 6-digit code (replacing any earlier), valid for BindCodeValidity: they
// send 绑定, their name, then the code. A member who holds a deputy record
// binds as that deputy instead, and a bound member is unbound first. The
// code stays out of the audit entry.
func (s *Liaison) IssueMemberBindCodeAs(ctx context.Context, by Actor, id int64) (model.CommitteeMember, string, time.Time, error) {
	if err := by.Require(Editors...); err != nil {
		return model.CommitteeMember{}, "", time.Time{}, err
	}
	var m model.CommitteeMember
	var code string
	var expires time.Time
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.db.GetCommitteeMember(ctx, id); err != nil {
			return err
		}
		switch {
		case m.DeputyID > 0:
			return &FieldError{Key: "code", Label: "绑定码", Msg: "该委员是代表，请用代表身份绑定（代表绑定码在代表页面生成）"}
		case m.OpenID != "":
			return &FieldError{Key: "code", Label: "绑定码", Msg: "该委员已绑定微信，如需换绑请先解除绑定"}
		}
		if code, err = NewBindCode(); err != nil {
			return err
		}
		expires = s.now().Add(BindCodeValidity)
		if err := s.db.SetMemberBindCode(ctx, id, code, expires); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "liaison.member.bind_code", memberObject(id),
			fmt.Sprintf("为委员 %s 生成绑定码，有效至 %s", m.Name, expires.In(s.env.loc).Format("2006-01-02 15:04")))
	})
	if err != nil {
		return model.CommitteeMember{}, "", time.Time{}, err
	}
	return m, code, expires, nil
}

// LogContactAs records a contact between member c.MemberID and one of
// their deputies, validated as logContact does; DeputyName is filled in.
func (s *Liaison) LogContactAs(ctx context.Context, by Actor, c model.MemberContact) (model.MemberContact, error) {
	if err := by.Require(Editors...); err != nil {
		return c, err
	}
	err := s.env.tx(ctx, func(ctx context.Context) error {
		m, err := s.db.GetCommitteeMember(ctx, c.MemberID)
		if err != nil {
			return err
		}
		if err := s.logContact(ctx, &c); err != nil {
			return err
		}
		if d, err := s.db.GetDeputy(ctx, c.DeputyID); err == nil {
			c.DeputyName = d.Name
		}
		return s.env.audit(ctx, by, "liaison.contact", memberObject(m.ID),
			fmt.Sprintf("委员 %s 联系代表（%s，%s）", m.Name, c.Kind, c.OnDate.Format(time.DateOnly)))
	})
	return c, err
}

// RequirementAs is the yearly requirement for year (0: this year).
func (s *Liaison) RequirementAs(ctx context.Context, by Actor, year int) (Requirement, error) {
	if err := by.Require(Viewers...); err != nil {
		return Requirement{}, err
	}
	return s.Requirement(ctx, year)
}

// LeaderAs returns leader id with this year's activities, and their
// activities, the latest first.
func (s *Liaison) LeaderAs(ctx context.Context, by Actor, id int64) (model.LiaisonLeader, []model.LeaderActivity, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.LiaisonLeader{}, nil, err
	}
	l, err := s.Leader(ctx, id)
	if err != nil {
		return l, nil, err
	}
	as, err := s.db.LeaderActivities(ctx, id)
	return l, as, err
}

// CreateLeaderAs records a provincial leader who is a deputy (see
// createLeader), returned with this year's activities.
func (s *Liaison) CreateLeaderAs(ctx context.Context, by Actor, deputyID int64, unit, title string) (model.LiaisonLeader, error) {
	if err := by.Require(Editors...); err != nil {
		return model.LiaisonLeader{}, err
	}
	var l model.LiaisonLeader
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if l, err = s.createLeader(ctx, deputyID, unit, title); err != nil {
			return err
		}
		if err := s.env.audit(ctx, by, "liaison.leader.create", leaderObject(l.ID),
			fmt.Sprintf("新增联系选举单位的省领导 %s（%s）", l.DeputyName, l.Unit)); err != nil {
			return err
		}
		l, err = s.Leader(ctx, l.ID)
		return err
	})
	return l, err
}

// LogActivityAs records an activity of leader a.LeaderID in their unit,
// validated as logActivity does, entered by by.
func (s *Liaison) LogActivityAs(ctx context.Context, by Actor, a model.LeaderActivity) (model.LeaderActivity, error) {
	if err := by.Require(Editors...); err != nil {
		return a, err
	}
	a.CreatedBy = by.Name()
	err := s.env.tx(ctx, func(ctx context.Context) error {
		l, err := s.db.GetLeader(ctx, a.LeaderID, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		if err := s.logActivity(ctx, &a); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "liaison.leader.activity", leaderObject(l.ID),
			fmt.Sprintf("省领导 %s 在%s参加%s活动（%s）", l.DeputyName, l.Unit, a.Kind, a.OnDate.Format(time.DateOnly)))
	})
	return a, err
}

// ExportMembersAs writes the members with their counts to a workbook, for
// staff who keep the work in Excel: linked deputies, the warning, contacts
// this year, who is not yet contacted, and the week's digest figures.
func (s *Liaison) ExportMembersAs(ctx context.Context, by Actor) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.env.tx(ctx, func(ctx context.Context) error {
		ms, err := s.db.ListCommitteeMembers(ctx)
		if err != nil {
			return err
		}
		const name = "双联系委员"
		cols := []sheetColumn{{"编号", 8}, {"委员", 12}, {"职务", 20}, {"电话", 14}, {"联系代表数", 10}, {"提醒", 30},
			{"联系的代表", 40}, {"今年已联系代表数", 10}, {"今年尚未联系", 40}, {"待回复邀请", 10}, {"未评价答复", 10},
			{"近7天新意见", 10}, {"近7天新建议", 10}, {"微信", 30}}
		sh, err := newSheetWriter(name, cols)
		if err != nil {
			return err
		}
		for _, m := range ms {
			d, err := s.Digest(ctx, m.ID)
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			names := make([]string, len(d.Rows))
			for i, row := range d.Rows {
				names[i] = row.Name
			}
			if err := sh.add(excelize.RowOpts{}, strconv.FormatInt(m.ID, 10), m.Name, m.Title, m.Phone, strconv.Itoa(len(d.Rows)),
				d.Warning, strings.Join(names, "、"), strconv.Itoa(len(d.Rows)-len(d.NotThisYear)), strings.Join(d.NotThisYear, "、"),
				strconv.Itoa(d.OpenRSVPs), strconv.Itoa(d.UnratedReplies), strconv.Itoa(d.NewOpinions), strconv.Itoa(d.NewSuggestions),
				BindingState(m)); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", name, s.now().In(s.env.loc).Format("20060102-1504"))
		return s.env.audit(ctx, by, "liaison.export", "liaison", fmt.Sprintf("导出%s %d 条", name, len(ms)))
	})
	return out, err
}

// UnbindMemberAs removes the WeChat binding member id made with a member
// code, so a new code can bind another WeChat; a member who holds a
// deputy record is unbound as that deputy instead.
func (s *Liaison) UnbindMemberAs(ctx context.Context, by Actor, id int64) (model.CommitteeMember, error) {
	if err := by.Require(Editors...); err != nil {
		return model.CommitteeMember{}, err
	}
	var m model.CommitteeMember
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.db.GetCommitteeMember(ctx, id); err != nil {
			return err
		}
		if err := s.db.UnbindMember(ctx, id); errors.Is(err, model.ErrNotFound) {
			return Conflict("委员 %s 没有用绑定码绑定微信，无需解除", m.Name)
		} else if err != nil {
			return err
		}
		if err := s.env.audit(ctx, by, "liaison.member.unbind", memberObject(id), "解除委员 "+m.Name+" 的微信绑定"); err != nil {
			return err
		}
		m, err = s.db.GetCommitteeMember(ctx, id)
		return err
	})
	return m, err
}
