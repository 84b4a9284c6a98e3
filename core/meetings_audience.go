package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"deputybot/model"
)

// The audience of an invitation, as the invite page builds it: the choices
// it offers, its count before inviting, and the checks before anyone is
// invited.

// maxPickedDeputies bounds the hand-picked ids of an audience.
const maxPickedDeputies = 5000

// AudienceChoices lists what the invite page's audience builder offers:
// the delegations and the tags.
func (s *Meetings) AudienceChoices(ctx context.Context, by Actor) (delegations, tags []string, err error) {
	return s.audienceChoices(ctx, by)
}

func (s *env) audienceChoices(ctx context.Context, by Actor) (delegations, tags []string, err error) {
	if err := by.Require(Editors...); err != nil {
		return nil, nil, err
	}
	ds, err := s.db.ListDelegations(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		delegations = append(delegations, d.Name)
	}
	tags, err = s.db.ListTags(ctx)
	return delegations, tags, err
}

// AudienceCount is how many deputies an audience reaches.
type AudienceCount struct {
	Total, Reachable, Unreachable int
}

// Text says it in Chinese.
func (c AudienceCount) Text() string {
	return fmt.Sprintf("将发送给 %d 位代表，其中 %d 位未绑定或无法接收", c.Total, c.Unreachable)
}

// ConfirmText asks before sending, with the numbers.
func (c AudienceCount) ConfirmText() string {
	return fmt.Sprintf("将向 %d 位代表发送，其中 %d 位可接收。确定发送吗？", c.Total, c.Reachable)
}

// CountAudience counts the audience of an invitation to the meeting before
// inviting it, after the same checks Invite makes.
func (s *Meetings) CountAudience(ctx context.Context, by Actor, meetingID int64, a model.Audience) (AudienceCount, error) {
	if err := by.Require(Editors...); err != nil {
		return AudienceCount{}, err
	}
	m, err := s.get(ctx, meetingID)
	if err != nil {
		return AudienceCount{}, err
	}
	var errs ValidationError
	if a.MeetingID == m.ID {
		errs = append(errs, &FieldError{Key: "meeting_id", Label: "会议活动", Msg: "不能按本会议活动的受邀代表再次邀请"})
	}
	if errs, err = s.checkInviteAudience(ctx, a, errs); err != nil || len(errs) > 0 {
		return AudienceCount{}, cmpErr(errs, err)
	}
	total, reachable, err := s.db.AudienceCount(ctx, a)
	if err != nil {
		return AudienceCount{}, err
	}
	return AudienceCount{Total: total, Reachable: reachable, Unreachable: total - reachable}, nil
}

// checkInviteAudience adds to errs what is wrong with an audience: it must
// name someone, with known levels, existing deputies and meeting.
func (s *env) checkInviteAudience(ctx context.Context, a model.Audience, errs ValidationError) (ValidationError, error) {
	for _, l := range a.Levels {
		if l != model.LevelProvincial && l != model.LevelNational {
			errs = append(errs, &FieldError{Key: "levels", Label: "层级", Value: l, Msg: "应为 provincial 或 national"})
			break
		}
	}
	if len(a.DeputyIDs) > maxPickedDeputies {
		errs = append(errs, &FieldError{Key: "deputy_ids", Label: "代表编号",
			Msg: fmt.Sprintf("一次最多指定 %d 位代表，更多请按代表团、标签等条件选择", maxPickedDeputies)})
	} else if len(a.DeputyIDs) > 0 {
		exist, err := s.db.ExistingDeputyIDs(ctx, a.DeputyIDs)
		if err != nil {
			return nil, err
		}
		var unknown []string
		for _, id := range a.DeputyIDs {
			if !exist[id] {
				unknown = append(unknown, strconv.FormatInt(id, 10))
			}
		}
		if len(unknown) > 0 {
			if len(unknown) > 10 {
				unknown = append(unknown[:10], "…")
			}
			errs = append(errs, &FieldError{Key: "deputy_ids", Label: "代表编号", Msg: "没有这些编号的代表：" + strings.Join(unknown, "、")})
		}
	}
	if a.MeetingID > 0 {
		if _, err := s.db.GetMeeting(ctx, a.MeetingID); err != nil && !errors.Is(err, model.ErrNotFound) {
			return nil, err
		} else if err != nil {
			errs = append(errs, &FieldError{Key: "meeting_id", Label: "会议活动", Value: strconv.FormatInt(a.MeetingID, 10), Msg: "不存在"})
		}
	}
	empty := len(a.Delegations) == 0 && len(a.Levels) == 0 && !a.GrassrootsOnly && len(a.Groups) == 0 &&
		len(a.Tags) == 0 && len(a.DeputyIDs) == 0 && a.MeetingID == 0 && a.SuggestionID == 0
	if empty && !a.All {
		errs = append(errs, &FieldError{Key: "audience", Label: "发送对象", Msg: "请选择“全体代表”，或至少设定一个条件"})
	}
	return errs, nil
}

// inviteAudienceText says in words whom an audience reaches (the audit
// entry of an invitation).
func inviteAudienceText(a model.Audience) string {
	var parts []string
	if len(a.Delegations) > 0 {
		parts = append(parts, "代表团："+strings.Join(a.Delegations, "、"))
	}
	if len(a.Levels) > 0 {
		ls := make([]string, len(a.Levels))
		for i, l := range a.Levels {
			ls[i] = LevelLabel(l)
		}
		parts = append(parts, "层级："+strings.Join(ls, "、"))
	}
	if a.GrassrootsOnly {
		parts = append(parts, "仅基层代表")
	}
	if len(a.Groups) > 0 {
		parts = append(parts, "专业小组："+strings.Join(a.Groups, "、"))
	}
	if len(a.Tags) > 0 {
		parts = append(parts, "标签："+strings.Join(a.Tags, "、"))
	}
	if len(a.DeputyIDs) > 0 {
		parts = append(parts, fmt.Sprintf("指定代表 %d 位", len(a.DeputyIDs)))
	}
	if a.MeetingID > 0 {
		parts = append(parts, fmt.Sprintf("会议活动 #%d 的受邀代表", a.MeetingID))
	}
	if a.SuggestionID > 0 {
		parts = append(parts, fmt.Sprintf("建议 #%d 的代表", a.SuggestionID))
	}
	if len(parts) == 0 {
		return "全体代表"
	}
	return strings.Join(parts, "；")
}
