package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/deputies/{id}/bind-code", editors, deputyBindCode)
	consoleRoute(http.MethodGet, "/admin/deputies/{id}/unbind", editors, deputyUnbindForm)
	consoleRoute(http.MethodPost, "/admin/deputies/{id}/unbind", editors, deputyUnbind)
}

// bindCodeView shows a binding code the one time it is shown.
type bindCodeView struct {
	Deputy  model.Deputy
	Code    string
	Expires time.Time
}

// issueBindCode gives the deputy a fresh code (replacing any earlier one)
// and records who did it; the code itself stays out of the audit log.
func (s *server) issueBindCode(r *http.Request, me model.Account, d model.Deputy) (string, time.Time, error) {
	code, expires, err := core.IssueBindCode(r.Context(), s.d.DB, d.ID, s.d.Now(), core.BindCodeValidity)
	var ferr *core.FieldError
	if errors.As(err, &ferr) {
		return "", time.Time{}, &httpError{http.StatusUnprocessableEntity, ferr.Msg + "。"}
	} else if err != nil {
		return "", time.Time{}, err
	}
	s.audit(r, me, "deputy.bind_code", deputyObject(d), fmt.Sprintf("为 %s 生成绑定码，有效至 %s", d.Name, s.fmtTime(expires)))
	return code, expires, nil
}

func deputyBindCode(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	code, expires, err := s.issueBindCode(r, me, d)
	if err != nil {
		return err
	}
	v := bindCodeView{Deputy: d, Code: code, Expires: expires}
	s.render(w, r, http.StatusOK, "bindcode", page{Title: "绑定码", Nav: "deputies", Me: me, Data: v})
	return nil
}

type unbindView struct {
	Deputy model.Deputy
	Errors fieldErrors
}

func deputyUnbindForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bindcode_unbind", page{Title: "解除微信绑定", Nav: "deputies", Me: me, Data: unbindView{Deputy: d}})
	return nil
}

// errNotBound is returned when there is no binding to remove.
var errNotBound = &httpError{http.StatusConflict, "该代表尚未绑定微信，无需解除。"}

// unbindDeputy removes the binding and records who did it.
func (s *server) unbindDeputy(r *http.Request, me model.Account, d model.Deputy) error {
	if d.OpenID == "" {
		return errNotBound
	}
	if _, err := s.d.DB.UnbindDeputy(r.Context(), d.ID); errors.Is(err, model.ErrNotFound) {
		return errNotBound // unbound meanwhile
	} else if err != nil {
		return err
	}
	s.audit(r, me, "deputy.unbind", deputyObject(d), fmt.Sprintf("解除 %s 的微信绑定（绑定于 %s）", d.Name, s.fmtTime(d.BoundAt)))
	return nil
}

// deputyUnbind removes the binding once the confirmation box is ticked.
func deputyUnbind(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	d, err := s.deputyOfPath(r)
	if err != nil {
		return err
	}
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	if d.OpenID != "" && r.PostFormValue("confirm") == "" {
		v := unbindView{Deputy: d, Errors: fieldErrors{"confirm": "请勾选确认"}}
		s.render(w, r, http.StatusUnprocessableEntity, "bindcode_unbind", page{Title: "解除微信绑定", Nav: "deputies", Me: me, Data: v})
		return nil
	}
	if err := s.unbindDeputy(r, me, d); err != nil {
		return err
	}
	s.flash(r, "已解除 "+d.Name+" 的微信绑定。代表可用绑定码或手机号后四位重新绑定。")
	http.Redirect(w, r, fmt.Sprintf("/admin/deputies/%d", d.ID), http.StatusSeeOther)
	return nil
}
