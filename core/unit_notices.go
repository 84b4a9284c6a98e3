package core

import (
	"context"
	"fmt"
	"slices"
	"time"

	"deputybot/model"
)

// Handling units are told (承办单位提醒): the bound staff of a suggestion's
// units (主办 and 协办) receive a notice when it is assigned to them, sent
// back for re-handling, within UnitDueSoonDays of its deadline and past
// it. Each is one delivery per account under a source naming the
// suggestion, the kind and the account, so a second writer, a re-run or a
// second instance adds none.

// UnitDueSoonDays: an open suggestion whose deadline is this close gets
// its units' 办理期限临近 notice.
const UnitDueSoonDays = 7

// UnitDeadlinesJob names the daily job that tells units of deadlines.
const UnitDeadlinesJob = "unit-deadlines"

// refUnitSuggestion is the RefKind of a unit notice: its page shows the
// notice's text, with no answer to give.
const refUnitSuggestion = "unit_suggestion"

// suggestionUnits are the units a suggestion is assigned to: the host
// unit first, then the co-units, without repeats.
func suggestionUnits(sg model.Suggestion) []string {
	var out []string
	for _, u := range append([]string{sg.HostUnit}, SplitUnits(sg.CoUnits)...) {
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// unitSource is the delivery source of one unit notice to one account:
// key tells apart the rounds of a kind that recurs (a re-handling of a
// later reply, a deadline moved by an extension).
func unitSource(kind string, suggestionID int64, key string, staffID int64) string {
	return fmt.Sprintf("unit:%s:s%d:%s:a%d", kind, suggestionID, key, staffID)
}

// unitStaff returns the bound, enabled unit accounts by unit.
func (e *env) unitStaff(ctx context.Context) (map[string][]model.BoundStaff, error) {
	all, err := e.db.BoundStaff(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]model.BoundStaff{}
	for _, a := range all {
		if a.Role == model.RoleUnit && a.Unit != "" {
			out[a.Unit] = append(out[a.Unit], a)
		}
	}
	return out, nil
}

// unitNotice is the notice of kind about sg for the unit, the host unit
// or a co-unit; deadline is the one in force, reason why it was sent back.
func (e *env) unitNotice(sg model.Suggestion, unit, kind string, deadline time.Time, reason string) model.Notice {
	role := "主办"
	if unit != sg.HostUnit {
		role = "协办"
	}
	due := ""
	if !deadline.IsZero() {
		due = deadline.Format("2006年1月2日")
	}
	var title, status string
	switch kind {
	case model.UnitNoticeAssigned:
		title, status = "新交办建议："+sg.Number, model.SuggestionStatusLabel(model.SuggestionAssigned)
	case model.UnitNoticeRehandling:
		title, status = "建议需重新办理："+sg.Number, "重新办理"
	case model.UnitNoticeDueSoon:
		title, status = "建议办理期限临近："+sg.Number, "期限临近"
	case model.UnitNoticeOverdue:
		title, status = "建议已超过办理期限："+sg.Number, "已逾期"
	}
	body := fmt.Sprintf("《%s》\n%s单位：%s", sg.Title, role, unit)
	if due != "" {
		body += "\n办理期限：" + due
	}
	if reason != "" {
		body += "\n重新办理理由：" + reason
	}
	body += "\n请登录后台查看并办理。"
	return model.Notice{Kind: model.KindUnitTask, Title: title, Body: body, RefKind: refUnitSuggestion, RefID: sg.ID,
		Fields: map[string]string{"number": sg.Number, "unit": unit, "status": status, "deadline": due,
			"time": e.now().In(e.loc).Format("2006-01-02")}}
}

// tellUnits queues the notice of kind about sg to the bound staff of each
// of its units, once per account under key; staff may be nil (read
// here). It returns how many deliveries this call queued.
func (e *env) tellUnits(ctx context.Context, staff map[string][]model.BoundStaff, sg model.Suggestion, kind, key string,
	deadline time.Time, reason string) (int, error) {
	if staff == nil {
		var err error
		if staff, err = e.unitStaff(ctx); err != nil {
			return 0, err
		}
	}
	units, reached := suggestionUnits(sg), false
	for _, u := range units {
		reached = reached || len(staff[u]) > 0
	}
	if !reached {
		return 0, nil
	}
	queued := 0
	err := e.tx(ctx, func(ctx context.Context) error {
		for _, unit := range units {
			for _, a := range staff[unit] {
				n := e.unitNotice(sg, unit, kind, deadline, reason)
				n.CreatedBy = "unit-notice"
				ok, _, err := e.db.EnqueueDirectNotice(ctx, unitSource(kind, sg.ID, key, a.ID), &n, a.OpenID)
				if err != nil {
					return err
				}
				if ok {
					queued++
				}
			}
		}
		return nil
	})
	return queued, err
}

// assigned tells the units of sg, just assigned to them (交办), in the
// caller's transaction. Every path that assigns a suggestion to its units
// calls it: Create (the console's and the API's form, the demo), the
// import, and a review that accepts a deputy's suggestion and assigns it.
// staff are the bound unit accounts by unit, nil to read them here (a
// batch reads them once).
func (s *Suggestions) assigned(ctx context.Context, staff map[string][]model.BoundStaff, sg model.Suggestion) error {
	// The deadline in force: its own, else DefaultHandlingMonths after the assignment.
	deadline := addMonths(day(sg.CreatedAt, s.env.loc), DefaultHandlingMonths)
	if sg.Deadline != nil {
		deadline = sg.Deadline.UTC()
	}
	_, err := s.env.tellUnits(ctx, staff, sg, model.UnitNoticeAssigned, "a", deadline, "")
	return err
}

// sentBack tells the units of sg that it was sent back for re-handling
// (重新办理) with reason, once per reply sent back (a second 不满意 of the
// same reply tells no one again).
func (s *Suggestions) sentBack(ctx context.Context, sg model.Suggestion, reason string) error {
	key := "r0"
	if sg.RepliedAt != nil {
		key = fmt.Sprintf("r%d", sg.RepliedAt.Unix())
	}
	_, err := s.env.tellUnits(ctx, nil, sg, model.UnitNoticeRehandling, key, time.Time{}, reason)
	return err
}

// UnitDeadlineRun counts what TellDeadlines did.
type UnitDeadlineRun struct {
	DueSoon int // 办理期限临近 notices queued
	Overdue int // 已逾期 notices queued
	Unbound int // suggestions near or past their deadline whose units have no bound staff
}

// Counts returns the run as job counts.
func (r UnitDeadlineRun) Counts() map[string]int {
	return map[string]int{"临近提醒": r.DueSoon, "逾期提醒": r.Overdue, "单位未绑定": r.Unbound}
}

// TellDeadlines tells the bound staff of each open suggestion's units,
// once, when its deadline in force is within UnitDueSoonDays, and once
// when it has passed (again after an extension moves it). by is the
// scheduler (SystemActor) or an administrator.
func (s *Supervision) TellDeadlines(ctx context.Context, by Actor) (UnitDeadlineRun, error) {
	var run UnitDeadlineRun
	if err := requireJob(by); err != nil {
		return run, err
	}
	rows, err := s.db.SupervisionRows(ctx, model.SupervisionFilter{})
	if err != nil {
		return run, err
	}
	staff, err := s.env.unitStaff(ctx)
	if err != nil {
		return run, err
	}
	co, err := s.db.SuggestionCoUnits(ctx)
	if err != nil {
		return run, err
	}
	today := day(s.Now(), s.Loc)
	for _, r := range rows {
		v := s.supervised(r, today)
		if !openStatus(v.Status) || v.DaysLeft > UnitDueSoonDays {
			continue
		}
		kind := model.UnitNoticeDueSoon
		if v.DaysLeft < 0 {
			kind = model.UnitNoticeOverdue
		}
		sg := model.Suggestion{ID: v.ID, Number: v.Number, Title: v.Title, HostUnit: v.HostUnit, CoUnits: co[v.ID]}
		reached := false
		for _, u := range suggestionUnits(sg) {
			reached = reached || len(staff[u]) > 0
		}
		if !reached {
			run.Unbound++
			continue
		}
		n, err := s.env.tellUnits(ctx, staff, sg, kind, v.Deadline.Format("20060102"), v.Deadline, "")
		if err != nil {
			return run, err
		}
		if kind == model.UnitNoticeDueSoon {
			run.DueSoon += n
		} else {
			run.Overdue += n
		}
	}
	return run, nil
}

// DigestCounts are the figures of one weekly 督办 digest: a unit's own,
// or every unit's for committee staff.
type DigestCounts struct {
	Open, Past, Near, Lookback, Pending int
}

func (c DigestCounts) summary() string {
	return fmt.Sprintf("在办 %d 件，已逾期 %d 件，%d 天内到期 %d 件，回头看 %d 件，待审批延期 %d 件",
		c.Open, c.Past, NearDays, c.Near, c.Lookback, c.Pending)
}

// digestCounts counts o for unit ("" for every unit).
func digestCounts(o Overview, unit string) DigestCounts {
	var c DigestCounts
	for _, u := range o.Units {
		if unit == "" || u.HostUnit == unit {
			c.Open, c.Past, c.Near = c.Open+u.Open, c.Past+u.Past, c.Near+u.Near
		}
	}
	for _, v := range o.Lookback {
		if unit == "" || v.HostUnit == unit {
			c.Lookback++
		}
	}
	for _, e := range o.Pending {
		if unit == "" || e.Unit == unit {
			c.Pending++
		}
	}
	return c
}

// supervisionDigestSource is the delivery source of an account's 督办 digest for a week.
func supervisionDigestSource(week string, staffID int64) string {
	return fmt.Sprintf("supervision-digest:%s:a%d", week, staffID)
}

// pushDigest queues the week's 督办 digest to every bound account: a unit
// account its own unit's counts, committee staff (admin, staff) every
// unit's. One delivery per account and week. It returns how many it
// queued.
func (s *Supervision) pushDigest(ctx context.Context, o Overview) (int, error) {
	all, err := s.db.BoundStaff(ctx)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	week, dayText := DigestWeek(now), now.In(s.Loc).Format("1月2日")
	queued := 0
	for _, a := range all {
		var c DigestCounts
		var title, body string
		switch {
		case a.Role == model.RoleUnit && a.Unit != "":
			c = digestCounts(o, a.Unit)
			title = "督办周报（" + dayText + "）：" + a.Unit
			body = a.Unit + "本周建议办理情况：" + c.summary() + "。"
		case a.Role == model.RoleAdmin || a.Role == model.RoleStaff:
			c = digestCounts(o, "")
			title = "督办周报（" + dayText + "）"
			body = "全部承办单位本周建议办理情况：" + c.summary() + "。"
			for _, u := range o.Units {
				if u.Past > 0 || u.Near > 0 {
					body += fmt.Sprintf("\n%s：已逾期 %d 件，临近期限 %d 件", orUnset(u.HostUnit), u.Past, u.Near)
				}
			}
		default:
			continue
		}
		n := model.Notice{Kind: model.KindUnitTask, Title: title, Body: body, RefKind: "supervision_digest",
			CreatedBy: SupervisionDigestJob, Fields: map[string]string{"time": dayText, "status": "督办周报",
				"note": fmt.Sprintf("逾期%d 临近%d 回头看%d", c.Past, c.Near, c.Lookback)}}
		ok, _, err := s.db.EnqueueDirectNotice(ctx, supervisionDigestSource(week, a.ID), &n, a.OpenID)
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

// UnitUnreached is a suggestion whose units would be told in WeChat now —
// newly assigned, sent back, near or past its deadline — but some of
// whose units have no bound staff: the console highlights it, for staff
// to tell them another way.
type UnitUnreached struct {
	Supervised
	Units  []string // its units with no bound staff
	Reason string   // 新交办, 重新办理, 期限临近 or 已逾期
}

// unreached lists the suggestions matching f that their unbound units
// should hear about, most urgent first: past the deadline, then near it
// (within UnitDueSoonDays), sent back, assigned within UnitDueSoonDays.
func (s *Supervision) unreached(ctx context.Context, f model.SupervisionFilter) ([]UnitUnreached, error) {
	return s.alerts(ctx, f, true)
}

// alerts lists the suggestions matching f a unit should hear about now,
// most urgent first; with unbound, only those some of whose units have no
// bound staff (Units names them), else all (Units names every unit).
func (s *Supervision) alerts(ctx context.Context, f model.SupervisionFilter, unbound bool) ([]UnitUnreached, error) {
	rows, err := s.db.SupervisionRows(ctx, f)
	if err != nil {
		return nil, err
	}
	staff, err := s.env.unitStaff(ctx)
	if err != nil {
		return nil, err
	}
	co, err := s.db.SuggestionCoUnits(ctx)
	if err != nil {
		return nil, err
	}
	today := day(s.Now(), s.Loc)
	var out []UnitUnreached
	for _, r := range rows {
		v := s.supervised(r, today)
		if !openStatus(v.Status) {
			continue
		}
		reason := ""
		switch {
		case v.DaysLeft < 0:
			reason = "已逾期"
		case v.DaysLeft <= UnitDueSoonDays:
			reason = "期限临近"
		case v.Status == model.SuggestionRehandling:
			reason = "重新办理"
		case v.Status == model.SuggestionAssigned && !v.Assigned.Before(today.AddDate(0, 0, -UnitDueSoonDays)):
			reason = "新交办"
		default:
			continue
		}
		var units []string
		for _, u := range suggestionUnits(model.Suggestion{HostUnit: v.HostUnit, CoUnits: co[v.ID]}) {
			if !unbound || len(staff[u]) == 0 {
				units = append(units, u)
			}
		}
		if len(units) > 0 {
			out = append(out, UnitUnreached{Supervised: v, Units: units, Reason: reason})
		}
	}
	rank := map[string]int{"已逾期": 0, "期限临近": 1, "重新办理": 2, "新交办": 3}
	slices.SortStableFunc(out, func(a, b UnitUnreached) int {
		if d := rank[a.Reason] - rank[b.Reason]; d != 0 {
			return d
		}
		return a.Deadline.Compare(b.Deadline)
	})
	return out, nil
}

// UnitTasks is what a bound staff member reads in the chat (待办): the
// suggestions of their unit (every unit's, for committee staff) to act on
// now, most urgent first.
type UnitTasks struct {
	Account model.Account
	Unit    string // "" for committee staff
	Items   []UnitUnreached
}

// TasksAs returns by's 待办: by is a staff account acting in WeChat (or
// anywhere); a unit account sees its own unit's suggestions as host unit.
func (s *Supervision) TasksAs(ctx context.Context, by Actor) (UnitTasks, error) {
	if err := by.Require(StepRecorders...); err != nil {
		return UnitTasks{}, err
	}
	items, err := s.alerts(ctx, model.SupervisionFilter{HostUnit: supervisionUnit(by)}, false)
	out := UnitTasks{Account: by.Account, Items: items}
	if unit, limited := UnitScope(by); limited {
		out.Unit = orUnset(unit)
	}
	return out, err
}
