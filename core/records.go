package core

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
)

// Event types of the performance record (履职档案): the keys of the
// points rules.
const (
	RecAttendSession    = "attend_session"
	RecAttendResearch   = "attend_research"
	RecAttendInspection = "attend_inspection"
	RecAttendStation    = "attend_station"
	RecAttendStudy      = "attend_study"
	RecAttendExchange   = "attend_exchange"
	RecRSVP             = "rsvp"
	RecStudy            = "study"
	RecOpinion          = "opinion"
	RecSuggestionLead   = "suggestion_lead"
	RecSuggestionSecond = "suggestion_second"
	RecRating           = "rating"
	RecSelfReport       = "self_report"
)

// RecordType is one kind of event the record counts.
type RecordType struct {
	Type, Label string
	Points      int // the default points of one event
}

// RecordTypes lists the event types in the order reports show them, with
// their default points. Answering an invitation counts but earns nothing
// by default: attending does.
var RecordTypes = []RecordType{
	{RecAttendSession, "列席常委会会议", 3},
	{RecAttendResearch, "参加专题调研", 2},
	{RecAttendInspection, "参加集中视察", 2},
	{RecAttendStation, "参加联络站接待", 1},
	{RecAttendStudy, "参加学习班", 1},
	{RecAttendExchange, "参加履职交流会", 1},
	{RecRSVP, "回复会议活动邀请", 0},
	{RecStudy, "学习材料", 1},
	{RecOpinion, "提出意见建议", 1},
	{RecSuggestionLead, "领衔提出建议", 3},
	{RecSuggestionSecond, "附议建议", 1},
	{RecRating, "建议办理测评", 1},
	{RecSelfReport, "履职登记", 2},
}

// RecordTypeLabel returns an event type's Chinese name.
func RecordTypeLabel(typ string) string {
	for _, t := range RecordTypes {
		if t.Type == typ {
			return t.Label
		}
	}
	return typ
}

// EntryCategoryChoices are the categories of a self-reported entry, in the
// order the chat lists them.
var EntryCategoryChoices = []Choice{
	{model.EntryResearch, "调研视察"},
	{model.EntryContact, "联系群众"},
	{model.EntryActivity, "参加活动"},
	{model.EntryOther, "其他"},
}

// EntryCategoryLabel returns a self-report category's Chinese name.
func EntryCategoryLabel(category string) string {
	for _, c := range EntryCategoryChoices {
		if c.Value == category {
			return c.Label
		}
	}
	return category
}

// EntryStatusLabel returns a self-report review status's Chinese name.
func EntryStatusLabel(status string) string {
	switch status {
	case model.EntryApproved:
		return "已通过"
	case model.EntryRejected:
		return "未通过"
	}
	return "待审核"
}

// Limits on a self-reported entry.
const (
	MaxEntryDescriptionRunes = 100
	MaxEntryPlaceRunes       = 50
	MaxReviewNoteRunes       = 200
)

// RecordRules maps an event type to the points one event earns.
type RecordRules map[string]int

// DefaultRecordRules returns the points of RecordTypes.
func DefaultRecordRules() RecordRules {
	r := RecordRules{}
	for _, t := range RecordTypes {
		r[t.Type] = t.Points
	}
	return r
}

// recordRulesKey is the kv key the configured rules are kept under, as
// JSON; types it does not name keep their default.
const recordRulesKey = "record_rules"

// RecordEvent is one line of a deputy's timeline.
type RecordEvent struct {
	DeputyID int64
	Type     string // RecAttendSession …
	Label    string
	At       time.Time // in the records' zone; a self-report's day at midnight
	DateOnly bool      // At has no time of day (a self-report)
	Title    string
	Place    string
	Detail   string // e.g. the opinion category, the self-report category
	Points   int
	Ref      int64
}

// RecordLine is the count and points of one event type.
type RecordLine struct {
	Type, Label   string
	Count, Points int
}

// RecordTotals is a deputy's year in numbers.
type RecordTotals struct {
	DeputyID   int64
	Name       string
	Delegation string
	Year       int
	Lines      []RecordLine // every type of RecordTypes, in order, zero or not
	Count      int          // events
	Points     int
	Pending    int // self-reports awaiting review (not counted)
	Rejected   int // self-reports rejected (never counted)
}

// Line returns the line of one event type.
func (t RecordTotals) Line(typ string) RecordLine {
	for _, l := range t.Lines {
		if l.Type == typ {
			return l
		}
	}
	return RecordLine{Type: typ, Label: RecordTypeLabel(typ)}
}

// Attended counts the meetings and activities attended, of every kind.
func (t RecordTotals) Attended() int {
	n := 0
	for _, l := range t.Lines {
		if strings.HasPrefix(l.Type, "attend_") {
			n += l.Count
		}
	}
	return n
}

// DelegationRecord is a delegation's year: each deputy's totals and the sum.
type DelegationRecord struct {
	Delegation string
	Year       int
	Deputies   []RecordTotals // by points, highest first, then by name
	Sum        RecordTotals
}

// RecordReport is a deputy's annual performance report (履职报告).
type RecordReport struct {
	Deputy   model.Deputy
	Year     int
	Totals   RecordTotals
	Timeline []RecordEvent
	Entries  []model.RecordEntry // the year's self-reports, whatever their review
	Rules    RecordRules
}

// Records builds deputies' performance records from what they did in
// deputybot plus the activities they reported and staff approved.
type Records struct {
	db  *storage.DB
	Now func() time.Time
	Loc *time.Location // years run from 1 January in this zone
}

// NewRecords returns the records service over db.
func NewRecords(db *storage.DB) *Records {
	return &Records{db: db, Now: time.Now, Loc: time.FixedZone("CST", 8*60*60)}
}

func (r *Records) now() time.Time { return r.Now().In(r.Loc) }

// ThisYear returns the current year in the records' zone.
func (r *Records) ThisYear() int { return r.now().Year() }

func (r *Records) window(year int) (time.Time, time.Time) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, r.Loc)
	return from, from.AddDate(1, 0, 0)
}

// Rules returns the points rules: the defaults, overridden by the
// configured ones.
func (r *Records) Rules(ctx context.Context) (RecordRules, error) {
	rules := DefaultRecordRules()
	raw, err := r.db.KVGet(ctx, recordRulesKey)
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

// SetRules stores the points of the types named in rules; others keep
// theirs. Points are whole numbers from 0 to 100.
func (r *Records) SetRules(ctx context.Context, rules RecordRules) error {
	cur, err := r.Rules(ctx)
	if err != nil {
		return err
	}
	var errs ValidationError
	for k, v := range rules {
		if _, ok := cur[k]; !ok {
			errs = append(errs, &FieldError{Label: "积分规则", Value: k, Msg: "不是已知的履职类型"})
			continue
		}
		if v < 0 || v > 100 {
			errs = append(errs, &FieldError{Label: RecordTypeLabel(k), Value: strconv.Itoa(v), Msg: "超出范围，请填写 0 到 100 的整数"})
			continue
		}
		cur[k] = v
	}
	if len(errs) > 0 {
		return errs
	}
	b, _ := json.Marshal(cur)
	return r.db.KVSet(ctx, recordRulesKey, string(b), 0)
}

// ParseRules reads points typed into a form, by event type: every type of
// RecordTypes must be there, a whole number from 0 to 100. Each problem
// names the type's label.
func ParseRules(typed map[string]string) (RecordRules, ValidationError) {
	out := RecordRules{}
	var errs ValidationError
	for _, t := range RecordTypes {
		raw := strings.TrimSpace(halfwidthDigits(typed[t.Type]))
		n, err := strconv.Atoi(raw)
		switch {
		case raw == "":
			errs = append(errs, &FieldError{Label: t.Label, Msg: "不能为空，请填写 0 到 100 的整数"})
		case err != nil:
			errs = append(errs, &FieldError{Label: t.Label, Value: raw, Msg: "不是整数，请填写 0 到 100 的整数（不能有小数或文字）"})
		case n < 0 || n > 100:
			errs = append(errs, &FieldError{Label: t.Label, Value: raw, Msg: "超出范围，请填写 0 到 100 的整数"})
		default:
			out[t.Type] = n
		}
	}
	return out, errs
}

// RuleChanges describes, in Chinese, what differs between two sets of
// rules (列席常委会会议 3→5), in the order of RecordTypes.
func RuleChanges(before, after RecordRules) []string {
	var out []string
	for _, t := range RecordTypes {
		if v, ok := after[t.Type]; ok && v != before[t.Type] {
			out = append(out, fmt.Sprintf("%s %d→%d", t.Label, before[t.Type], v))
		}
	}
	return out
}

// ResetRules drops the configured rules: every type earns its default.
func (r *Records) ResetRules(ctx context.Context) error {
	return r.db.KVDelete(ctx, recordRulesKey)
}

// eventType maps a stored event to its record type; "" drops it (a
// meeting kind that is not an activity the record counts).
func eventType(e model.RecordEvent) string {
	switch e.Kind {
	case model.EventAttend:
		if _, ok := MeetingKinds[e.Sub]; ok {
			return "attend_" + e.Sub
		}
		return ""
	case model.EventSuggestion:
		if e.Sub == model.RoleLead {
			return RecSuggestionLead
		}
		return RecSuggestionSecond
	case model.EventEntry:
		return RecSelfReport
	}
	return e.Kind // rsvp, study, opinion, rating are the same word
}

func (r *Records) events(ctx context.Context, scope model.RecordScope, year int) ([]RecordEvent, RecordRules, error) {
	rules, err := r.Rules(ctx)
	if err != nil {
		return nil, nil, err
	}
	from, to := r.window(year)
	raw, err := r.db.RecordEvents(ctx, scope, from, to)
	if err != nil {
		return nil, nil, err
	}
	out := make([]RecordEvent, 0, len(raw))
	for _, e := range raw {
		typ := eventType(e)
		if typ == "" {
			continue
		}
		ev := RecordEvent{DeputyID: e.DeputyID, Type: typ, Label: RecordTypeLabel(typ), At: e.At.In(r.Loc),
			Title: e.Title, Place: e.Place, Points: rules[typ], Ref: e.Ref}
		switch e.Kind {
		case model.EventEntry:
			// A day, stored at midnight UTC: keep the calendar date.
			ev.At, ev.DateOnly, ev.Detail = time.Date(e.At.Year(), e.At.Month(), e.At.Day(), 0, 0, 0, 0, r.Loc), true, EntryCategoryLabel(e.Sub)
		case model.EventOpinion:
			ev.Detail = OpinionCategoryLabel(e.Sub)
		case model.EventRSVP:
			ev.Detail = RSVPLabel(e.Sub)
		case model.EventAttend:
			ev.Detail = MeetingKindLabel(e.Sub)
		}
		out = append(out, ev)
	}
	slices.SortStableFunc(out, func(a, b RecordEvent) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(typeOrder(a.Type), typeOrder(b.Type)), cmp.Compare(a.Ref, b.Ref))
	})
	return out, rules, nil
}

func typeOrder(typ string) int {
	return slices.IndexFunc(RecordTypes, func(t RecordType) bool { return t.Type == typ })
}

// Timeline returns the deputy's events of year, in date order, with the
// points each earns.
func (r *Records) Timeline(ctx context.Context, deputyID int64, year int) ([]RecordEvent, error) {
	evs, _, err := r.events(ctx, model.RecordScope{DeputyID: deputyID}, year)
	return evs, err
}

func emptyTotals(year int) RecordTotals {
	t := RecordTotals{Year: year, Lines: make([]RecordLine, len(RecordTypes))}
	for i, rt := range RecordTypes {
		t.Lines[i] = RecordLine{Type: rt.Type, Label: rt.Label}
	}
	return t
}

func (t *RecordTotals) add(e RecordEvent) {
	i := typeOrder(e.Type)
	if i < 0 {
		return
	}
	t.Lines[i].Count++
	t.Lines[i].Points += e.Points
	t.Count++
	t.Points += e.Points
}

func (t *RecordTotals) addTotals(o RecordTotals) {
	for i := range t.Lines {
		t.Lines[i].Count += o.Lines[i].Count
		t.Lines[i].Points += o.Lines[i].Points
	}
	t.Count += o.Count
	t.Points += o.Points
	t.Pending += o.Pending
	t.Rejected += o.Rejected
}

// Totals returns the deputy's counts and points of year by event type,
// with the self-reports still pending or rejected (which count nothing).
func (r *Records) Totals(ctx context.Context, deputyID int64, year int) (RecordTotals, error) {
	d, err := r.db.GetDeputy(ctx, deputyID)
	if err != nil {
		return RecordTotals{}, err
	}
	evs, _, err := r.events(ctx, model.RecordScope{DeputyID: deputyID}, year)
	if err != nil {
		return RecordTotals{}, err
	}
	return r.totals(ctx, d, year, evs)
}

func (r *Records) totals(ctx context.Context, d model.Deputy, year int, evs []RecordEvent) (RecordTotals, error) {
	t := emptyTotals(year)
	t.DeputyID, t.Name, t.Delegation = d.ID, d.Name, d.Delegation
	for _, e := range evs {
		t.add(e)
	}
	counts, err := r.entryCounts(ctx, model.RecordScope{DeputyID: d.ID}, year)
	if err != nil {
		return t, err
	}
	t.Pending, t.Rejected = counts[d.ID][model.EntryPending], counts[d.ID][model.EntryRejected]
	return t, nil
}

func (r *Records) entryCounts(ctx context.Context, scope model.RecordScope, year int) (map[int64]map[string]int, error) {
	from, to := r.window(year)
	return r.db.RecordEntryCounts(ctx, scope, from, to)
}

// DelegationReport returns every deputy of the delegation with their
// totals of year, highest points first, and the delegation's sum.
func (r *Records) DelegationReport(ctx context.Context, delegation string, year int) (DelegationRecord, error) {
	out := DelegationRecord{Delegation: delegation, Year: year, Sum: emptyTotals(year)}
	out.Sum.Name, out.Sum.Delegation = "合计", delegation
	deputies, _, err := r.db.ListDeputies(ctx, model.DeputyFilter{Delegation: delegation})
	if err != nil {
		return out, err
	}
	if len(deputies) == 0 {
		return out, fmt.Errorf("core: delegation %q: %w", delegation, model.ErrNotFound)
	}
	scope := model.RecordScope{Delegation: delegation}
	evs, _, err := r.events(ctx, scope, year)
	if err != nil {
		return out, err
	}
	counts, err := r.entryCounts(ctx, scope, year)
	if err != nil {
		return out, err
	}
	byDeputy := map[int64]*RecordTotals{}
	for _, d := range deputies {
		t := emptyTotals(year)
		t.DeputyID, t.Name, t.Delegation = d.ID, d.Name, d.Delegation
		t.Pending, t.Rejected = counts[d.ID][model.EntryPending], counts[d.ID][model.EntryRejected]
		out.Deputies = append(out.Deputies, t)
	}
	for i := range out.Deputies {
		byDeputy[out.Deputies[i].DeputyID] = &out.Deputies[i]
	}
	for _, e := range evs {
		if t := byDeputy[e.DeputyID]; t != nil {
			t.add(e)
		}
	}
	slices.SortStableFunc(out.Deputies, func(a, b RecordTotals) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(a.Name, b.Name), cmp.Compare(a.DeputyID, b.DeputyID))
	})
	for _, t := range out.Deputies {
		out.Sum.addTotals(t)
	}
	return out, nil
}

// Report returns the deputy's annual report of year: totals, timeline, the
// self-reports with their review, and the rules the points follow.
func (r *Records) Report(ctx context.Context, deputyID int64, year int) (RecordReport, error) {
	d, err := r.db.GetDeputy(ctx, deputyID)
	if err != nil {
		return RecordReport{}, err
	}
	evs, rules, err := r.events(ctx, model.RecordScope{DeputyID: deputyID}, year)
	if err != nil {
		return RecordReport{}, err
	}
	t, err := r.totals(ctx, d, year, evs)
	if err != nil {
		return RecordReport{}, err
	}
	from, to := r.window(year)
	entries, _, err := r.db.ListRecordEntries(ctx, model.RecordEntryFilter{DeputyID: deputyID, From: &from, To: &to})
	if err != nil {
		return RecordReport{}, err
	}
	return RecordReport{Deputy: d, Year: year, Totals: t, Timeline: evs, Entries: entries, Rules: rules}, nil
}

// SubmitEntry validates and stores a deputy's self-report (履职登记) as
// pending review. Of e only Category, HappenedOn, Place, Description and
// Channel are read.
func (r *Records) SubmitEntry(ctx context.Context, deputyID int64, e model.RecordEntry) (model.RecordEntry, error) {
	in := model.RecordEntry{DeputyID: deputyID, Category: strings.TrimSpace(e.Category), HappenedOn: e.HappenedOn,
		Place: strings.TrimSpace(e.Place), Description: strings.TrimSpace(e.Description), Channel: e.Channel}
	if errs := r.checkEntry(&in); len(errs) > 0 {
		return in, errs
	}
	if err := r.db.CreateRecordEntry(ctx, &in); err != nil {
		return in, err
	}
	return in, nil
}

// CheckEntryDate says what is wrong with the day of a self-report, or ""
// when it can be reported: this year or last, not in the future.
func (r *Records) CheckEntryDate(day time.Time) string {
	now := r.now()
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

func (r *Records) checkEntry(e *model.RecordEntry) ValidationError {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	if !slices.ContainsFunc(EntryCategoryChoices, func(c Choice) bool { return c.Value == e.Category }) {
		bad("类别", e.Category, "应为 调研视察、联系群众、参加活动 或 其他")
	}
	if e.HappenedOn.IsZero() {
		bad("日期", "", "不能为空")
	} else if msg := r.CheckEntryDate(e.HappenedOn); msg != "" {
		bad("日期", e.HappenedOn.Format(time.DateOnly), msg)
	}
	if n := utf8.RuneCountInString(e.Place); n > MaxEntryPlaceRunes {
		bad("地点", "", fmt.Sprintf("过长（最多 %d 字）", MaxEntryPlaceRunes))
	}
	switch n := utf8.RuneCountInString(e.Description); {
	case n == 0:
		bad("内容", "", "不能为空")
	case n > MaxEntryDescriptionRunes:
		bad("内容", "", fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", MaxEntryDescriptionRunes, n))
	}
	if e.Channel == "" {
		e.Channel = "wechat"
	}
	return errs
}

// ReviewQueue returns one page of self-reports awaiting review, oldest
// first, and how many there are.
func (r *Records) ReviewQueue(ctx context.Context, limit, offset int) ([]model.RecordEntry, int, error) {
	return r.db.ListRecordEntries(ctx, model.RecordEntryFilter{Status: model.EntryPending, Limit: limit, Offset: offset})
}

// Review approves or rejects a pending self-report; a rejection needs a
// note saying why (the deputy may ask). It returns the entry as reviewed.
// An entry already reviewed gives model.ErrConflict.
func (r *Records) Review(ctx context.Context, id int64, approve bool, note, reviewer string) (model.RecordEntry, error) {
	note = strings.TrimSpace(note)
	status := model.EntryApproved
	if !approve {
		status = model.EntryRejected
		if note == "" {
			return model.RecordEntry{}, ValidationError{{Key: "note", Label: "审核意见", Msg: "退回时请说明原因"}}
		}
	}
	if n := utf8.RuneCountInString(note); n > MaxReviewNoteRunes {
		return model.RecordEntry{}, ValidationError{{Key: "note", Label: "审核意见", Msg: fmt.Sprintf("过长（最多 %d 字）", MaxReviewNoteRunes)}}
	}
	if err := r.db.ReviewRecordEntry(ctx, id, status, note, reviewer); err != nil {
		return model.RecordEntry{}, err
	}
	return r.db.GetRecordEntry(ctx, id)
}

// Entries lists a deputy's self-reports of year, whatever their review.
func (r *Records) Entries(ctx context.Context, deputyID int64, year int) ([]model.RecordEntry, error) {
	from, to := r.window(year)
	out, _, err := r.db.ListRecordEntries(ctx, model.RecordEntryFilter{DeputyID: deputyID, From: &from, To: &to})
	return out, err
}

// WriteReportXLSX writes a deputy's annual report as a workbook: the
// totals by type, then every event.
func WriteReportXLSX(w io.Writer, rep RecordReport) error {
	f := excelize.NewFile()
	defer f.Close()
	sum := "履职汇总"
	_ = f.SetSheetName("Sheet1", sum)
	rows := [][]any{
		{fmt.Sprintf("%s %d 年度履职情况", rep.Deputy.Name, rep.Year)},
		{"代表团", rep.Deputy.Delegation},
		{},
		{"履职类型", "次数", "积分"},
	}
	for _, l := range rep.Totals.Lines {
		rows = append(rows, []any{l.Label, l.Count, l.Points})
	}
	rows = append(rows, []any{"合计", rep.Totals.Count, rep.Totals.Points},
		[]any{"待审核的履职登记", rep.Totals.Pending, ""})
	if err := writeRows(f, sum, rows, []float64{24, 12, 10}); err != nil {
		return err
	}
	detail := "履职明细"
	if _, err := f.NewSheet(detail); err != nil {
		return err
	}
	rows = [][]any{{"日期", "类型", "内容", "地点", "说明", "积分"}}
	for _, e := range rep.Timeline {
		rows = append(rows, []any{e.At.Format(time.DateOnly), e.Label, e.Title, e.Place, e.Detail, e.Points})
	}
	if err := writeRows(f, detail, rows, []float64{12, 18, 40, 20, 14, 8}); err != nil {
		return err
	}
	return f.Write(w)
}

// WriteDelegationXLSX writes a delegation's annual record: one row per
// deputy with the count of each type and the points.
func WriteDelegationXLSX(w io.Writer, rep DelegationRecord) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "代表团履职汇总"
	_ = f.SetSheetName("Sheet1", sheet)
	head := []any{"姓名"}
	widths := []float64{12}
	for _, t := range RecordTypes {
		head = append(head, t.Label)
		widths = append(widths, 12)
	}
	head = append(head, "合计次数", "积分", "待审核登记")
	widths = append(widths, 10, 8, 10)
	rows := [][]any{{fmt.Sprintf("%s %d 年度代表履职情况", rep.Delegation, rep.Year)}, head}
	for _, t := range append(slices.Clone(rep.Deputies), rep.Sum) {
		row := []any{t.Name}
		for _, l := range t.Lines {
			row = append(row, l.Count)
		}
		rows = append(rows, append(row, t.Count, t.Points, t.Pending))
	}
	if err := writeRows(f, sheet, rows, widths); err != nil {
		return err
	}
	return f.Write(w)
}

func writeRows(f *excelize.File, sheet string, rows [][]any, widths []float64) error {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	for i, row := range rows {
		if len(row) == 0 {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	return nil
}
