package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// StepRecorders may record handling steps and ask for extensions: staff,
// and a handling unit on its own suggestions. They may export them too.
var StepRecorders = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit}

// suggestionKeys are the field keys of a suggestion's and a step's
// Chinese labels: the console's form fields and the API's properties.
var suggestionKeys = map[string]string{"建议编号": "number", "标题": "title", "内容摘要": "summary",
	"届次": "session", "主办单位": "host_unit", "协办单位": "co_units", "领衔代表": "lead_deputy_id",
	"附议代表": "seconder_ids", "办理期限": "deadline",
	"办理步骤": "kind", "记录人": "actor", "内容": "note", "答复类别": "reply_category", "答复内容": "note",
	"重新办理理由": "note", "备注": "note",
	"延期至": "new_deadline", "延期理由": "reason", "建议": "suggestion", "延期申请": "extension", "审批意见": "note",
	"承诺期限": "promise_date", "审批结果": "decision"}

// UnitScope is the host unit by is limited to: a unit account sees its own
// unit's suggestions only (limited, unit "" when its account names none,
// and it then sees nothing); everyone else every unit.
func UnitScope(by Actor) (unit string, limited bool) {
	if by.Role() == model.RoleUnit {
		return by.Account.Unit, true
	}
	return "", false
}

// sees reports whether by may see sg.
func sees(by Actor, sg model.Suggestion) bool {
	unit, limited := UnitScope(by)
	return !limited || (unit != "" && sg.HostUnit == unit)
}

// DefaultActor is who a step is recorded by unless staff say otherwise:
// a unit account's unit, else the account's name.
func DefaultActor(by Actor) string {
	if by.Role() == model.RoleUnit && by.Account.Unit != "" {
		return by.Account.Unit
	}
	return by.Account.DisplayName()
}

// ListAs returns a page of the suggestions by may see matching q, and how
// many match in all; a unit account's own unit replaces the unit asked for.
func (s *Suggestions) ListAs(ctx context.Context, by Actor, q model.SuggestionFilter) ([]model.SuggestionListItem, int, error) {
	if err := by.Require(Everyone...); err != nil {
		return nil, 0, err
	}
	if unit, limited := UnitScope(by); limited {
		if unit == "" {
			return nil, 0, nil
		}
		q.HostUnit = unit
	}
	return s.db.ListSuggestionItems(ctx, q)
}

// Choices lists the host units and sessions the suggestion filters offer.
func (s *Suggestions) Choices(ctx context.Context, by Actor) (units, sessions []string, err error) {
	if err := by.Require(Everyone...); err != nil {
		return nil, nil, err
	}
	if _, limited := UnitScope(by); !limited {
		if units, err = s.db.SuggestionUnits(ctx); err != nil {
			return nil, nil, err
		}
	}
	sessions, err = s.db.SuggestionSessions(ctx)
	return units, sessions, err
}

// GetAs returns a suggestion with its deputies; another unit's suggestion
// is not found, so its existence is not revealed.
func (s *Suggestions) GetAs(ctx context.Context, by Actor, id int64) (model.Suggestion, error) {
	if err := by.Require(Everyone...); err != nil {
		return model.Suggestion{}, err
	}
	sg, err := s.db.GetSuggestion(ctx, id)
	if err != nil {
		return sg, err
	}
	if !sees(by, sg) || sg.Status == model.SuggestionDraft {
		// Another unit's suggestion, or a deputy's draft, is not revealed.
		return model.Suggestion{}, fmt.Errorf("core: suggestion %d of another unit: %w", id, model.ErrNotFound)
	}
	return sg, nil
}

// SuggestionRecord is a suggestion with its handling history and ratings.
type SuggestionRecord struct {
	Suggestion model.Suggestion
	Steps      []model.SuggestionStep
	Ratings    []model.SuggestionRating
}

// RecordAs returns a suggestion by may see with its steps and ratings.
func (s *Suggestions) RecordAs(ctx context.Context, by Actor, id int64) (SuggestionRecord, error) {
	var out SuggestionRecord
	var err error
	if out.Suggestion, err = s.GetAs(ctx, by, id); err != nil {
		return out, err
	}
	if out.Steps, err = s.db.SuggestionSteps(ctx, id); err != nil {
		return out, err
	}
	out.Ratings, err = s.Ratings(ctx, id)
	return out, err
}

// CreateAs stores a suggestion assigned to its host unit with its lead
// deputy and seconders (by id), as by; validated with keys number, title,
// summary, session, host_unit, co_units, lead_deputy_id, seconder_ids
// (deadline is the surfaces' to read), stored and audited in one
// transaction.
func (s *Suggestions) CreateAs(ctx context.Context, by Actor, sg *model.Suggestion, seconders []int64) error {
	if err := by.Require(Editors...); err != nil {
		return err
	}
	return s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.Create(ctx, sg, seconders); err != nil {
			return keyed(err, suggestionKeys)
		}
		full, err := s.db.GetSuggestion(ctx, sg.ID)
		if err != nil {
			return err
		}
		*sg = full
		return s.env.audit(ctx, by, "suggestion.create", fmt.Sprintf("suggestion/%d", sg.ID),
			fmt.Sprintf("新增建议 %s《%s》，主办单位 %s", sg.Number, sg.Title, sg.HostUnit))
	})
}

// CreateByNamesAs is CreateAs with the deputies by name, as staff type
// them (领衔 one name; 附议 names separated by 、 or commas); pre holds the
// problems the surface found reading the rest (a malformed deadline), so
// every problem is shown at once.
func (s *Suggestions) CreateByNamesAs(ctx context.Context, by Actor, sg *model.Suggestion, lead, seconders string, pre ValidationError) error {
	if err := by.Require(Editors...); err != nil {
		return err
	}
	errs := pre
	if lead = strings.TrimSpace(lead); lead != "" {
		ids, bad, err := s.ResolveDeputies(ctx, "领衔代表", []string{lead})
		if err != nil {
			return err
		}
		errs = append(errs, bad...)
		if len(ids) == 1 {
			sg.LeadDeputyID = ids[0]
		}
	} else {
		errs = append(errs, &FieldError{Label: "领衔代表", Msg: "不能为空"})
	}
	ids, bad, err := s.ResolveDeputies(ctx, "附议代表", SplitDeputyNames(seconders))
	if err != nil {
		return err
	}
	if errs = append(errs, bad...); len(errs) > 0 {
		return keyed(append(CheckSuggestion(*sg), errs...), suggestionKeys)
	}
	return s.CreateAs(ctx, by, sg, ids)
}

// RecordStepAs records a handling step on a suggestion by may see (see
// RecordStep). Recorded, pushed to the
// deputies and audited in one transaction; it returns the suggestion as
// it now stands.
func (s *Suggestions) RecordStepAs(ctx context.Context, by Actor, id int64, st *model.SuggestionStep) (model.Suggestion, error) {
	if err := by.Require(StepRecorders...); err != nil {
		return model.Suggestion{}, err
	}
	sg, err := s.GetAs(ctx, by, id)
	if err != nil {
		return sg, err
	}
	st.SuggestionID, st.Kind = sg.ID, strings.TrimSpace(st.Kind)
	var out model.Suggestion
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.RecordStep(ctx, st); err != nil {
			return keyed(err, suggestionKeys)
		}
		msg := fmt.Sprintf("%s 记录“%s”（%s）", sg.Number, StepKindLabel(st.Kind), st.Actor)
		if st.ReplyCategory != "" {
			msg += "，答复类别 " + st.ReplyCategory
		}
		if err := s.env.audit(ctx, by, "suggestion.step", fmt.Sprintf("suggestion/%d", sg.ID), msg); err != nil {
			return err
		}
		out, err = s.db.GetSuggestion(ctx, sg.ID)
		return err
	})
	return out, err
}

// ImportAs imports suggestions from an .xlsx or .csv sheet as by (see
// ImportSuggestions), audited with its counts in the same transaction.
func (s *Suggestions) ImportAs(ctx context.Context, by Actor, rd io.Reader, filename string) (SuggestionImportReport, error) {
	if err := by.Require(Editors...); err != nil {
		return SuggestionImportReport{}, err
	}
	var rep SuggestionImportReport
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if rep, err = s.ImportSuggestions(ctx, rd, filename); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "suggestion.import", "suggestions", fmt.Sprintf("导入 %s：共 %d 行，新增建议 %d 件", filename, rep.Rows, rep.Created))
	})
	return rep, err
}

// ExportAs writes the suggestions by may see matching q (paging ignored)
// to a workbook, audited before the file is handed out.
func (s *Suggestions) ExportAs(ctx context.Context, by Actor, q model.SuggestionFilter) (ExportFile, error) {
	if err := by.Require(StepRecorders...); err != nil {
		return ExportFile{}, err
	}
	q.Limit, q.Offset = 0, 0
	var out ExportFile
	err := s.env.tx(ctx, func(ctx context.Context) error {
		items, _, err := s.ListAs(ctx, by, q)
		if err != nil {
			return err
		}
		const name = "代表建议"
		sh, err := newSheetWriter(name, []sheetColumn{{"建议编号", 12}, {"标题", 30}, {"届次", 16}, {"领衔代表", 10},
			{"主办单位", 18}, {"协办单位", 18}, {"办理期限", 12}, {"状态", 10}, {"答复类别", 12}, {"答复时间", 18},
			{"办结时间", 18}, {"重新办理理由", 24}, {"内容摘要", 40}})
		if err != nil {
			return err
		}
		at := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(s.env.loc).Format("2006-01-02 15:04")
		}
		dayOf := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.Format(time.DateOnly)
		}
		for _, it := range items {
			if err := sh.add(excelize.RowOpts{}, it.Number, it.Title, it.Session, it.LeadName, it.HostUnit, it.CoUnits,
				dayOf(it.Deadline), SuggestionStatusLabel(it.Status), ReplyCategoryLabel(it.ReplyCategory),
				at(it.RepliedAt), at(it.ConcludedAt), it.RehandleReason, it.Summary); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", name, s.Now().In(s.env.loc).Format("20060102-1504"))
		return s.env.audit(ctx, by, "suggestion.export", "suggestions", fmt.Sprintf("导出代表建议 %d 件", len(items)))
	})
	return out, err
}

// RatesAs returns 答复率, 办结率 and 满意率 overall and per host unit for
// session ("" for all), over the suggestions by may see.
func (s *Suggestions) RatesAs(ctx context.Context, by Actor, session string) (overall Rates, byUnit []Rates, err error) {
	if err := by.Require(Everyone...); err != nil {
		return Rates{}, nil, err
	}
	f := model.SuggestionRatesFilter{Session: session}
	if unit, limited := UnitScope(by); limited {
		if unit == "" {
			return Rates{}, nil, nil
		}
		f.HostUnit = unit
	}
	return s.Rates(ctx, f)
}

// supervisionUnit is the unit filter of by for 督办: "" for every unit; a
// unit account without a unit sees nothing.
func supervisionUnit(by Actor) string {
	unit, limited := UnitScope(by)
	if limited && unit == "" {
		return "\x00"
	}
	return unit
}

// SupervisionReport is 督办 as staff read it: deadlines and 回头看, the
// four rates overall, per unit and per session, and the last weekly
// digest (for staff who see every unit).
type SupervisionReport struct {
	Overview  Overview
	Overall   SupervisionRates
	Units     []SupervisionRates
	BySession []SessionRates
	Digest    *model.JobRun
	// Unreached are the suggestions whose units have no bound WeChat to be
	// told of them: staff tell those units another way.
	Unreached []UnitUnreached
}

// OverviewAs returns 督办 for session ("" for all) over the suggestions by
// may see.
func (s *Supervision) OverviewAs(ctx context.Context, by Actor, session string) (SupervisionReport, error) {
	var out SupervisionReport
	if err := by.Require(Everyone...); err != nil {
		return out, err
	}
	unit := supervisionUnit(by)
	var err error
	if out.Overview, err = s.Overview(ctx, model.SupervisionFilter{Session: session, HostUnit: unit}); err != nil {
		return out, err
	}
	if out.Overall, out.Units, err = s.Rates(ctx, model.SuggestionRatesFilter{Session: session, HostUnit: unit}); err != nil {
		return out, err
	}
	if out.BySession, err = s.RatesBySession(ctx, unit); err != nil {
		return out, err
	}
	if out.Unreached, err = s.unreached(ctx, model.SupervisionFilter{Session: session, HostUnit: unit}); err != nil {
		return out, err
	}
	if _, limited := UnitScope(by); !limited {
		run, err := s.db.LastJobRun(ctx, SupervisionDigestJob)
		if err == nil {
			out.Digest = &run
		} else if !errors.Is(err, model.ErrNotFound) {
			return out, err
		}
	}
	return out, nil
}

// RequestExtensionAs asks for a later deadline as by: a unit for its own
// suggestions (another unit's is not found), staff on a unit's behalf;
// stored and audited in one transaction.
func (s *Supervision) RequestExtensionAs(ctx context.Context, by Actor, suggestionID int64, newDeadline time.Time, reason string) (model.Extension, error) {
	if err := by.Require(StepRecorders...); err != nil {
		return model.Extension{}, err
	}
	sg, err := s.db.GetSuggestion(ctx, suggestionID)
	if err == nil && !sees(by, sg) {
		err = fmt.Errorf("core: suggestion %d of another unit: %w", suggestionID, model.ErrNotFound)
	}
	if err != nil {
		return model.Extension{}, err
	}
	unit, _ := UnitScope(by)
	var e model.Extension
	err = s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		e, err = s.requestExtension(ctx, ExtensionRequest{SuggestionID: sg.ID, NewDeadline: newDeadline, Reason: reason,
			By: by.Account.DisplayName(), Unit: unit})
		if err != nil {
			return keyed(err, suggestionKeys)
		}
		return s.env.audit(ctx, by, "supervision.extension.request", fmt.Sprintf("suggestion/%d", sg.ID),
			fmt.Sprintf("%s 申请延期至 %s", sg.Number, e.NewDeadline.Format(time.DateOnly)))
	})
	return e, err
}

// DecideExtensionAs approves or rejects a pending extension request as
// by, audited.
func (s *Supervision) DecideExtensionAs(ctx context.Context, by Actor, id int64, decision, note string) (model.Extension, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Extension{}, err
	}
	if decision != "approve" && decision != "reject" {
		if _, err := s.db.GetExtension(ctx, id); err != nil {
			return model.Extension{}, err
		}
		return model.Extension{}, &FieldError{Key: "decision", Label: "审批结果", Value: decision, Msg: "应为 approve（批准）或 reject（不批准）"}
	}
	var e model.Extension
	err := s.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.decideExtension(ctx, id, decision == "approve", by.Account.DisplayName(), note); err != nil {
			return keyed(err, suggestionKeys)
		}
		word := "未批准"
		if decision == "approve" {
			word = "已批准"
		}
		return s.env.audit(ctx, by, "supervision.extension.decide", fmt.Sprintf("suggestion/%d", e.SuggestionID),
			fmt.Sprintf("%s 延期至 %s：%s", e.Number, e.NewDeadline.Format(time.DateOnly), word))
	})
	return e, err
}

// SetPromiseAs records the promise date of a B/C reply as by (see
// setPromise), audited; it returns the suggestion as 督办 sees it.
func (s *Supervision) SetPromiseAs(ctx context.Context, by Actor, suggestionID int64, date time.Time) (Supervised, error) {
	if err := by.Require(Editors...); err != nil {
		return Supervised{}, err
	}
	sg, err := s.db.GetSuggestion(ctx, suggestionID)
	if err != nil {
		return Supervised{}, err
	}
	var out Supervised
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.setPromise(ctx, sg.ID, date, by.Account.DisplayName()); err != nil {
			return keyed(err, suggestionKeys)
		}
		if err := s.env.audit(ctx, by, "supervision.promise", fmt.Sprintf("suggestion/%d", sg.ID),
			fmt.Sprintf("%s 承诺期限 %s", sg.Number, date.Format(time.DateOnly))); err != nil {
			return err
		}
		out, err = s.Get(ctx, sg.ID)
		return err
	})
	return out, err
}

// ErrorRows counts the distinct rows among row errors.
func ErrorRows(errs []RowError) int {
	seen := map[int]bool{}
	for _, e := range errs {
		seen[e.Row] = true
	}
	return len(seen)
}

// ImportProblem is the Chinese part of an import error, without the
// technical detail in parentheses.
func ImportProblem(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	return msg
}
