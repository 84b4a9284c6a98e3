package handlers

import (
	"deputybot/model"
	"errors"
	"net/http"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/accounts/{id}/disable", admins, accountSetDisabled(true))
	consoleRoute(http.MethodPost, "/admin/accounts/{id}/enable", admins, accountSetDisabled(false))
}

var errSelfDisable = errors.New("不能停用自己的账号。")

func accountSetDisabled(disabled bool) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
		a, err := s.accountOfPath(r)
		if err != nil {
			return err
		}
		if disabled && a.ID == me.ID {
			return &httpError{http.StatusUnprocessableEntity, errSelfDisable.Error()}
		}
		if err := s.staff.SetDisabled(r.Context(), a.ID, disabled); err != nil {
			return err
		}
		action, verb := "staff.enable", "启用"
		if disabled {
			action, verb = "staff.disable", "停用"
		}
		s.audit(r, me, action, accountObject(a), verb+"账号 "+a.Username)
		s.flash(r, "已"+verb+"账号 "+a.Username+"。")
		http.Redirect(w, r, "/admin/accounts", http.StatusSeeOther)
		return nil
	}
}

func (s *server) accountOfPath(r *http.Request) (model.Account, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return model.Account{}, err
	}
	return s.staff.Get(r.Context(), id)
}
