package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// SeriesAudienceText says whom a series is sent to.
func SeriesAudienceText(a model.Audience) string {
	if len(a.Delegations) > 0 {
		return "代表团：" + strings.Join(a.Delegations, "、")
	}
	return "全体代表"
}

// KindLabel names a notice kind in Chinese (the kind itself when unknown).
func KindLabel(kind string) string {
	if l, ok := model.KindLabels[kind]; ok {
		return l
	}
	return kind
}

// ListAs returns every series, active or not.
func (ns *NoticeSeries) ListAs(ctx context.Context, by Actor) ([]model.Series, error) {
	if err := by.Require(Editors...); err != nil {
		return nil, err
	}
	return ns.db.ListSeries(ctx, false)
}

// CreateAs checks a series (keys name, kind, title, schedule) and stores
// it, active, as by; audited in the same transaction. It returns the
// series as stored.
func (ns *NoticeSeries) CreateAs(ctx context.Context, by Actor, x *model.Series) error {
	if err := by.Require(Editors...); err != nil {
		return err
	}
	return ns.tx(ctx, func(ctx context.Context) error {
		if err := ns.Create(ctx, x); err != nil {
			return err
		}
		stored, err := ns.db.GetSeries(ctx, x.ID)
		if err != nil {
			return err
		}
		*x = stored
		return ns.audit(ctx, by, "series.create", fmt.Sprintf("series/%d", x.ID), fmt.Sprintf("新建定期通知系列 %s（%s）", x.Name, x.Schedule))
	})
}

// SetActiveAs starts or stops a series as by, audited; it returns the
// series as it now stands.
func (ns *NoticeSeries) SetActiveAs(ctx context.Context, by Actor, id int64, active bool) (model.Series, error) {
	var out model.Series
	if err := by.Require(Editors...); err != nil {
		return out, err
	}
	err := ns.tx(ctx, func(ctx context.Context) error {
		x, err := ns.db.GetSeries(ctx, id)
		if err != nil {
			return err
		}
		if err := ns.db.SetSeriesActive(ctx, id, active); err != nil {
			return err
		}
		action, verb := "series.deactivate", "停用"
		if active {
			action, verb = "series.activate", "启用"
		}
		if err := ns.audit(ctx, by, action, fmt.Sprintf("series/%d", id), verb+"定期通知系列 "+x.Name); err != nil {
			return err
		}
		out, err = ns.db.GetSeries(ctx, id)
		return err
	})
	return out, err
}

// ExportAs writes every series to a workbook for by, audited before the
// file is handed out.
func (ns *NoticeSeries) ExportAs(ctx context.Context, by Actor) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := ns.tx(ctx, func(ctx context.Context) error {
		list, err := ns.db.ListSeries(ctx, false)
		if err != nil {
			return err
		}
		const name = "定期通知系列"
		sh, err := newSheetWriter(name, []sheetColumn{{"编号", 8}, {"名称", 20}, {"类别", 14}, {"标题", 30},
			{"发送对象", 20}, {"周期（cron）", 14}, {"内容", 40}, {"状态", 8}, {"创建时间", 18}, {"上次发送", 18}})
		if err != nil {
			return err
		}
		for _, x := range list {
			title := x.Title
			if x.NextMaterial {
				title = "（下一份未推送的学习材料）"
			}
			state := "停用"
			if x.Active {
				state = "启用"
			}
			last := ""
			if x.LastRunAt != nil {
				last = x.LastRunAt.In(ns.loc).Format("2006-01-02 15:04")
			}
			if err := sh.add(excelize.RowOpts{}, strconv.FormatInt(x.ID, 10), x.Name, KindLabel(x.Kind), title,
				SeriesAudienceText(x.Audience), x.Schedule, x.Body, state, x.CreatedAt.In(ns.loc).Format("2006-01-02 15:04"), last); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", name, ns.now().In(ns.loc).Format("20060102-1504"))
		return ns.audit(ctx, by, "series.export", "series", fmt.Sprintf("导出%s %d 条", name, len(list)))
	})
	return out, err
}
