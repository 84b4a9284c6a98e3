package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/surveys/new", editors, surveyNew)
	consoleRoute(http.MethodPost, "/admin/surveys", editors, surveyCreate)
}

type surveyFormView struct {
	Form   surveyForm
	Errors fieldErrors
	Kinds  []core.Choice
}

func (s *server) renderSurveyForm(w http.ResponseWriter, r *http.Request, me model.Account, status int, v surveyFormView) {
	v.Kinds = questionKindChoices
	s.render(w, r, status, "survey_form", page{Title: "新建问卷", Nav: "surveys", Me: me, Data: v})
}

func surveyNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	now := s.d.Now().In(s.d.Loc)
	f := surveyForm{ClosesAt: now.AddDate(0, 0, 14).Format("2006-01-02") + "T18:00"}
	s.renderSurveyForm(w, r, me, http.StatusOK, surveyFormView{Form: f.withBlanks(blankQuestions)})
	return nil
}

// surveyCreate stores the survey; core announces it to every deputy in
// office when it opens. "更多题目" shows the form again with more blocks.
func surveyCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := parseSurveyForm(r.PostForm)
	if r.PostFormValue("more") != "" {
		s.renderSurveyForm(w, r, me, http.StatusOK, surveyFormView{Form: f.withBlanks(blankQuestions)})
		return nil
	}
	sv, pre := f.survey(s.d.Loc)
	var err error
	if len(pre) > 0 {
		err = pre // a time the picker would not produce: rare, shown alone
	} else {
		err = s.surveys().Create(r.Context(), &sv)
	}
	if fe, ok := formErrors(err, surveyKeys); ok {
		s.renderSurveyForm(w, r, me, http.StatusUnprocessableEntity, surveyFormView{Form: f.withBlanks(1), Errors: fe})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "survey.create", fmt.Sprintf("survey/%d", sv.ID), fmt.Sprintf("新建问卷《%s》，%d 道题，截止 %s",
		sv.Title, len(sv.Questions), s.fmtTime(sv.ClosesAt)))
	s.flash(r, "已新建问卷，开始时将推送给全体在任代表。")
	http.Redirect(w, r, fmt.Sprintf("/admin/surveys/%d", sv.ID), http.StatusSeeOther)
	return nil
}
