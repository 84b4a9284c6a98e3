package core

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// ExportFile is a workbook an export action produced, for a surface to
// send as a download.
type ExportFile struct {
	Name string // the file name offered, e.g. 签到表-年末集中视察-20260310.xlsx
	Data []byte
}

// SignInSheet exports the meeting's sign-in sheet: every invitee by
// delegation and name, their answer (with the reason of a leave) and an
// empty column to sign in. The export is audited before the file is
// handed out.
func (s *Meetings) SignInSheet(ctx context.Context, by Actor, meetingID int64) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, meetingID)
		if err != nil {
			return err
		}
		sh, err := newSheetWriter("签到表", []sheetColumn{{"姓名", 14}, {"代表团", 22}, {"回执", 24}, {"签到", 24}})
		if err != nil {
			return err
		}
		rows := 0
		for {
			invs, _, err := s.db.ListInvitations(ctx, model.InvitationFilter{MeetingID: m.ID, Limit: inviteBatch, Offset: rows})
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			for _, inv := range invs {
				answer := inv.StatusLabel()
				if inv.Reason != "" {
					answer += "（" + inv.Reason + "）"
				}
				// Tall rows leave room for a handwritten signature.
				if err := sh.add(excelize.RowOpts{Height: 28}, inv.DeputyName, inv.Delegation, answer, ""); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
			rows += len(invs)
			if len(invs) < inviteBatch {
				break
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("签到表-%s-%s.xlsx", m.Title, m.StartsAt.In(s.loc).Format("20060102"))
		return s.audit(ctx, by, "meeting.export", m.Object(), fmt.Sprintf("导出“%s”签到表 %d 人", m.Title, rows))
	})
	if err != nil {
		return ExportFile{}, err
	}
	return out, nil
}

// ExportList exports the list of meetings matching f (its Kind; paging is
// ignored): each with its counts, latest start first.
func (s *Meetings) ExportList(ctx context.Context, by Actor, f model.MeetingFilter) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		var cols []sheetColumn
		for _, c := range []string{"编号", "类别", "名称", "开始时间", "结束时间", "地点", "回复截止", "已邀请", "参加", "请假", "待回复", "已签到"} {
			cols = append(cols, sheetColumn{name: c})
		}
		const sheet = "会议活动"
		sh, err := newSheetWriter(sheet, cols)
		if err != nil {
			return err
		}
		at := func(t time.Time) string { return t.In(s.loc).Format("2006-01-02 15:04") }
		n, itoa := 0, strconv.Itoa
		for offset := 0; ; offset += inviteBatch {
			ms, _, err := s.db.ListMeetings(ctx, model.MeetingFilter{Kind: f.Kind, Limit: inviteBatch, Offset: offset})
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			for _, m := range ms {
				end := ""
				if m.EndsAt.Valid {
					end = at(m.EndsAt.Time)
				}
				if err := sh.add(excelize.RowOpts{}, strconv.FormatInt(m.ID, 10), m.KindLabel(), m.Title, at(m.StartsAt), end, m.Place,
					at(m.RSVPDeadline), itoa(m.Invited), itoa(m.Counts[model.RSVPAttend]), itoa(m.Counts[model.RSVPLeave]),
					itoa(m.Counts[model.RSVPPending]), itoa(m.Attended)); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
			n += len(ms)
			if len(ms) < inviteBatch {
				break
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", sheet, s.now().In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "meeting.export", "meetings", fmt.Sprintf("导出%s %d 条", sheet, n))
	})
	if err != nil {
		return ExportFile{}, err
	}
	return out, nil
}
