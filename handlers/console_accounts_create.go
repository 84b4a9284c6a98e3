package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodPost, "/admin/accounts", admins, accountCreate) }

// secretView shows a password or token the one time it exists in clear.
type secretView struct {
	Intro, Secret, Back string
}

// accountCreate adds an account with a generated password, shown once.
func accountCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	in := core.NewAccount{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"),
		Role: r.PostFormValue("role"), Unit: r.PostFormValue("unit")}
	a, password, err := s.staff.Create(r.Context(), in)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderAccounts(w, r, me, http.StatusUnprocessableEntity, accountsView{Form: in, Errors: fe})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "staff.create", accountObject(a), fmt.Sprintf("新增账号 %s（%s，%s）", a.Username, a.DisplayName(), core.RoleLabel(a.Role)))
	s.render(w, r, http.StatusOK, "secret", page{Title: "账号已创建", Nav: "accounts", Me: me, Data: secretView{
		Intro:  fmt.Sprintf("账号 %s 已创建。请把下面的初始密码告知本人，首次登录后须修改：", a.Username),
		Secret: password, Back: "/admin/accounts"}})
	return nil
}
