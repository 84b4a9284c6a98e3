package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/suggestions/new", editors, suggestionNew)
	consoleRoute(http.MethodPost, "/admin/suggestions", editors, suggestionCreate)
}

// suggestionKeys names the form field (and JSON property) of each of the
// suggestion's Chinese field names.
var suggestionKeys = mapKeys(map[string]string{"建议编号": "number", "标题": "title", "内容摘要": "summary",
	"届次": "session", "主办单位": "host_unit", "协办单位": "co_units", "领衔代表": "lead", "附议代表": "seconders",
	"办理期限": "deadline"})

// suggestionForm is the create form, as typed: deputies by name.
type suggestionForm struct {
	Number, Title, Summary, Session, Lead, Seconders, HostUnit, CoUnits, Deadline string
}

type suggestionFormView struct {
	Form     suggestionForm
	Errors   fieldErrors
	Units    []string
	Sessions []string
}

func parseSuggestionForm(v url.Values) suggestionForm {
	return suggestionForm{Number: v.Get("number"), Title: v.Get("title"), Summary: v.Get("summary"),
		Session: v.Get("session"), Lead: v.Get("lead"), Seconders: v.Get("seconders"), HostUnit: v.Get("host_unit"),
		CoUnits: v.Get("co_units"), Deadline: strings.TrimSpace(v.Get("deadline"))}
}

// suggestion turns the form into a suggestion and its seconders, with
// every problem found: names not matching one deputy, a bad date, and
// what core would refuse.
func (f suggestionForm) suggestion(ctx context.Context, svc *core.Suggestions) (model.Suggestion, []int64, core.ValidationError, error) {
	sg := model.Suggestion{Number: f.Number, Title: f.Title, Summary: f.Summary, Session: f.Session,
		HostUnit: f.HostUnit, CoUnits: f.CoUnits}
	var errs core.ValidationError
	if lead := strings.TrimSpace(f.Lead); lead != "" {
		ids, bad, err := svc.ResolveDeputies(ctx, "领衔代表", []string{lead})
		if err != nil {
			return sg, nil, nil, err
		}
		errs = append(errs, bad...)
		if len(ids) == 1 {
			sg.LeadDeputyID = ids[0]
		}
	} else {
		errs = append(errs, &core.FieldError{Label: "领衔代表", Msg: "不能为空"})
	}
	seconders, bad, err := svc.ResolveDeputies(ctx, "附议代表", core.SplitDeputyNames(f.Seconders))
	if err != nil {
		return sg, nil, nil, err
	}
	errs = append(errs, bad...)
	if f.Deadline != "" {
		t, ok := core.ParseDeadline(f.Deadline)
		if !ok {
			errs = append(errs, &core.FieldError{Key: "deadline", Label: "办理期限", Value: f.Deadline, Msg: "格式应为 2026-06-30"})
		} else {
			sg.Deadline = &t
		}
	}
	if len(errs) > 0 {
		errs = append(core.CheckSuggestion(sg), errs...)
	}
	return sg, seconders, errs, nil
}

func (s *server) renderSuggestionForm(w http.ResponseWriter, r *http.Request, me model.Account, status int, v suggestionFormView) error {
	var err error
	if v.Units, err = s.d.DB.SuggestionUnits(r.Context()); err != nil {
		return err
	}
	if v.Sessions, err = s.d.DB.SuggestionSessions(r.Context()); err != nil {
		return err
	}
	s.render(w, r, status, "suggestion_form", page{Title: "新增建议", Nav: "suggestions", Me: me, Data: v})
	return nil
}

func suggestionNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderSuggestionForm(w, r, me, http.StatusOK, suggestionFormView{})
}

func suggestionCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := parseSuggestionForm(r.PostForm)
	svc := s.suggestions()
	sg, seconders, pre, err := f.suggestion(r.Context(), svc)
	if err != nil {
		return err
	}
	if len(pre) > 0 {
		err = pre
	} else {
		err = svc.Create(r.Context(), &sg, seconders)
	}
	if fe, ok := formErrors(err, suggestionKeys); ok {
		return s.renderSuggestionForm(w, r, me, http.StatusUnprocessableEntity, suggestionFormView{Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "suggestion.create", suggestionObject(sg.ID), fmt.Sprintf("新增建议 %s《%s》，主办单位 %s", sg.Number, sg.Title, sg.HostUnit))
	s.flash(r, "已新增建议 "+sg.Number+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/suggestions/%d", sg.ID), http.StatusSeeOther)
	return nil
}
