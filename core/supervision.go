package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// 督办 rules.
const (
	// DefaultHandlingMonths is the handling period of a suggestion without
	// a deadline of its own, counted from its assignment (交办).
	DefaultHandlingMonths = 3
	// MaxHandlingMonths bounds a deadline moved by extensions, counted
	// from the assignment.
	MaxHandlingMonths = 6
	// NearDays: an open suggestion whose deadline is this close is listed
	// as 临近期限.
	NearDays = 14
)

// SupervisionDigestJob names the weekly 督办 digest job; the console shows
// its last run.
const SupervisionDigestJob = "supervision-digest"

// Supervision (督办) watches suggestion handling: deadlines and
// extensions, overdue lists, 回头看, and the four rates.
type Supervision struct {
	db  *storage.DB
	Now func() time.Time
	Loc *time.Location // calendar days are counted in it
	env *env           // the transaction and audit of staff's actions
}

// NewSupervision returns the supervision service over db, counting days
// in loc (Asia/Shanghai when nil).
func NewSupervision(db *storage.DB, loc *time.Location) *Supervision {
	if loc == nil {
		loc = shanghaiLoc()
	}
	return &Supervision{db: db, Now: time.Now, Loc: loc, env: newEnv(db)}
}

func shanghaiLoc() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

// day returns t's calendar date in loc, as midnight UTC (the way dates are
// stored).
func day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// addMonths adds n months to a date, keeping the day but not past the end
// of the month (11-30 + 3 months is 02-28, not 03-02).
func addMonths(d time.Time, n int) time.Time {
	y, m, dd := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(dd, last), 0, 0, 0, 0, time.UTC)
}

// Open reports whether a suggestion in status still awaits the unit's
// answer, so its deadline is watched.
func openStatus(status string) bool {
	switch status {
	case model.SuggestionAssigned, model.SuggestionHandling, model.SuggestionRehandling:
		return true
	}
	return false
}

// Supervised is one suggestion as 督办 sees it.
type Supervised struct {
	model.SupervisionRow
	Assigned time.Time // the assignment date
	// Deadline is the one in force: the latest approved extension, else
	// the suggestion's own, else DefaultHandlingMonths after assignment.
	Deadline time.Time
	Limit    time.Time // the latest deadline an extension may set
	DaysLeft int       // to the deadline from today; negative when past
	// PromiseDue is the promise date of the current B/C reply, if set.
	PromiseDue *time.Time
	Reasons    []string // why it is on the 回头看 list
}

func (s *Supervision) supervised(r model.SupervisionRow, today time.Time) Supervised {
	v := Supervised{SupervisionRow: r, Assigned: day(r.CreatedAt, s.Loc)}
	v.Deadline = addMonths(v.Assigned, DefaultHandlingMonths)
	if r.Deadline != nil {
		v.Deadline = r.Deadline.UTC()
	}
	v.Limit = addMonths(v.Assigned, MaxHandlingMonths)
	if r.Extended != nil && r.Extended.After(v.Deadline) {
		v.Deadline = r.Extended.UTC()
	}
	v.DaysLeft = int(v.Deadline.Sub(today).Hours() / 24)
	if r.Promise != nil && r.RepliedAt != nil && r.PromiseReplyAt != nil && r.PromiseReplyAt.Equal(*r.RepliedAt) {
		p := r.Promise.UTC()
		v.PromiseDue = &p
	}
	if r.DissatisfiedResult > 0 {
		v.Reasons = append(v.Reasons, fmt.Sprintf("办理结果不满意 %d 份", r.DissatisfiedResult))
	}
	if r.DissatisfiedAttitude > 0 {
		v.Reasons = append(v.Reasons, fmt.Sprintf("办理态度不满意 %d 份", r.DissatisfiedAttitude))
	}
	if v.promised() && v.PromiseDue != nil && v.PromiseDue.Before(today) {
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s类答复承诺 %s 前解决，已逾期", r.ReplyCategory, v.PromiseDue.Format(time.DateOnly)))
	}
	return v
}

// promised reports whether the current reply is a B or C (列入计划 / 暂时难以
// 解决) answer still standing: replied or concluded on it.
func (v Supervised) promised() bool {
	return (v.ReplyCategory == "B" || v.ReplyCategory == "C") &&
		(v.Status == model.SuggestionReplied || v.Status == model.SuggestionConcluded)
}

// UnitOverdue counts one host unit's open suggestions by deadline.
type UnitOverdue struct {
	HostUnit string
	Past     int // deadline before today
	Near     int // deadline today or within NearDays
	Open     int // every open suggestion
}

// Overview is the 督办 page: the lists and the counts per unit.
type Overview struct {
	Today    time.Time
	Past     []Supervised // open, deadline passed, most overdue first
	Near     []Supervised // open, deadline within NearDays, soonest first
	Lookback []Supervised // 回头看: rated 不满意, or a B/C promise passed
	// NoPromise lists the standing B/C replies without a promise date,
	// for staff to set one.
	NoPromise []Supervised
	Units     []UnitOverdue     // by unit name
	Pending   []model.Extension // extension requests awaiting a decision
}

// Overview computes the 督办 lists over the suggestions matching f.
func (s *Supervision) Overview(ctx context.Context, f model.SupervisionFilter) (Overview, error) {
	rows, err := s.db.SupervisionRows(ctx, f)
	if err != nil {
		return Overview{}, err
	}
	today := day(s.Now(), s.Loc)
	o := Overview{Today: today}
	units := map[string]*UnitOverdue{}
	for _, r := range rows {
		v := s.supervised(r, today)
		if openStatus(v.Status) {
			u := units[v.HostUnit]
			if u == nil {
				u = &UnitOverdue{HostUnit: v.HostUnit}
				units[v.HostUnit] = u
			}
			u.Open++
			switch {
			case v.DaysLeft < 0:
				u.Past++
				o.Past = append(o.Past, v)
			case v.DaysLeft <= NearDays:
				u.Near++
				o.Near = append(o.Near, v)
			}
		}
		if len(v.Reasons) > 0 {
			o.Lookback = append(o.Lookback, v)
		}
		if v.promised() && v.PromiseDue == nil {
			o.NoPromise = append(o.NoPromise, v)
		}
	}
	byDeadline := func(l []Supervised) {
		sort.SliceStable(l, func(i, j int) bool { return l[i].Deadline.Before(l[j].Deadline) })
	}
	byDeadline(o.Past)
	byDeadline(o.Near)
	for _, u := range units {
		o.Units = append(o.Units, *u)
	}
	sort.Slice(o.Units, func(i, j int) bool { return o.Units[i].HostUnit < o.Units[j].HostUnit })
	o.Pending, err = s.db.ListExtensions(ctx, model.ExtensionFilter{Status: model.ExtensionPending, HostUnit: f.HostUnit})
	return o, err
}

// Get returns one suggestion as 督办 sees it.
func (s *Supervision) Get(ctx context.Context, suggestionID int64) (Supervised, error) {
	sg, err := s.db.GetSuggestion(ctx, suggestionID)
	if err != nil {
		return Supervised{}, err
	}
	rows, err := s.db.SupervisionRows(ctx, model.SupervisionFilter{Session: sg.Session, HostUnit: sg.HostUnit})
	if err != nil {
		return Supervised{}, err
	}
	for _, r := range rows {
		if r.ID == suggestionID {
			return s.supervised(r, day(s.Now(), s.Loc)), nil
		}
	}
	return Supervised{}, fmt.Errorf("core: supervision of suggestion %d: %w", suggestionID, model.ErrNotFound)
}

// Digest counts, per host unit, the open suggestions past their deadline
// ("逾期:unit") and near it ("临近:unit"), and the 回头看 list, for the
// weekly escalation digest to staff.
func (s *Supervision) Digest(ctx context.Context, by Actor) (map[string]int, error) {
	if err := requireJob(by); err != nil {
		return nil, err
	}
	o, err := s.Overview(ctx, model.SupervisionFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]int{"逾期": len(o.Past), "临近": len(o.Near), "回头看": len(o.Lookback), "待审批延期": len(o.Pending)}
	for _, u := range o.Units {
		name := orUnset(u.HostUnit)
		if u.Past > 0 {
			out["逾期:"+name] = u.Past
		}
		if u.Near > 0 {
			out["临近:"+name] = u.Near
		}
	}
	pushed, err := s.pushDigest(ctx, o)
	if pushed > 0 {
		out["周报推送"] = pushed
	}
	return out, err
}

func orUnset(unit string) string {
	if unit == "" {
		return "（未填写）"
	}
	return unit
}

// ExtensionRequest is a unit's request to move a deadline.
type ExtensionRequest struct {
	SuggestionID int64
	NewDeadline  time.Time // a calendar date
	Reason       string
	By           string // who asks, for the record
	Unit         string // the asking unit; must be the host unit when set
}

// requestExtension validates and stores an extension request: the new
// deadline must be after the one in force and no later than
// MaxHandlingMonths after assignment; the suggestion must still be open,
// with no other request pending.
func (s *Supervision) requestExtension(ctx context.Context, req ExtensionRequest) (model.Extension, error) {
	v, err := s.Get(ctx, req.SuggestionID)
	if err != nil {
		return model.Extension{}, err
	}
	var errs ValidationError
	bad := func(field, msg string) { errs = append(errs, &FieldError{Label: field, Msg: msg}) }
	if req.Unit != "" && req.Unit != v.HostUnit {
		return model.Extension{}, fmt.Errorf("core: extension by %s of another unit's suggestion: %w", req.Unit, model.ErrNotFound)
	}
	if !openStatus(v.Status) {
		bad("建议", "该建议已答复，无需延期")
	}
	req.Reason = strings.TrimSpace(req.Reason)
	switch n := utf8.RuneCountInString(req.Reason); {
	case n == 0:
		bad("延期理由", "不能为空")
	case n > 1000:
		bad("延期理由", "过长（最多 1000 个字）")
	}
	nd := day(req.NewDeadline, time.UTC)
	switch {
	case req.NewDeadline.IsZero():
		bad("延期至", "请填写日期")
	case !nd.After(v.Deadline):
		bad("延期至", "应晚于现行办理期限 "+v.Deadline.Format(time.DateOnly))
	case nd.After(v.Limit):
		bad("延期至", fmt.Sprintf("办理期限自交办起最长 %d 个月，最晚 %s", MaxHandlingMonths, v.Limit.Format(time.DateOnly)))
	}
	if len(errs) > 0 {
		return model.Extension{}, errs
	}
	e := model.Extension{SuggestionID: v.ID, Unit: v.HostUnit, OldDeadline: v.Deadline, NewDeadline: nd, Reason: req.Reason,
		RequestedBy: strings.TrimSpace(req.By), Number: v.Number, Title: v.Title}
	err = s.db.CreateExtension(ctx, &e)
	if errors.Is(err, model.ErrConflict) {
		return model.Extension{}, ValidationError{{Key: "extension", Label: "延期申请", Msg: "该建议已有待审批的延期申请"}}
	}
	return e, err
}

// decideExtension approves or rejects a pending request. An approval is
// checked again against the limit, should the deadline have moved since
// the request.
func (s *Supervision) decideExtension(ctx context.Context, id int64, approve bool, by, note string) (model.Extension, error) {
	e, err := s.db.GetExtension(ctx, id)
	if err != nil {
		return e, err
	}
	if e.Status != model.ExtensionPending {
		return e, ValidationError{{Key: "extension", Label: "延期申请", Msg: "该申请已审批"}}
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return e, ValidationError{{Key: "note", Label: "审批意见", Msg: "过长（最多 1000 个字）"}}
	}
	status := model.ExtensionRejected
	if approve {
		v, err := s.Get(ctx, e.SuggestionID)
		if err != nil {
			return e, err
		}
		if e.NewDeadline.After(v.Limit) {
			return e, ValidationError{{Key: "new_deadline", Label: "延期至", Msg: fmt.Sprintf("超过自交办起 %d 个月的最长期限 %s", MaxHandlingMonths, v.Limit.Format(time.DateOnly))}}
		}
		status = model.ExtensionApproved
	}
	err = s.db.DecideExtension(ctx, id, status, strings.TrimSpace(by), note)
	if errors.Is(err, model.ErrConflict) {
		return e, ValidationError{{Key: "extension", Label: "延期申请", Msg: "该申请刚刚已被他人审批，请刷新"}}
	}
	if err != nil {
		return e, err
	}
	return s.db.GetExtension(ctx, id)
}

// setPromise records the promise date of a suggestion's standing B/C
// reply; it must not be before the reply.
func (s *Supervision) setPromise(ctx context.Context, suggestionID int64, date time.Time, by string) error {
	sg, err := s.db.GetSuggestion(ctx, suggestionID)
	if err != nil {
		return err
	}
	v := Supervised{SupervisionRow: model.SupervisionRow{ReplyCategory: sg.ReplyCategory, Status: sg.Status}}
	if !v.promised() || sg.RepliedAt == nil {
		return ValidationError{{Key: "promise_date", Label: "承诺期限", Msg: "只有答复为 B 类或 C 类的建议需要设定承诺期限"}}
	}
	if date.IsZero() {
		return ValidationError{{Key: "promise_date", Label: "承诺期限", Msg: "请填写日期"}}
	}
	d := day(date, time.UTC)
	if d.Before(day(*sg.RepliedAt, s.Loc)) {
		return ValidationError{{Key: "promise_date", Label: "承诺期限", Msg: "不能早于答复日期"}}
	}
	return s.db.SetPromise(ctx, suggestionID, d, sg.RepliedAt, strings.TrimSpace(by))
}

// SupervisionRates are Rates plus 见面率.
type SupervisionRates struct {
	Rates
	// Face counts suggestions with at least one rating whose contact is
	// 当面沟通.
	Face int
	// FaceRate (见面率) = Face / RatedSuggestions: of the suggestions
	// deputies rated, the share where a deputy reports having met the unit
	// face to face.
	FaceRate float64
}

// Rates returns 答复率, 办结率, 满意率 and 见面率 over the suggestions
// matching f, and the same per host unit.
func (s *Supervision) Rates(ctx context.Context, f model.SuggestionRatesFilter) (SupervisionRates, []SupervisionRates, error) {
	total, units, err := s.db.SuggestionRates(ctx, f)
	if err != nil {
		return SupervisionRates{}, nil, err
	}
	face, err := s.db.FaceToFaceCounts(ctx, f)
	if err != nil {
		return SupervisionRates{}, nil, err
	}
	with := func(unit string, c model.SuggestionCounts, n int) SupervisionRates {
		r := SupervisionRates{Rates: ratesOf(unit, c), Face: n}
		if c.RatedSuggestions > 0 {
			r.FaceRate = float64(n) / float64(c.RatedSuggestions)
		}
		return r
	}
	sum := 0
	byUnit := make([]SupervisionRates, len(units))
	for i, u := range units {
		byUnit[i] = with(u.HostUnit, u.SuggestionCounts, face[u.HostUnit])
		sum += face[u.HostUnit]
	}
	return with("", total, sum), byUnit, nil
}

// SessionRates is the overall rates of one session (届次).
type SessionRates struct {
	Session string
	SupervisionRates
}

// RatesBySession returns the overall rates of each session, the latest
// first, limited to unit when set.
func (s *Supervision) RatesBySession(ctx context.Context, unit string) ([]SessionRates, error) {
	sessions, err := s.db.SuggestionSessions(ctx)
	if err != nil {
		return nil, err
	}
	var out []SessionRates
	for _, ss := range sessions {
		r, _, err := s.Rates(ctx, model.SuggestionRatesFilter{Session: ss, HostUnit: unit})
		if err != nil {
			return nil, err
		}
		if r.Total > 0 {
			out = append(out, SessionRates{Session: ss, SupervisionRates: r})
		}
	}
	return out, nil
}

// OverdueDays is how many days the deadline has passed, 0 when it has not.
func (v Supervised) OverdueDays() int { return max(0, -v.DaysLeft) }

// StatusLabel is the suggestion's status in Chinese.
func (v Supervised) StatusLabel() string { return SuggestionStatusLabel(v.Status) }
