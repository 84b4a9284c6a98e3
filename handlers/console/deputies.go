package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// deputyPageSize is the length of a page of the deputy list.
const deputyPageSize = 50

// deputyQuery is the filter of the deputy list, as written in the URL;
// values it does not know are ignored, never passed to SQL as text.
type deputyQuery struct {
	Delegation, Level, Grassroots, Group, Tag, Status, Bound, Q string
	Page                                                        int
}

func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return ""
}

func parseDeputyQuery(v url.Values) deputyQuery {
	c := httpkit.CleanText
	return deputyQuery{Delegation: c(v.Get("delegation")), Group: c(v.Get("group")), Tag: c(v.Get("tag")), Q: c(v.Get("q")),
		Level:      oneOf(v.Get("level"), model.LevelProvincial, model.LevelNational),
		Status:     oneOf(v.Get("status"), model.StatusActive, model.StatusEnded),
		Grassroots: oneOf(v.Get("grassroots"), "yes", "no"), Bound: oneOf(v.Get("bound"), "yes", "no"),
		Page: pageParam(v)}
}

func yesNoPtr(v string) *bool {
	switch v {
	case "yes", "no":
		b := v == "yes"
		return &b
	}
	return nil
}

func (q deputyQuery) filter(per int) model.DeputyFilter {
	f := model.DeputyFilter{Delegation: q.Delegation, Level: q.Level, Grassroots: yesNoPtr(q.Grassroots),
		ProfessionalGroup: q.Group, Tag: q.Tag, Status: q.Status, Bound: yesNoPtr(q.Bound), Query: q.Q}
	if per > 0 {
		f.Limit, f.Offset = per, (q.Page-1)*per
	}
	return f
}

func (q deputyQuery) values(page int) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"delegation": q.Delegation, "level": q.Level, "grassroots": q.Grassroots,
		"group": q.Group, "tag": q.Tag, "status": q.Status, "bound": q.Bound, "q": q.Q} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

type deputiesView struct {
	Query       deputyQuery
	Note        string
	Deputies    []model.Deputy
	Pager       pager
	Delegations []string
	Groups      []string
	Tags        []string
	ExportURL   string
}

func deputiesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	q := parseDeputyQuery(r.URL.Query())
	ds, total, note, err := s.core.Deputies.ListAs(ctx, by, q.filter(deputyPageSize))
	if err != nil {
		return err
	}
	v := deputiesView{Query: q, Note: note, Deputies: ds,
		Pager: newPager(total, q.Page, deputyPageSize, func(p int) string { return "/admin/deputies?" + q.values(p).Encode() })}
	if core.SeesPhones(by) {
		v.ExportURL = "/admin/deputies/export?" + q.values(1).Encode()
	}
	if v.Delegations, v.Tags, err = s.core.Deputies.Choices(ctx, by); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "deputies", page{Title: "代表名册", Nav: "deputies", Me: by.Account, Data: v})
	return nil
}

// deputiesExport downloads the deputies matching the list's filters as
// Excel (or CSV with format=csv).
func deputiesExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Deputies.ExportAs(r.Context(), by, r.URL.Query().Get("format"), parseDeputyQuery(r.URL.Query()).filter(0))
	if verr, ok := core.Fields(err); ok {
		return badInput(verr[0].Msg)
	} else if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
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

var tagSep = regexp.MustCompile(`[,，、;；\n]+`)

// apply writes the form's fields onto d (keeping its status and binding)
// and returns the problems found before core validates the rest.
func (f deputyForm) apply(d *model.Deputy) core.ValidationError {
	d.Name, d.Gender, d.Ethnicity, d.Delegation = f.Name, f.Gender, f.Ethnicity, f.Delegation
	d.Level, d.Grassroots, d.Occupation, d.ProfessionalGroup = f.Level, f.Grassroots, f.Occupation, f.ProfessionalGroup
	d.Phone, d.Tags = f.Phone, nil
	for _, t := range tagSep.Split(f.Tags, -1) {
		if t = strings.TrimSpace(t); t != "" {
			d.Tags = append(d.Tags, t)
		}
	}
	d.BirthDate = nil
	if f.BirthDate != "" {
		t, err := time.Parse(time.DateOnly, f.BirthDate)
		if err != nil {
			return core.ValidationError{{Key: "birth_date", Label: "出生日期", Value: f.BirthDate, Msg: "格式应为 1970-01-31"}}
		}
		d.BirthDate = &t
	}
	return nil
}

// deputyFormView is the create / edit page: the form as typed and the
// message beside each field at fault.
type deputyFormView struct {
	ID          int64 // 0 when new
	Form        deputyForm
	Errors      fieldErrors
	Delegations []string
}

func (s *server) renderDeputyForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v deputyFormView) error {
	var err error
	if v.Delegations, _, err = s.core.Meetings.AudienceChoices(r.Context(), by); err != nil {
		return err
	}
	title := "新增代表"
	if v.ID != 0 {
		title = "编辑代表"
	}
	s.render(w, r, status, "deputy_form", page{Title: title, Nav: "deputies", Me: by.Account, Data: v})
	return nil
}

func deputyNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderDeputyForm(w, r, by, http.StatusOK, deputyFormView{Form: deputyFormOf(model.Deputy{})})
}

func deputyCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	f := parseDeputyForm(r.PostForm)
	var d model.Deputy
	err := s.core.Deputies.CreateAs(r.Context(), by, &d, f.apply(&d))
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderDeputyForm(w, r, by, http.StatusUnprocessableEntity, deputyFormView{Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "已新增代表 "+d.Name+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}

func deputyEdit(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.core.Deputies.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	return s.renderDeputyForm(w, r, by, http.StatusOK, deputyFormView{ID: d.ID, Form: deputyFormOf(d)})
}

func deputyUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	f := parseDeputyForm(r.PostForm)
	d, err := s.core.Deputies.UpdateAs(r.Context(), by, id, f.apply)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderDeputyForm(w, r, by, http.StatusUnprocessableEntity, deputyFormView{ID: id, Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "已保存。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}

type deputyView struct {
	Deputy      model.Deputy
	Invitations []deputyInvitationRow
	Suggestions []deputySuggestionRow
	Ratings     []deputyRatingRow
	Opinions    []deputyOpinionRow
	Deliveries  []model.DeputyDelivery
	BindLock    *model.BindLock
}

type deputyInvitationRow struct {
	model.Invitation
	KindLabel, StatusLabel string
}

type deputySuggestionRow struct {
	model.DeputySuggestion
	StatusLabel, RoleLabel string
}

type deputyRatingRow struct {
	model.DeputyRating
	Contact, Attitude, Result string
}

type deputyOpinionRow struct {
	model.Opinion
	CategoryLabel, StatusLabel, Snippet string
}

var suggestionRoleLabels = map[string]string{model.RoleLead: "领衔", model.RoleSecond: "附议"}

func deputyShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	p, err := s.core.Deputies.PageAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	v := deputyView{Deputy: p.Deputy, Deliveries: p.Deliveries, BindLock: p.BindLock}
	for _, inv := range p.Invitations {
		v.Invitations = append(v.Invitations, deputyInvitationRow{Invitation: inv,
			KindLabel: model.MeetingKindLabel(inv.Meeting.Kind), StatusLabel: model.RSVPLabel(inv.Status)})
	}
	for _, sg := range p.Suggestions {
		v.Suggestions = append(v.Suggestions, deputySuggestionRow{DeputySuggestion: sg,
			StatusLabel: core.SuggestionStatusLabel(sg.Status), RoleLabel: orDefault(suggestionRoleLabels[sg.Role], sg.Role)})
	}
	for _, rt := range p.Ratings {
		v.Ratings = append(v.Ratings, deputyRatingRow{DeputyRating: rt, Contact: core.ContactLabel(rt.Contact),
			Attitude: core.SatisfactionLabel(rt.Attitude), Result: core.SatisfactionLabel(rt.Result)})
	}
	for _, o := range p.Opinions {
		v.Opinions = append(v.Opinions, deputyOpinionRow{Opinion: o, CategoryLabel: core.OpinionCategoryLabel(o.Category),
			StatusLabel: core.OpinionStatusLabel(o.Status), Snippet: shortText(o.Body, 30)})
	}
	s.render(w, r, http.StatusOK, "deputy", page{Title: p.Deputy.Name, Nav: "deputies", Me: by.Account, Data: v})
	return nil
}

type terminateView struct {
	Deputy       model.Deputy
	Date, Reason string
	Errors       fieldErrors
	Impact       core.TerminationImpact
}

func deputyTerminateForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.core.Deputies.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	v := terminateView{Deputy: d, Date: s.core.Now().In(s.core.Location()).Format(time.DateOnly)}
	if v.Impact, err = s.core.Deputies.TerminationImpactAs(r.Context(), by, id); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "deputy_terminate", page{Title: "终止代表资格", Nav: "deputies", Me: by.Account, Data: v})
	return nil
}

// deputyTerminate ends a term once the confirmation box is ticked.
func deputyTerminate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	date, reason := strings.TrimSpace(r.PostFormValue("date")), r.PostFormValue("reason")
	d, err := s.core.Deputies.TerminateAs(r.Context(), by, id, date, r.PostFormValue("confirm") != "", reason)
	if fe, ok := fieldErrorsOf(err); ok {
		d, err := s.core.Deputies.GetAs(r.Context(), by, id)
		if err != nil {
			return err
		}
		v := terminateView{Deputy: d, Date: date, Reason: reason, Errors: fe}
		s.render(w, r, http.StatusUnprocessableEntity, "deputy_terminate", page{Title: "终止代表资格", Nav: "deputies", Me: by.Account, Data: v})
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, d.Name+" 的代表资格已终止。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}

type importView struct {
	Done        bool
	Filename    string
	SkipInvalid bool
	Error       string // why nothing was imported
	Report      core.ImportReport
	Shown       []core.RowError
	More        int // row errors not shown
}

func deputyImportForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	s.render(w, r, http.StatusOK, "deputy_import", page{Title: "导入代表名册", Nav: "deputies", Me: by.Account, Data: importView{}})
	return nil
}

// deputyImport runs an uploaded file (or the file a preview carried on,
// with the preview's confirmations) through the registry's importer and
// shows its report, row errors included, in the page.
func deputyImport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	v := importView{Done: true}
	status := http.StatusOK
	f, name, err := previewedUpload(w, r)
	switch {
	case errors.Is(err, httpkit.ErrUploadTooLarge):
		v.Error, status = err.Error(), http.StatusRequestEntityTooLarge
	case err != nil:
		return badInput(err.Error())
	default:
		defer f.Close()
		v.Filename = name
		v.SkipInvalid = r.FormValue("skip_invalid") != "" && r.FormValue("skip_invalid") != "false"
		opts := core.ImportOptions{SkipInvalid: v.SkipInvalid, ConfirmRenames: r.FormValue("confirm_renames") == "1"}
		v.Report, err = s.core.Deputies.ImportAs(r.Context(), by, f, v.Filename, opts)
		if fe, ok := fieldErrorsOf(err); ok && fe["confirm_renames"] != "" {
			v.Error, status, err = fe["confirm_renames"], http.StatusUnprocessableEntity, nil
		}
		if err != nil {
			if v.Error, status, err = importOutcome(err, "未导入任何数据。请修改后重新上传，或勾选“跳过有错误的行”。", v.Report.Errors); err != nil {
				return err
			}
		}
	}
	v.Shown = v.Report.Errors[:min(len(v.Report.Errors), maxShownRowErrs)]
	v.More = len(v.Report.Errors) - len(v.Shown)
	s.render(w, r, status, "deputy_import", page{Title: "导入代表名册", Nav: "deputies", Me: by.Account, Data: v})
	return nil
}

// bindCodeView shows a binding code the one time it is shown.
type bindCodeView struct {
	Deputy  model.Deputy
	Code    string
	Expires time.Time
}

// deputyBindCode gives the deputy a fresh code (replacing any earlier
// one); core records who did it, the code itself stays out of the log.
func deputyBindCode(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	d, code, expires, err := s.core.Binding.IssueCode(r.Context(), by, id, core.BindCodeValidity)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bindcode", page{Title: "绑定码", Nav: "deputies", Me: by.Account, Data: bindCodeView{Deputy: d, Code: code, Expires: expires}})
	return nil
}

type unbindView struct {
	Deputy model.Deputy
	Errors fieldErrors
}

func deputyUnbindForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.core.Deputies.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bindcode_unbind", page{Title: "解除微信绑定", Nav: "deputies", Me: by.Account, Data: unbindView{Deputy: d}})
	return nil
}

// deputyUnbind removes the binding once the confirmation box is ticked.
func deputyUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	d, err := s.core.Deputies.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	if d.OpenID != "" && r.PostFormValue("confirm") == "" {
		v := unbindView{Deputy: d, Errors: fieldErrors{"confirm": "请勾选确认"}}
		s.render(w, r, http.StatusUnprocessableEntity, "bindcode_unbind", page{Title: "解除微信绑定", Nav: "deputies", Me: by.Account, Data: v})
		return nil
	}
	if _, err := s.core.Binding.Unbind(r.Context(), by, d.ID); err != nil {
		return err
	}
	s.flash(r, "已解除 "+d.Name+" 的微信绑定。代表可用绑定码或手机号后四位重新绑定。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}
