package core

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// ListAs returns a page of opinions matching f, newest first, and how many
// match in all, for by, who must see deputy data.
func (s *Opinions) ListAs(ctx context.Context, by Actor, f model.OpinionFilter) ([]model.Opinion, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	return s.db.ListOpinions(ctx, f)
}

// GetAs returns one opinion for by, who must see deputy data.
func (s *Opinions) GetAs(ctx context.Context, by Actor, id int64) (model.Opinion, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.Opinion{}, err
	}
	o, err := s.db.GetOpinion(ctx, id)
	if err != nil {
		return o, err
	}
	o.Files, err = s.db.OpinionFiles(ctx, id)
	return o, err
}

// ReplyAs answers an opinion as by and marks it answered; the author is
// told in the same transaction (a notice through the outbox), and the
// reply is audited. It returns the opinion as it now stands.
func (s *Opinions) ReplyAs(ctx context.Context, by Actor, id int64, reply string) (model.Opinion, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Opinion{}, err
	}
	reply = strings.TrimSpace(reply)
	switch n := utf8.RuneCountInString(reply); {
	case n == 0:
		return model.Opinion{}, ValidationError{{Key: "reply", Label: "答复内容", Msg: "不能为空"}}
	case n > MaxOpinionRunes:
		return model.Opinion{}, ValidationError{{Key: "reply", Label: "答复内容", Msg: fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", MaxOpinionRunes, n)}}
	}
	var out model.Opinion
	err := s.tx(ctx, func(ctx context.Context) error {
		o, err := s.db.GetOpinion(ctx, id)
		if err != nil {
			return err
		}
		push := model.Push{DeputyIDs: []int64{o.DeputyID}, Notice: model.Notice{
			Kind: model.KindGeneral, Title: "意见建议已答复 " + o.Receipt, Body: reply,
			// note carries the start of the reply into a template message.
			Fields: map[string]string{"number": o.Receipt, "status": model.OpinionStatusLabel(model.OpinionAnswered), "time": s.now().In(s.loc).Format("2006-01-02"),
				"note": reply},
			RefKind: "opinion", RefID: o.ID}}
		if err := s.db.ReplyOpinion(ctx, o.ID, reply, push); err != nil {
			return err
		}
		if err := s.audit(ctx, by, "opinion.reply", o.Object(), fmt.Sprintf("答复 %s 的意见 %s", o.DeputyName, o.Receipt)); err != nil {
			return err
		}
		out, err = s.db.GetOpinion(ctx, o.ID)
		return err
	})
	return out, err
}

// CloseAs marks an opinion concluded (已办结) as by, audited.
func (s *Opinions) CloseAs(ctx context.Context, by Actor, id int64) (model.Opinion, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Opinion{}, err
	}
	var out model.Opinion
	err := s.tx(ctx, func(ctx context.Context) error {
		o, err := s.db.GetOpinion(ctx, id)
		if err != nil {
			return err
		}
		if err := s.db.CloseOpinion(ctx, o.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, by, "opinion.close", o.Object(), fmt.Sprintf("意见 %s 标记为已办结", o.Receipt)); err != nil {
			return err
		}
		out, err = s.db.GetOpinion(ctx, o.ID)
		return err
	})
	return out, err
}

// AdoptAs marks an opinion on a draft regulation adopted (采纳) as by and
// tells its author, in one transaction with its audit entry. Marking it
// again changes nothing and audits nothing: adopted reports whether this
// call adopted it. It returns the adoption as it stands.
func (s *Opinions) AdoptAs(ctx context.Context, by Actor, id int64, note string) (a model.Adoption, adopted bool, err error) {
	if err := by.Require(Editors...); err != nil {
		return a, false, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		o, err := s.db.GetOpinion(ctx, id)
		if err != nil {
			return err
		}
		if adopted, err = s.adopt(ctx, o.ID, by.handle(), note); err != nil {
			return err
		}
		if adopted {
			if err := s.audit(ctx, by, "opinion.adopt", o.Object(), fmt.Sprintf("意见 %s 标记为已采纳", o.Receipt)); err != nil {
				return err
			}
		}
		a, err = s.db.GetOpinionAdoption(ctx, o.ID)
		return err
	})
	return a, adopted, err
}

// OpinionChannelLabel names the way an opinion came in.
func OpinionChannelLabel(channel string) string {
	switch channel {
	case model.OpinionViaWeChat:
		return "微信"
	case model.OpinionViaConsole:
		return "管理后台"
	case model.OpinionViaAPI:
		return "API"
	}
	return channel
}

// AssignmentsAs returns who looks after each listed opinion that is
// assigned, by opinion id.
func (s *Opinions) AssignmentsAs(ctx context.Context, by Actor, ids ...int64) (map[int64]model.OpinionAssignment, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.OpinionAssignments(ctx, ids)
}

// ExportAs writes every opinion matching f (paging ignored) to a
// workbook, newest first, for by's download; the export is audited
// before the file is handed out.
func (s *Opinions) ExportAs(ctx context.Context, by Actor, f model.OpinionFilter) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	f.Limit, f.Offset = 0, 0
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		list, _, err := s.db.ListOpinions(ctx, f)
		if err != nil {
			return err
		}
		const sheet = "代表意见"
		sh, err := newSheetWriter(sheet, []sheetColumn{{"回执号", 16}, {"代表", 12}, {"类别", 14}, {"法规草案", 24},
			{"条款", 10}, {"意见内容", 60}, {"状态", 10}, {"渠道", 10}, {"收到时间", 18}, {"答复", 60}, {"答复时间", 18}})
		if err != nil {
			return err
		}
		at := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(s.loc).Format("2006-01-02 15:04")
		}
		for _, o := range list {
			if err := sh.add(excelize.RowOpts{}, o.Receipt, o.DeputyName, OpinionCategoryLabel(o.Category), o.SolicitationTitle,
				o.Article, o.Body, OpinionStatusLabel(o.Status), OpinionChannelLabel(o.Channel), at(&o.CreatedAt),
				o.StaffReply, at(o.RepliedAt)); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", sheet, s.now().In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "opinion.export", "opinions", fmt.Sprintf("导出代表意见 %d 条", len(list)))
	})
	if err != nil {
		return ExportFile{}, err
	}
	return out, nil
}
