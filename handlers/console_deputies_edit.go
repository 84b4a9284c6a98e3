package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/deputies/{id}/edit", editors, deputyEdit)
	consoleRoute(http.MethodPost, "/admin/deputies/{id}", editors, deputyUpdate)
}

func deputyEdit(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.registry.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderDeputyForm(w, r, me, http.StatusOK, deputyFormView{ID: d.ID, Form: deputyFormOf(d)})
}

func deputyUpdate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	before, err := s.registry.Get(r.Context(), id)
	if err != nil {
		return err
	}
	f := parseDeputyForm(r.PostForm)
	d := before
	err = s.storeDeputy(r.Context(), &d, f.apply(&d))
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderDeputyForm(w, r, me, http.StatusUnprocessableEntity, deputyFormView{ID: id, Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "deputy.update", deputyObject(d), d.Name+"："+core.DeputyChanges(before, d))
	s.flash(r, "已保存。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}
