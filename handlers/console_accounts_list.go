package handlers

import (
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/accounts", admins, accountsList) }

// accountsView is the account list with the form to add one.
type accountsView struct {
	Accounts []model.Account
	Form     core.NewAccount
	Errors   fieldErrors
}

func (s *server) renderAccounts(w http.ResponseWriter, r *http.Request, me model.Account, status int, v accountsView) error {
	var err error
	if v.Accounts, err = s.staff.List(r.Context()); err != nil {
		return err
	}
	if v.Form.Role == "" {
		v.Form.Role = model.RoleStaff
	}
	s.render(w, r, status, "accounts", page{Title: "账号管理", Nav: "accounts", Me: me, Data: v})
	return nil
}

func accountsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderAccounts(w, r, me, http.StatusOK, accountsView{})
}
