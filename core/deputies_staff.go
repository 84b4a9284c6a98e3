package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"deputybot/model"
)

// SeesPhones reports whether by sees deputies' phone numbers (and may
// download the registry, which holds them all).
func SeesPhones(by Actor) bool {
	role := by.Role()
	return role == model.RoleAdmin || role == model.RoleStaff
}

// masked is ds with phone numbers masked for an actor who may not see them.
func masked(by Actor, ds ...model.Deputy) []model.Deputy {
	if SeesPhones(by) {
		return ds
	}
	out := make([]model.Deputy, len(ds))
	for i, d := range ds {
		d.Phone = MaskPhone(d.Phone)
		out[i] = d
	}
	return out
}

var hasDigit = regexp.MustCompile(`\d`)

// viewerFilter is f as by may search: an actor who does not see phone
// numbers searches by name only, so a search cannot guess a number digit
// by digit; note says so when digits were dropped.
func viewerFilter(by Actor, f model.DeputyFilter) (model.DeputyFilter, string) {
	if !SeesPhones(by) && hasDigit.MatchString(f.Query) {
		f.Query = hasDigit.ReplaceAllString(f.Query, "")
		return f, "只读账号不能按手机号搜索，已忽略搜索词中的数字。"
	}
	return f, ""
}

// ListAs returns a page of deputies matching f, and how many match in
// all, phone numbers masked for by when by may not see them; note says
// when a search was narrowed.
func (r *Registry) ListAs(ctx context.Context, by Actor, f model.DeputyFilter) (ds []model.Deputy, total int, note string, err error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, "", err
	}
	f, note = viewerFilter(by, f)
	ds, total, err = r.db.ListDeputies(ctx, f)
	return masked(by, ds...), total, note, err
}

// GetAs returns one deputy, the phone masked for by when by may not see it.
func (r *Registry) GetAs(ctx context.Context, by Actor, id int64) (model.Deputy, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.Deputy{}, err
	}
	d, err := r.db.GetDeputy(ctx, id)
	if err != nil {
		return d, err
	}
	return masked(by, d)[0], nil
}

// CreateAs validates and stores a new deputy as by, audited; pre holds
// the problems the surface found decoding (a malformed birth date), so
// every field's problem is shown at once.
func (r *Registry) CreateAs(ctx context.Context, by Actor, d *model.Deputy, pre ValidationError) error {
	if err := by.Require(Editors...); err != nil {
		return err
	}
	if len(pre) > 0 {
		probe := *d
		return keyed(append(pre, Normalize(&probe)...), deputyKeys)
	}
	return r.env.tx(ctx, func(ctx context.Context) error {
		if err := r.Create(ctx, d); err != nil {
			return keyed(err, deputyKeys)
		}
		return r.env.audit(ctx, by, "deputy.create", deputyObject(*d), fmt.Sprintf("新增代表 %s（%s）", d.Name, d.Delegation))
	})
}

// UpdateAs changes the registry fields of deputy id as by: change writes
// the new values onto the deputy (keeping status and binding) and returns
// the problems it found decoding them. Validated, stored and audited with
// what changed, in one transaction; it returns the deputy as stored.
func (r *Registry) UpdateAs(ctx context.Context, by Actor, id int64, change func(*model.Deputy) ValidationError) (model.Deputy, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Deputy{}, err
	}
	var out model.Deputy
	err := r.env.tx(ctx, func(ctx context.Context) error {
		before, err := r.db.GetDeputy(ctx, id)
		if err != nil {
			return err
		}
		d := before
		d.Tags = append([]string(nil), before.Tags...)
		if pre := change(&d); len(pre) > 0 {
			probe := d
			return keyed(append(pre, Normalize(&probe)...), deputyKeys)
		}
		if err := r.Update(ctx, &d); err != nil {
			return keyed(err, deputyKeys)
		}
		out = d
		return r.env.audit(ctx, by, "deputy.update", deputyObject(d), d.Name+"："+DeputyChanges(before, d))
	})
	return out, err
}

// TerminateAs ends deputy id's term on date (YYYY-MM-DD) for reason, as
// by; confirmed is the console's tick box (the API's call is its own
// confirmation). Audited; it returns the deputy as it now stands.
func (r *Registry) TerminateAs(ctx context.Context, by Actor, id int64, date string, confirmed bool, reason string) (model.Deputy, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Deputy{}, err
	}
	var errs ValidationError
	on, perr := time.Parse(time.DateOnly, strings.TrimSpace(date))
	if perr != nil {
		errs = append(errs, &FieldError{Key: "date", Label: "终止日期", Value: date, Msg: "格式应为 2026-03-31"})
	}
	if !confirmed {
		errs = append(errs, &FieldError{Key: "confirm", Label: "确认", Msg: "请勾选确认"})
	}
	var out model.Deputy
	err := r.env.tx(ctx, func(ctx context.Context) error {
		d, err := r.db.GetDeputy(ctx, id)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		if err := r.terminate(ctx, d.ID, on, reason); err != nil {
			return err
		}
		if err := r.env.audit(ctx, by, "deputy.terminate", deputyObject(d),
			fmt.Sprintf("%s：代表资格终止于 %s，原因：%s", d.Name, on.Format(time.DateOnly), strings.TrimSpace(reason))); err != nil {
			return err
		}
		out, err = r.db.GetDeputy(ctx, d.ID)
		return err
	})
	return masked(by, out)[0], err
}

// ExportAs writes the registry filtered by f as xlsx or csv for by (who
// must see phone numbers: the file holds them all), audited before the
// file is handed out.
func (r *Registry) ExportAs(ctx context.Context, by Actor, format string, f model.DeputyFilter) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	switch format {
	case "", "xlsx":
		format = "xlsx"
	case "csv":
	default:
		return ExportFile{}, &FieldError{Key: "format", Label: "格式", Value: format, Msg: "应为 xlsx 或 csv"}
	}
	f.Limit, f.Offset = 0, 0
	var out ExportFile
	err := r.env.tx(ctx, func(ctx context.Context) error {
		var buf bytes.Buffer
		n, err := r.Export(ctx, &buf, format, f)
		if err != nil {
			return err
		}
		out = ExportFile{Name: fmt.Sprintf("代表名册-%s.%s", r.env.now().In(r.env.loc).Format("20060102-1504"), format), Data: buf.Bytes()}
		return r.env.audit(ctx, by, "deputy.export", "deputies", fmt.Sprintf("导出代表名册 %d 位（%s）", n, format))
	})
	return out, err
}

// DeputyPage is a deputy's record of work as staff read it.
type DeputyPage struct {
	Deputy      model.Deputy
	Invitations []model.Invitation
	Suggestions []model.DeputySuggestion
	Ratings     []model.DeputyRating
	Opinions    []model.Opinion
	Deliveries  []model.DeputyDelivery
	BindLock    *model.BindLock // set while binding by phone digits is locked
}

// How many rows each section of a deputy's page lists.
const (
	recentDeliveries  = 20
	recentInvitations = 30
	recentRatings     = 30
	recentOpinions    = 30
)

// PageAs returns deputy id with the latest of their invitations,
// suggestions, ratings given, opinions and pushes.
func (r *Registry) PageAs(ctx context.Context, by Actor, id int64) (DeputyPage, error) {
	var p DeputyPage
	var err error
	if p.Deputy, err = r.GetAs(ctx, by, id); err != nil {
		return p, err
	}
	if p.Invitations, err = r.db.InvitationsOfDeputy(ctx, id, recentInvitations); err != nil {
		return p, err
	}
	if p.Suggestions, err = r.db.SuggestionsOfDeputy(ctx, id); err != nil {
		return p, err
	}
	if p.Ratings, err = r.db.RatingsOfDeputy(ctx, id, recentRatings); err != nil {
		return p, err
	}
	if p.Opinions, err = r.db.OpinionsOfDeputy(ctx, id, recentOpinions); err != nil {
		return p, err
	}
	if p.Deliveries, err = r.db.RecentDeliveriesOf(ctx, id, recentDeliveries); err == nil {
		err = r.env.explainDeputyDeliveries(ctx, p.Deliveries)
	}
	if err != nil {
		return p, err
	}
	if l, err := r.db.GetBindLock(ctx, id); err == nil {
		p.BindLock = &l
	} else if !errors.Is(err, model.ErrNotFound) {
		return p, err
	}
	return p, nil
}

// deputyKeys are the field keys of a deputy's Chinese labels.
var deputyKeys = map[string]string{
	"姓名": "name", "性别": "gender", "民族": "ethnicity", "出生日期": "birth_date", "代表团": "delegation",
	"代表层级": "level", "是否基层代表": "grassroots", "职业": "occupation", "专业小组": "professional_group",
	"手机号": "phone", "标签": "tags", "终止原因": "reason", "终止日期": "date", "确认": "confirm"}

// Choices lists the delegations and tags the deputy list filters by.
func (r *Registry) Choices(ctx context.Context, by Actor) (delegations, tags []string, err error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, nil, err
	}
	ds, err := r.db.ListDelegations(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		delegations = append(delegations, d.Name)
	}
	tags, err = r.db.ListTags(ctx)
	return delegations, tags, err
}

// TerminationImpact is what ending a deputy's term stops, for the
// confirmation: pushes still waiting to go to them, and invitations to
// meetings that have not started.
type TerminationImpact struct {
	Waiting, Invitations int
}

// TerminationImpactAs counts what terminating the deputy would stop.
func (r *Registry) TerminationImpactAs(ctx context.Context, by Actor, id int64) (TerminationImpact, error) {
	if err := by.Require(Editors...); err != nil {
		return TerminationImpact{}, err
	}
	w, n, err := r.db.TerminationImpact(ctx, id, r.env.now())
	return TerminationImpact{Waiting: w, Invitations: n}, err
}
