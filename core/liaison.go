package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// The number of deputies a committee member should be linked to.
const (
	MinMemberDeputies = 5
	MaxMemberDeputies = 7
)

// ContactKinds are the ways a member keeps in touch with a deputy.
var ContactKinds = []string{"见面走访", "电话", "视频", "信函"}

// liaisonZone is the committee's zone: "this year" starts on 1 January there.
var liaisonZone = time.FixedZone("CST", 8*60*60)

// Liaison runs 双联系: committee members linked to deputies, the contacts
// they log, and each member's digest.
type Liaison struct {
	db  *storage.DB
	now func() time.Time
	env *env // the transaction and audit of the actions members take themselves
}

// NewLiaison returns the 双联系 service over db.
func NewLiaison(db *storage.DB) *Liaison { return &Liaison{db: db, now: time.Now, env: newEnv(db)} }

// SetClock replaces the clock (tests inject one).
func (s *Liaison) SetClock(now func() time.Time) { s.now = now }

// createMember validates and stores a committee member; CreateMemberAs is
// the action that calls it, with the actor and the audit entry.
func (s *Liaison) createMember(ctx context.Context, m *model.CommitteeMember) error {
	var errs ValidationError
	m.Name, m.Phone, m.Title = strings.TrimSpace(m.Name), strings.TrimSpace(m.Phone), strings.TrimSpace(m.Title)
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0:
		errs = append(errs, &FieldError{Key: "name", Label: "姓名", Msg: "不能为空"})
	case n > 100:
		errs = append(errs, &FieldError{Key: "name", Label: "姓名", Msg: "过长（最多 100 字）"})
	}
	if utf8.RuneCountInString(m.Title) > 200 {
		errs = append(errs, &FieldError{Key: "title", Label: "职务", Msg: "过长（最多 200 字）"})
	}
	if utf8.RuneCountInString(m.Phone) > 32 {
		errs = append(errs, &FieldError{Key: "phone", Label: "电话", Value: m.Phone, Msg: "过长"})
	}
	if len(errs) > 0 {
		return errs
	}
	return s.db.CreateCommitteeMember(ctx, m)
}

// LinkWarning says why n linked deputies is outside the 5–7 the plan
// asks for, or "" when it is within.
func LinkWarning(n int) string {
	if n >= MinMemberDeputies && n <= MaxMemberDeputies {
		return ""
	}
	return fmt.Sprintf("联系代表 %d 名，不在规定的 %d–%d 名之间", n, MinMemberDeputies, MaxMemberDeputies)
}

// link replaces the deputies linked to a member. A number outside 5–7 is
// allowed but flagged: the warning is returned ("" when within). LinkAs is
// the action that calls it, with the actor and the audit entry.
func (s *Liaison) link(ctx context.Context, memberID int64, deputyIDs []int64) (string, error) {
	ids := slices.Clone(deputyIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ids = slices.DeleteFunc(ids, func(id int64) bool { return id <= 0 })
	if err := s.db.SetMemberLinks(ctx, memberID, ids); err != nil {
		return "", err
	}
	return LinkWarning(len(ids)), nil
}

// Deputies returns the ids of the deputies linked to a member.
func (s *Liaison) Deputies(ctx context.Context, memberID int64) ([]int64, error) {
	return s.db.MemberDeputyIDs(ctx, memberID)
}

// logContact validates and stores a contact: the deputy must be linked to
// the member, the kind one of ContactKinds, the date not in the future.
func (s *Liaison) logContact(ctx context.Context, c *model.MemberContact) error {
	var errs ValidationError
	c.Kind, c.Note = strings.TrimSpace(c.Kind), strings.TrimSpace(c.Note)
	if !slices.Contains(ContactKinds, c.Kind) {
		errs = append(errs, &FieldError{Key: "kind", Label: "方式", Value: c.Kind, Msg: "应为 见面走访、电话、视频 或 信函"})
	}
	today := s.now().In(liaisonZone)
	switch {
	case c.OnDate.IsZero():
		errs = append(errs, &FieldError{Key: "on_date", Label: "日期", Msg: "不能为空"})
	case c.OnDate.After(time.Date(today.Year(), today.Month(), today.Day(), 23, 59, 59, 0, time.UTC)):
		errs = append(errs, &FieldError{Key: "on_date", Label: "日期", Value: c.OnDate.Format("2006-01-02"), Msg: "不能晚于今天"})
	}
	if utf8.RuneCountInString(c.Note) > 500 {
		errs = append(errs, &FieldError{Key: "note", Label: "备注", Msg: "过长（最多 500 字）"})
	}
	ids, err := s.db.MemberDeputyIDs(ctx, c.MemberID)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, c.DeputyID) {
		errs = append(errs, &FieldError{Key: "deputy_id", Label: "代表", Value: fmt.Sprint(c.DeputyID), Msg: "不是该委员联系的代表"})
	}
	if len(errs) > 0 {
		return errs
	}
	return s.db.AddMemberContact(ctx, c)
}

// Digest is a member's weekly digest.
type Digest struct {
	Member      model.CommitteeMember
	Since       time.Time // "new" counts from here (7 days ago)
	Rows        []model.DigestRow
	Warning     string   // the 5–7 warning, "" when within
	NotThisYear []string // deputies not contacted this year, by name
	// Totals over Rows.
	OpenRSVPs, UnratedReplies, NewOpinions, NewSuggestions int
}

// Digest computes a member's digest now: their deputies' open RSVPs,
// unrated replies, opinions and suggestions of the last 7 days, and who
// they have not contacted this (China) year.
func (s *Liaison) Digest(ctx context.Context, memberID int64) (Digest, error) {
	m, err := s.db.GetCommitteeMember(ctx, memberID)
	if err != nil {
		return Digest{}, err
	}
	now := s.now()
	local := now.In(liaisonZone)
	yearStart := time.Date(local.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	since := now.AddDate(0, 0, -7)
	rows, err := s.db.MemberDigest(ctx, memberID, now, since, yearStart)
	if err != nil {
		return Digest{}, err
	}
	d := Digest{Member: m, Since: since, Rows: rows, Warning: LinkWarning(len(rows))}
	for _, r := range rows {
		d.OpenRSVPs += r.OpenRSVPs
		d.UnratedReplies += r.UnratedReplies
		d.NewOpinions += r.NewOpinions
		d.NewSuggestions += r.NewSuggestions
		if r.ContactsYear == 0 {
			d.NotThisYear = append(d.NotThisYear, r.Name)
		}
	}
	return d, nil
}
