package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, passwordPath, everyone, passwordForm)
	consoleRoute(http.MethodPost, passwordPath, everyone, changePassword)
}

type passwordView struct{ Errors fieldErrors }

func passwordForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	s.render(w, r, http.StatusOK, "password", page{Title: "修改密码", Me: me, Data: passwordView{}})
	return nil
}

// changePassword replaces the signed-in account's password; the session
// gets the new stamp, other sessions of the account end.
func changePassword(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	next := r.PostFormValue("password")
	var err error
	if next != r.PostFormValue("confirm") {
		err = core.ValidationError{{Key: "confirm", Label: "确认密码", Msg: "两次输入的新密码不一致"}}
	} else {
		err = s.staff.ChangeOwnPassword(r.Context(), me, r.PostFormValue("current"), next, clientAddr(r))
	}
	var locked *core.LockedError
	if errors.As(err, &locked) {
		// The current password is checked under the login limit.
		s.d.Log.Warn("admin: password change locked", "by_address", locked.ByAddress, "request_id", requestID(r.Context()))
		s.render(w, r, http.StatusTooManyRequests, "password", page{Title: "修改密码", Me: me,
			Data: passwordView{fieldErrors{"current": locked.Error()}}})
		return nil
	}
	if fe, ok := fieldErrorsOf(err); ok {
		s.render(w, r, http.StatusUnprocessableEntity, "password", page{Title: "修改密码", Me: me, Data: passwordView{fe}})
		return nil
	} else if err != nil {
		return err
	}
	a, err := s.staff.Get(r.Context(), me.ID)
	if err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessStamp, core.SessionStamp(a))
	s.audit(r, me, "staff.password", accountObject(me), "修改了自己的密码")
	s.flash(r, "密码已修改。")
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	return nil
}
