package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"deputybot/core"
	"deputybot/model"
)

// fieldKeys maps core's Chinese field names to the names of form fields
// and JSON properties, so an error is shown beside its field.
var fieldKeys = map[string]string{
	"姓名": "name", "性别": "gender", "民族": "ethnicity", "出生日期": "birth_date", "代表团": "delegation",
	"代表层级": "level", "是否基层代表": "grassroots", "职业": "occupation", "专业小组": "professional_group",
	"手机号": "phone", "标签": "tags", "终止原因": "reason", "终止日期": "date", "确认": "confirm",
	"用户名": "username", "角色": "role", "承办单位": "unit", "密码": "password", "当前密码": "current",
	"新密码": "password", "确认密码": "confirm", "令牌名称": "name", "文件": "file",
}

// fieldErrors maps a form field to its message; "general" holds the
// messages of no particular field.
type fieldErrors map[string]string

// fieldErrorsOf returns the per-field messages of a validation error, and
// false for any other error.
func fieldErrorsOf(err error) (fieldErrors, bool) {
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr):
	case errors.As(err, &ferr):
		verr = core.ValidationError{ferr}
	default:
		return nil, false
	}
	out := fieldErrors{}
	for _, e := range verr {
		key, ok := e.Key, e.Key != ""
		if !ok {
			key, ok = fieldKeys[e.Label]
		}
		msg := e.Msg
		if !ok {
			key, msg = "general", e.Label+"："+e.Msg
		}
		if out[key] != "" {
			msg = out[key] + "；" + msg
		}
		out[key] = msg
	}
	return out, true
}

// deputyQuery is the filter of the deputy list, as written in the URL;
// values it does not know are ignored, never passed to SQL as text.
type deputyQuery struct {
	Delegation, Level, Grassroots, Group, Tag, Status, Bound, Q string
	Page                                                        int
}

func parseDeputyQuery(v url.Values) deputyQuery {
	q := deputyQuery{
		Delegation: cleanText(v.Get("delegation")), Group: cleanText(v.Get("group")),
		Tag: cleanText(v.Get("tag")), Q: cleanText(v.Get("q")),
		Level:      oneOf(v.Get("level"), model.LevelProvincial, model.LevelNational),
		Status:     oneOf(v.Get("status"), model.StatusActive, model.StatusEnded),
		Grassroots: oneOf(v.Get("grassroots"), "yes", "no"), Bound: oneOf(v.Get("bound"), "yes", "no"),
	}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = min(max(q.Page, 1), 100000)
	return q
}

// cleanText trims a filter value and drops control characters (a NUL
// is ignored by MySQL's collation and cuts SQLite's LIKE short).
func cleanText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return ""
}

func yesNoPtr(v string) *bool {
	switch v {
	case "yes":
		b := true
		return &b
	case "no":
		b := false
		return &b
	}
	return nil
}

var hasDigit = regexp.MustCompile(`\d`)

// filter turns the query into a storage filter for me. Roles that do not
// see phone numbers search by name only, so a search cannot be used to
// guess a number digit by digit.
func (q deputyQuery) filter(me model.Account) (model.DeputyFilter, string) {
	f := model.DeputyFilter{Delegation: q.Delegation, Level: q.Level, Grassroots: yesNoPtr(q.Grassroots),
		ProfessionalGroup: q.Group, Tag: q.Tag, Status: q.Status, Bound: yesNoPtr(q.Bound), Query: q.Q}
	var note string
	if !canSeePhones(me.Role) && hasDigit.MatchString(q.Q) {
		f.Query = hasDigit.ReplaceAllString(q.Q, "")
		note = "只读账号不能按手机号搜索，已忽略搜索词中的数字。"
	}
	return f, note
}

// values writes the query back as URL parameters, for links that keep it.
func (q deputyQuery) values(page int) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("delegation", q.Delegation)
	set("level", q.Level)
	set("grassroots", q.Grassroots)
	set("group", q.Group)
	set("tag", q.Tag)
	set("status", q.Status)
	set("bound", q.Bound)
	set("q", q.Q)
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// deputyForm is the create / edit form of a deputy, as typed.
type deputyForm struct {
	Name, Gender, Ethnicity, BirthDate, Delegation, Level string
	Grassroots                                            bool
	Occupation, ProfessionalGroup, Phone, Tags            string
}

func deputyFormOf(d model.Deputy) deputyForm {
	f := deputyForm{Name: d.Name, Gender: d.Gender, Ethnicity: d.Ethnicity, BirthDate: fmtDay(d.BirthDate),
		Delegation: d.Delegation, Level: d.Level, Grassroots: d.Grassroots, Occupation: d.Occupation,
		ProfessionalGroup: d.ProfessionalGroup, Phone: d.Phone, Tags: strings.Join(d.Tags, "，")}
	if f.Level == "" {
		f.Level = model.LevelProvincial
	}
	return f
}

func parseDeputyForm(v url.Values) deputyForm {
	return deputyForm{Name: v.Get("name"), Gender: v.Get("gender"), Ethnicity: v.Get("ethnicity"),
		BirthDate: strings.TrimSpace(v.Get("birth_date")), Delegation: v.Get("delegation"), Level: v.Get("level"),
		Grassroots: v.Get("grassroots") != "", Occupation: v.Get("occupation"),
		ProfessionalGroup: v.Get("professional_group"), Phone: v.Get("phone"), Tags: v.Get("tags")}
}

// apply writes the form's fields onto d (keeping its status and binding)
// and returns the problems found before core validates the rest.
func (f deputyForm) apply(d *model.Deputy) core.ValidationError {
	var errs core.ValidationError
	d.Name, d.Gender, d.Ethnicity, d.Delegation = f.Name, f.Gender, f.Ethnicity, f.Delegation
	d.Level, d.Grassroots, d.Occupation, d.ProfessionalGroup = f.Level, f.Grassroots, f.Occupation, f.ProfessionalGroup
	d.Phone, d.Tags = f.Phone, splitTags(f.Tags)
	d.BirthDate = nil
	if f.BirthDate != "" {
		t, err := time.Parse(time.DateOnly, f.BirthDate)
		if err != nil {
			errs = append(errs, &core.FieldError{Key: "birth_date", Label: "出生日期", Value: f.BirthDate, Msg: "格式应为 1970-01-31"})
		} else {
			d.BirthDate = &t
		}
	}
	return errs
}

var tagSep = regexp.MustCompile(`[,，、;；\n]+`)

func splitTags(s string) []string {
	var out []string
	for _, t := range tagSep.Split(s, -1) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// storeDeputy validates and stores d (created when d.ID is 0). pre holds
// the problems found while decoding; core's are added to them, so every
// field's problem is shown at once.
func (s *server) storeDeputy(ctx context.Context, d *model.Deputy, pre core.ValidationError) error {
	if len(pre) > 0 {
		probe := *d
		return append(pre, core.Normalize(&probe)...)
	}
	if d.ID == 0 {
		return s.registry.Create(ctx, d)
	}
	return s.registry.Update(ctx, d)
}

func deputyObject(d model.Deputy) string { return fmt.Sprintf("deputy/%d", d.ID) }

func accountObject(a model.Account) string { return "staff/" + a.Username }

// parseID reads a positive numeric path value.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.ErrNotFound
	}
	return id, nil
}
