package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/accounts/{id}/password", admins, accountResetPassword)
}

// accountResetPassword gives an account a generated password, shown once;
// its holder must change it at the next login, and its sessions end.
func accountResetPassword(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	password, err := s.staff.ResetPassword(r.Context(), a.ID)
	if err != nil {
		return err
	}
	s.audit(r, me, "staff.password_reset", accountObject(a), "重置账号 "+a.Username+" 的密码")
	s.render(w, r, http.StatusOK, "secret", page{Title: "密码已重置", Nav: "accounts", Me: me, Data: secretView{
		Intro:  fmt.Sprintf("账号 %s 的新密码如下，请告知本人，登录后须修改：", a.Username),
		Secret: password, Back: "/admin/accounts"}})
	return nil
}
