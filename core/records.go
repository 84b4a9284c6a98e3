package core

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// Records builds deputies' performance records (履职档案) from what they
// did in deputybot plus the activities they reported and staff approved,
// scored by the points rules.
type Records struct{ *env }

// NewRecords returns the records service over db, on its own clock.
func NewRecords(db *storage.DB) *Records { return &Records{newEnv(db)} }

// recordRulesKey is the kv key the configured rules are kept under, as
// JSON; types it does not name keep their default.
const recordRulesKey = "record_rules"

func (s *Records) today() time.Time { return s.now().In(s.loc) }

// ThisYear returns the current year in the committee's zone.
func (s *Records) ThisYear() int { return s.today().Year() }

func (s *Records) window(year int) (time.Time, time.Time) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, s.loc)
	return from, from.AddDate(1, 0, 0)
}

// viewerOrSelf lets staff who see deputy data read any deputy's record, and
// a deputy their own.
func viewerOrSelf(by Actor, deputyID int64) error {
	if by.Deputy.ID != 0 {
		if by.Deputy.ID == deputyID {
			return nil
		}
		return Forbidden("只能查看本人的履职档案")
	}
	return by.Require(Viewers...)
}

// deputyAsSeenBy masks the deputy's phone for accounts that may not see
// phone numbers (read-only and unit accounts).
func deputyAsSeenBy(by Actor, d model.Deputy) model.Deputy {
	if r := by.Role(); r != model.RoleAdmin && r != model.RoleStaff && by.Deputy.ID != d.ID {
		d.Phone = MaskPhone(d.Phone)
	}
	return d
}

// Rules returns the points rules: the defaults, overridden by the
// configured ones.
func (s *Records) Rules(ctx context.Context, by Actor) (model.RecordRules, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.rules(ctx)
}

func (s *Records) rules(ctx context.Context) (model.RecordRules, error) {
	rules := model.DefaultRecordRules()
	raw, err := s.db.KVGet(ctx, recordRulesKey)
	if errors.Is(err, model.ErrNotFound) {
		return rules, nil
	}
	if err != nil {
		return nil, err
	}
	var set map[string]int
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return nil, fmt.Errorf("core: record rules: %w", err)
	}
	for k, v := range set {
		if _, ok := rules[k]; ok {
			rules[k] = v
		}
	}
	return rules, nil
}

// SetRules changes the points of the event types named in typed (as typed:
// a whole number from 0 to 100); the others keep theirs. Each problem is a
// field error on rules.<type> naming the type's label; an unknown type is
// one on rules. It returns the changes, in Chinese (列席常委会会议 3→5), and
// records them in the audit log; a change applies to every total at once,
// since totals are counted when read.
func (s *Records) SetRules(ctx context.Context, by Actor, typed map[string]string) ([]string, error) {
	if err := by.Require(Admins...); err != nil {
		return nil, err
	}
	if len(typed) == 0 {
		return nil, &FieldError{Key: "rules", Label: "积分规则", Msg: "请给出要修改的履职类型及其积分"}
	}
	var changes []string
	err := s.tx(ctx, func(ctx context.Context) error {
		before, err := s.rules(ctx)
		if err != nil {
			return err
		}
		after, errs := maps.Clone(before), ValidationError{}
		var unknown []string
		for k := range typed {
			if _, ok := before[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		slices.Sort(unknown)
		for _, k := range unknown {
			errs = append(errs, &FieldError{Key: "rules", Label: "积分规则", Value: k, Msg: "不是已知的履职类型"})
		}
		for _, t := range model.RecordTypes {
			v, ok := typed[t.Type]
			if !ok {
				continue
			}
			n, ferr := parsePoints(v)
			if ferr != nil {
				ferr.Key, ferr.Label = "rules."+t.Type, t.Label
				errs = append(errs, ferr)
				continue
			}
			after[t.Type] = n
		}
		if len(errs) > 0 {
			return errs
		}
		return s.saveRules(ctx, by, before, after, &changes)
	})
	return changes, err
}

// ResetRules drops the configured rules: every type earns its default. It
// returns the changes, as SetRules does.
func (s *Records) ResetRules(ctx context.Context, by Actor) ([]string, error) {
	if err := by.Require(Admins...); err != nil {
		return nil, err
	}
	var changes []string
	err := s.tx(ctx, func(ctx context.Context) error {
		before, err := s.rules(ctx)
		if err != nil {
			return err
		}
		return s.saveRules(ctx, by, before, nil, &changes)
	})
	return changes, err
}

// saveRules stores after (nil: the defaults) and audits what changed from
// before; nothing changed is nothing to record.
func (s *Records) saveRules(ctx context.Context, by Actor, before, after model.RecordRules, changes *[]string) error {
	if after == nil {
		if err := s.db.KVDelete(ctx, recordRulesKey); err != nil {
			return err
		}
		after = model.DefaultRecordRules()
	} else {
		b, _ := json.Marshal(after)
		if err := s.db.KVSet(ctx, recordRulesKey, string(b), 0); err != nil {
			return err
		}
	}
	*changes = ruleChanges(before, after)
	if len(*changes) == 0 {
		return nil
	}
	return s.audit(ctx, by, "record.rules", "record_rules", "修改履职积分规则："+strings.Join(*changes, "，"))
}

// parsePoints reads points as typed: a whole number from 0 to 100
// (full-width digits too).
func parsePoints(typed string) (int, *FieldError) {
	raw := strings.TrimSpace(halfwidthDigits(typed))
	n, err := strconv.Atoi(raw)
	switch {
	case raw == "":
		return 0, &FieldError{Msg: "不能为空，请填写 0 到 100 的整数"}
	case err != nil:
		return 0, &FieldError{Value: raw, Msg: "不是整数，请填写 0 到 100 的整数（不能有小数或文字）"}
	case n < 0 || n > 100:
		return 0, &FieldError{Value: raw, Msg: "超出范围，请填写 0 到 100 的整数"}
	}
	return n, nil
}

// ruleChanges describes, in Chinese, what differs between two sets of
// rules (列席常委会会议 3→5), in the order of RecordTypes.
func ruleChanges(before, after model.RecordRules) []string {
	var out []string
	for _, t := range model.RecordTypes {
		if v, ok := after[t.Type]; ok && v != before[t.Type] {
			out = append(out, fmt.Sprintf("%s %d→%d", t.Label, before[t.Type], v))
		}
	}
	return out
}

// eventType maps a stored fact to its record type; "" drops it (a meeting
// kind that is not an activity the record counts).
func eventType(f model.RecordFact) string {
	switch f.Kind {
	case model.EventAttend:
		if model.IsMeetingKind(f.Sub) {
			return "attend_" + f.Sub
		}
		return ""
	case model.EventSuggestion:
		if f.Sub == model.RoleLead {
			return model.RecSuggestionLead
		}
		return model.RecSuggestionSecond
	case model.EventEntry:
		return model.RecSelfReport
	}
	return f.Kind // rsvp, study, opinion, rating are the same word
}

func (s *Records) events(ctx context.Context, scope model.RecordScope, year int) ([]model.RecordEvent, model.RecordRules, error) {
	rules, err := s.rules(ctx)
	if err != nil {
		return nil, nil, err
	}
	from, to := s.window(year)
	raw, err := s.db.RecordFacts(ctx, scope, from, to)
	if err != nil {
		return nil, nil, err
	}
	out := make([]model.RecordEvent, 0, len(raw))
	for _, f := range raw {
		typ := eventType(f)
		if typ == "" {
			continue
		}
		ev := model.RecordEvent{DeputyID: f.DeputyID, Type: typ, Label: model.RecordTypeLabel(typ), At: f.At.In(s.loc),
			Title: f.Title, Place: f.Place, Points: rules[typ], Ref: f.Ref}
		switch f.Kind {
		case model.EventEntry:
			// A day, stored at midnight UTC: keep the calendar date.
			ev.At, ev.DateOnly, ev.Detail = time.Date(f.At.Year(), f.At.Month(), f.At.Day(), 0, 0, 0, 0, s.loc), true, model.EntryCategoryLabel(f.Sub)
		case model.EventOpinion:
			ev.Detail = OpinionCategoryLabel(f.Sub)
		case model.EventRSVP:
			ev.Detail = model.RSVPLabel(f.Sub)
		case model.EventAttend:
			ev.Detail = model.MeetingKindLabel(f.Sub)
		}
		out = append(out, ev)
	}
	slices.SortStableFunc(out, func(a, b model.RecordEvent) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(model.RecordTypeIndex(a.Type), model.RecordTypeIndex(b.Type)), cmp.Compare(a.Ref, b.Ref))
	})
	return out, rules, nil
}

// Totals returns the deputy's counts and points of year by event type,
// with the self-reports still pending or rejected (which count nothing).
// A deputy may read their own.
func (s *Records) Totals(ctx context.Context, by Actor, deputyID int64, year int) (model.RecordTotals, error) {
	if err := viewerOrSelf(by, deputyID); err != nil {
		return model.RecordTotals{}, err
	}
	d, err := s.deputy(ctx, deputyID)
	if err != nil {
		return model.RecordTotals{}, err
	}
	evs, _, err := s.events(ctx, model.RecordScope{DeputyID: deputyID}, year)
	if err != nil {
		return model.RecordTotals{}, err
	}
	return s.totals(ctx, d, year, evs)
}

func (s *Records) deputy(ctx context.Context, id int64) (model.Deputy, error) {
	d, err := s.db.GetDeputy(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return d, &Problem{Kind: model.ErrNotFound, Msg: "代表不存在。"}
	}
	return d, err
}

func (s *Records) totals(ctx context.Context, d model.Deputy, year int, evs []model.RecordEvent) (model.RecordTotals, error) {
	t := model.EmptyTotals(year)
	t.DeputyID, t.Name, t.Delegation = d.ID, d.Name, d.Delegation
	for _, e := range evs {
		t.Add(e)
	}
	counts, err := s.entryCounts(ctx, model.RecordScope{DeputyID: d.ID}, year)
	if err != nil {
		return t, err
	}
	t.Pending, t.Rejected = counts[d.ID][model.EntryPending], counts[d.ID][model.EntryRejected]
	return t, nil
}

func (s *Records) entryCounts(ctx context.Context, scope model.RecordScope, year int) (map[int64]map[string]int, error) {
	from, to := s.window(year)
	return s.db.RecordEntryCounts(ctx, scope, from, to)
}

// DelegationReport returns every deputy of the delegation with their
// totals of year, highest points first, and the delegation's sum.
func (s *Records) DelegationReport(ctx context.Context, by Actor, delegation string, year int) (model.DelegationRecord, error) {
	out := model.DelegationRecord{Delegation: delegation, Year: year, Sum: model.EmptyTotals(year)}
	if err := by.Require(Viewers...); err != nil {
		return out, err
	}
	out.Sum.Name, out.Sum.Delegation = "合计", delegation
	deputies, _, err := s.db.ListDeputies(ctx, model.DeputyFilter{Delegation: delegation})
	if err != nil {
		return out, err
	}
	if len(deputies) == 0 {
		return out, NotFound("代表团“%s”不存在或没有代表。", delegation)
	}
	scope := model.RecordScope{Delegation: delegation}
	evs, _, err := s.events(ctx, scope, year)
	if err != nil {
		return out, err
	}
	counts, err := s.entryCounts(ctx, scope, year)
	if err != nil {
		return out, err
	}
	for _, d := range deputies {
		t := model.EmptyTotals(year)
		t.DeputyID, t.Name, t.Delegation = d.ID, d.Name, d.Delegation
		t.Pending, t.Rejected = counts[d.ID][model.EntryPending], counts[d.ID][model.EntryRejected]
		out.Deputies = append(out.Deputies, t)
	}
	byDeputy := map[int64]*model.RecordTotals{}
	for i := range out.Deputies {
		byDeputy[out.Deputies[i].DeputyID] = &out.Deputies[i]
	}
	for _, e := range evs {
		if t := byDeputy[e.DeputyID]; t != nil {
			t.Add(e)
		}
	}
	slices.SortStableFunc(out.Deputies, func(a, b model.RecordTotals) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(a.Name, b.Name), cmp.Compare(a.DeputyID, b.DeputyID))
	})
	for _, t := range out.Deputies {
		out.Sum.AddTotals(t)
	}
	return out, nil
}

// Report returns the deputy's annual report of year: totals, timeline, the
// self-reports with their review, and the rules the points follow. The
// phone number is masked for accounts that may not see it.
func (s *Records) Report(ctx context.Context, by Actor, deputyID int64, year int) (model.RecordReport, error) {
	if err := viewerOrSelf(by, deputyID); err != nil {
		return model.RecordReport{}, err
	}
	d, err := s.deputy(ctx, deputyID)
	if err != nil {
		return model.RecordReport{}, err
	}
	evs, rules, err := s.events(ctx, model.RecordScope{DeputyID: deputyID}, year)
	if err != nil {
		return model.RecordReport{}, err
	}
	t, err := s.totals(ctx, d, year, evs)
	if err != nil {
		return model.RecordReport{}, err
	}
	from, to := s.window(year)
	entries, _, err := s.db.ListRecordEntries(ctx, model.RecordEntryFilter{DeputyID: deputyID, From: &from, To: &to})
	if err != nil {
		return model.RecordReport{}, err
	}
	return model.RecordReport{Deputy: deputyAsSeenBy(by, d), Year: year, Totals: t, Timeline: evs, Entries: entries, Rules: rules}, nil
}

// Delegations lists the delegations a report can be asked for.
func (s *Records) Delegations(ctx context.Context, by Actor) ([]model.Delegation, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.ListDelegations(ctx)
}

// SubmitEntry stores the acting deputy's self-report (履职登记) as pending
// review, recorded with the surface it came through. Of e only Category,
// HappenedOn, Place and Description are read.
func (s *Records) SubmitEntry(ctx context.Context, by Actor, e model.RecordEntry) (model.RecordEntry, error) {
	if by.Deputy.ID == 0 {
		return model.RecordEntry{}, Forbidden("只有代表本人可以登记履职活动")
	}
	in := model.RecordEntry{DeputyID: by.Deputy.ID, Category: strings.TrimSpace(e.Category), HappenedOn: e.HappenedOn,
		Place: strings.TrimSpace(e.Place), Description: strings.TrimSpace(e.Description), Channel: by.Via}
	if errs := s.checkEntry(in); len(errs) > 0 {
		return in, errs
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateRecordEntry(ctx, &in); err != nil {
			return err
		}
		return s.audit(ctx, by, "record.submit", in.Object(),
			fmt.Sprintf("提交履职登记（%s，%s）", in.CategoryLabel(), in.HappenedOn.Format(time.DateOnly)))
	})
	if err != nil {
		return model.RecordEntry{}, err
	}
	return in, nil
}

// CheckEntryDate says what is wrong with the day of a self-report, or ""
// when it can be reported: this year or last, not in the future.
func (s *Records) CheckEntryDate(day time.Time) string {
	now := s.today()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case d.After(today):
		return "不能晚于今天"
	case d.Year() < now.Year()-1:
		return fmt.Sprintf("只能登记 %d 年以来的履职活动", now.Year()-1)
	}
	return ""
}

func (s *Records) checkEntry(e model.RecordEntry) ValidationError {
	var errs ValidationError
	bad := func(key, label, value, msg string) {
		errs = append(errs, &FieldError{Key: key, Label: label, Value: value, Msg: msg})
	}
	if !slices.Contains(model.EntryCategories, e.Category) {
		bad("category", "类别", e.Category, "应为 调研视察、联系群众、参加活动 或 其他")
	}
	if e.HappenedOn.IsZero() {
		bad("happened_on", "日期", "", "不能为空")
	} else if msg := s.CheckEntryDate(e.HappenedOn); msg != "" {
		bad("happened_on", "日期", e.HappenedOn.Format(time.DateOnly), msg)
	}
	if n := utf8.RuneCountInString(e.Place); n > model.MaxEntryPlaceRunes {
		bad("place", "地点", "", fmt.Sprintf("过长（最多 %d 字）", model.MaxEntryPlaceRunes))
	}
	switch n := utf8.RuneCountInString(e.Description); {
	case n == 0:
		bad("description", "内容", "", "不能为空")
	case n > model.MaxEntryDescriptionRunes:
		bad("description", "内容", "", fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", model.MaxEntryDescriptionRunes, n))
	}
	return errs
}

// ReviewQueue returns one page of self-reports awaiting review, oldest
// first, and how many there are.
func (s *Records) ReviewQueue(ctx context.Context, by Actor, limit, offset int) ([]model.RecordEntry, int, error) {
	if err := by.Require(Editors...); err != nil {
		return nil, 0, err
	}
	return s.db.ListRecordEntries(ctx, model.RecordEntryFilter{Status: model.EntryPending, Limit: limit, Offset: offset})
}

// Review decisions.
const (
	ReviewApprove = "approve"
	ReviewReject  = "reject"
)

// Review approves (ReviewApprove) or rejects (ReviewReject) a pending
// self-report; a rejection needs a note saying why (the deputy may ask).
// It returns the entry as reviewed. An entry already reviewed is a
// conflict: two staff reviewing at once cannot both win.
func (s *Records) Review(ctx context.Context, by Actor, id int64, decision, note string) (model.RecordEntry, error) {
	if err := by.Require(Editors...); err != nil {
		return model.RecordEntry{}, err
	}
	var out model.RecordEntry
	err := s.tx(ctx, func(ctx context.Context) error {
		e, err := s.db.GetRecordEntry(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			return NotFound("这条履职登记不存在。")
		} else if err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		var status string
		switch decision {
		case ReviewApprove:
			status = model.EntryApproved
		case ReviewReject:
			status = model.EntryRejected
			if note == "" {
				return &FieldError{Key: "note", Label: "审核意见", Msg: "退回时请说明原因"}
			}
		default:
			return &FieldError{Key: "decision", Label: "审核结果", Value: decision, Msg: "应为 approve（通过）或 reject（退回）"}
		}
		if n := utf8.RuneCountInString(note); n > model.MaxReviewNoteRunes {
			return &FieldError{Key: "note", Label: "审核意见", Msg: fmt.Sprintf("过长（最多 %d 字）", model.MaxReviewNoteRunes)}
		}
		if e.Status != model.EntryPending {
			return Conflict("这条履职登记已由其他工作人员审核。")
		}
		if err := s.db.ReviewRecordEntry(ctx, id, status, note, by.Name()); errors.Is(err, model.ErrConflict) {
			return Conflict("这条履职登记已由其他工作人员审核。")
		} else if err != nil {
			return err
		}
		if out, err = s.db.GetRecordEntry(ctx, id); err != nil {
			return err
		}
		verb := "通过"
		if out.Status == model.EntryRejected {
			verb = "退回"
		}
		return s.audit(ctx, by, "record.review", out.Object(),
			fmt.Sprintf("%s %s 的履职登记（%s，%s）", verb, out.DeputyName, out.CategoryLabel(), out.HappenedOn.Format("2006-01-02")))
	})
	if err != nil {
		return model.RecordEntry{}, err
	}
	return out, nil
}
