package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/deputies/{id}/terminate", editors, deputyTerminateForm)
	consoleRoute(http.MethodPost, "/admin/deputies/{id}/terminate", editors, deputyTerminate)
}

type terminateView struct {
	Deputy       model.Deputy
	Date, Reason string
	Errors       fieldErrors
}

func deputyTerminateForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	v := terminateView{Deputy: d, Date: s.d.Now().In(s.d.Loc).Format(time.DateOnly)}
	s.render(w, r, http.StatusOK, "deputy_terminate", page{Title: "终止代表资格", Nav: "deputies", Me: me, Data: v})
	return nil
}

// deputyTerminate ends a term once the confirmation box is ticked.
func deputyTerminate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	v := terminateView{Deputy: d, Date: strings.TrimSpace(r.PostFormValue("date")), Reason: r.PostFormValue("reason")}
	on, errs := parseTermination(v.Date, r.PostFormValue("confirm") != "")
	err = errs
	if len(errs) == 0 {
		err = s.registry.Terminate(r.Context(), d.ID, on, v.Reason)
	}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		s.render(w, r, http.StatusUnprocessableEntity, "deputy_terminate", page{Title: "终止代表资格", Nav: "deputies", Me: me, Data: v})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "deputy.terminate", deputyObject(d), fmt.Sprintf("%s：代表资格终止于 %s，原因：%s", d.Name, on.Format(time.DateOnly), strings.TrimSpace(v.Reason)))
	s.flash(r, d.Name+" 的代表资格已终止。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}

// parseTermination checks the date (and, from the console, the
// confirmation) of a termination.
func parseTermination(date string, confirmed bool) (time.Time, core.ValidationError) {
	var errs core.ValidationError
	on, err := time.Parse(time.DateOnly, date)
	if err != nil {
		errs = append(errs, &core.FieldError{Key: "date", Label: "终止日期", Value: date, Msg: "格式应为 2026-03-31"})
	}
	if !confirmed {
		errs = append(errs, &core.FieldError{Key: "confirm", Label: "确认", Msg: "请勾选确认"})
	}
	return on, errs
}

func (s *server) deputyOfPath(r *http.Request) (model.Deputy, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return model.Deputy{}, err
	}
	return s.registry.Get(r.Context(), id)
}
