package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/deputies/new", editors, deputyNew)
	consoleRoute(http.MethodPost, "/admin/deputies", editors, deputyCreate)
}

// deputyFormView is the create / edit page: the form as typed and the
// message beside each field at fault.
type deputyFormView struct {
	ID          int64 // 0 when new
	Form        deputyForm
	Errors      fieldErrors
	Delegations []string
}

func (s *server) renderDeputyForm(w http.ResponseWriter, r *http.Request, me model.Account, status int, v deputyFormView) error {
	dels, err := s.d.DB.ListDelegations(r.Context())
	if err != nil {
		return err
	}
	for _, d := range dels {
		v.Delegations = append(v.Delegations, d.Name)
	}
	title := "新增代表"
	if v.ID != 0 {
		title = "编辑代表"
	}
	s.render(w, r, status, "deputy_form", page{Title: title, Nav: "deputies", Me: me, Data: v})
	return nil
}

func deputyNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderDeputyForm(w, r, me, http.StatusOK, deputyFormView{Form: deputyFormOf(model.Deputy{})})
}

func deputyCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := parseDeputyForm(r.PostForm)
	var d model.Deputy
	err := s.storeDeputy(r.Context(), &d, f.apply(&d))
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderDeputyForm(w, r, me, http.StatusUnprocessableEntity, deputyFormView{Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "deputy.create", deputyObject(d), fmt.Sprintf("新增代表 %s（%s）", d.Name, d.Delegation))
	s.flash(r, "已新增代表 "+d.Name+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}
