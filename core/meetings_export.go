package core

import (
	"bytes"
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

// meetingSheet writes one sheet row by row: a bold header, then the rows.
type meetingSheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

type meetingSheetColumn struct {
	name  string
	width float64 // 0: the default
}

func newMeetingSheet(name string, cols []meetingSheetColumn) (*meetingSheet, error) {
	f := excelize.NewFile()
	sh := &meetingSheet{f: f, row: 1}
	if err := sh.start(name, cols); err != nil {
		_ = f.Close()
		return nil, err
	}
	return sh, nil
}

func (sh *meetingSheet) start(name string, cols []meetingSheetColumn) error {
	if err := sh.f.SetSheetName(sh.f.GetSheetName(0), name); err != nil {
		return err
	}
	return sh.header(name, cols)
}

// nextSheet finishes the sheet being written and starts another.
func (sh *meetingSheet) nextSheet(name string, cols []meetingSheetColumn) error {
	if err := sh.sw.Flush(); err != nil {
		return err
	}
	if _, err := sh.f.NewSheet(name); err != nil {
		return err
	}
	sh.row = 1
	return sh.header(name, cols)
}

// header opens the named sheet for streaming and writes its header row.
func (sh *meetingSheet) header(name string, cols []meetingSheetColumn) error {
	bold, err := sh.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	if sh.sw, err = sh.f.NewStreamWriter(name); err != nil {
		return err
	}
	if err := sh.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		if c.width > 0 {
			if err := sh.sw.SetColWidth(i+1, i+1, c.width); err != nil {
				return err
			}
		}
		header[i] = excelize.Cell{StyleID: bold, Value: c.name}
	}
	return sh.sw.SetRow("A1", header)
}

// add writes the next row; text stays text (a number like 0123 as typed).
func (sh *meetingSheet) add(opts excelize.RowOpts, vals ...string) error {
	sh.row++
	cell, err := excelize.CoordinatesToCellName(1, sh.row)
	if err != nil {
		return err
	}
	row := make([]any, len(vals))
	for i, v := range vals {
		row[i] = excelize.Cell{Value: v}
	}
	return sh.sw.SetRow(cell, row, opts)
}

// bytes finishes the workbook.
func (sh *meetingSheet) bytes() ([]byte, error) {
	defer sh.f.Close()
	if err := sh.sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := sh.f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
		sh, err := newMeetingSheet("签到表", []meetingSheetColumn{{"姓名", 14}, {"代表团", 22}, {"回执", 24}, {"签到", 24}})
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
		var cols []meetingSheetColumn
		for _, c := range []string{"编号", "类别", "名称", "开始时间", "结束时间", "地点", "回复截止", "已邀请", "参加", "请假", "待回复", "已签到"} {
			cols = append(cols, meetingSheetColumn{name: c})
		}
		const sheet = "会议活动"
		sh, err := newMeetingSheet(sheet, cols)
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
