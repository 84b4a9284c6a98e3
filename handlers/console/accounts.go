package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// secretView shows a password or token the one time it exists in clear.
type secretView struct {
	Intro, Secret, Back string
}

// accountsView is the account list with the form to add one.
type accountsView struct {
	Accounts []model.Account
	WeChat   map[int64]bool // the accounts with a WeChat bound
	Form     core.NewAccount
	Errors   fieldErrors
}

func (s *server) renderAccounts(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v accountsView) error {
	var err error
	if v.Accounts, err = s.core.Staff.AccountsAs(r.Context(), by); err != nil {
		return err
	}
	bound, err := s.core.Staff.WeChatBoundAs(r.Context(), by)
	if err != nil {
		return err
	}
	v.WeChat = map[int64]bool{}
	for id := range bound {
		v.WeChat[id] = true
	}
	if v.Form.Role == "" {
		v.Form.Role = model.RoleStaff
	}
	s.render(w, r, status, "accounts", page{Title: "账号管理", Nav: "accounts", Me: by.Account, Data: v})
	return nil
}

func accountsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderAccounts(w, r, by, http.StatusOK, accountsView{})
}

// accountCreate adds an account with a generated password, shown once.
func accountCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	in := core.NewAccount{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"),
		Role: r.PostFormValue("role"), Unit: r.PostFormValue("unit")}
	a, password, err := s.core.Staff.CreateAs(r.Context(), by, in)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderAccounts(w, r, by, http.StatusUnprocessableEntity, accountsView{Form: in, Errors: fe})
	} else if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "secret", page{Title: "账号已创建", Nav: "accounts", Me: by.Account, Data: secretView{
		Intro:  fmt.Sprintf("账号 %s 已创建。请把下面的初始密码告知本人，首次登录后须修改：", a.Username),
		Secret: password, Back: "/admin/accounts"}})
	return nil
}

// accountResetPassword gives an account a generated password, shown once;
// its holder must change it at the next login, and its sessions end.
func accountResetPassword(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	a, password, err := s.core.Staff.ResetPasswordAs(r.Context(), by, id, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "secret", page{Title: "密码已重置", Nav: "accounts", Me: by.Account, Data: secretView{
		Intro:  fmt.Sprintf("账号 %s 的新密码如下，请告知本人，登录后须修改：", a.Username),
		Secret: password, Back: "/admin/accounts"}})
	return nil
}

func accountSetDisabled(disabled bool) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
		id, err := httpkit.PathID(r)
		if err != nil {
			return err
		}
		a, err := s.core.Staff.SetDisabledAs(r.Context(), by, id, disabled)
		if err != nil {
			return err
		}
		verb := "启用"
		if disabled {
			verb = "停用"
		}
		s.flash(r, "已"+verb+"账号 "+a.Username+"。")
		http.Redirect(w, r, "/admin/accounts", http.StatusSeeOther)
		return nil
	}
}

type tokensView struct {
	Tokens []model.APIToken
	Name   string
	Errors fieldErrors
}

func (s *server) renderTokens(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v tokensView) error {
	var err error
	if v.Tokens, err = s.core.Staff.Tokens(r.Context(), by.Account.ID); err != nil {
		return err
	}
	s.render(w, r, status, "tokens", page{Title: "API 令牌", Nav: "tokens", Me: by.Account, Data: v})
	return nil
}

// tokensList shows the signed-in account's own API tokens.
func tokensList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderTokens(w, r, by, http.StatusOK, tokensView{})
}

// tokenCreate issues a token for the signed-in account and shows it once.
func tokenCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	name := r.PostFormValue("name")
	token, t, err := s.core.Staff.CreateTokenAs(r.Context(), by, by.Account, name)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderTokens(w, r, by, http.StatusUnprocessableEntity, tokensView{Name: name, Errors: fe})
	} else if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "secret", page{Title: "API 令牌已创建", Nav: "tokens", Me: by.Account, Data: secretView{
		Intro:  "令牌“" + t.Name + "”已创建，与您的账号（" + core.RoleLabel(by.Role()) + "）权限相同。调用 API 时放在请求头 Authorization: Bearer 之后：",
		Secret: token, Back: "/admin/tokens"}})
	return nil
}

// tokenRevoke revokes one of the signed-in account's own tokens.
func tokenRevoke(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if err := s.core.Staff.RevokeTokenAs(r.Context(), by, id); err != nil {
		return err
	}
	s.flash(r, "令牌已撤销，使用它的请求将被拒绝。")
	http.Redirect(w, r, "/admin/tokens", http.StatusSeeOther)
	return nil
}

// accountWeChatUnbind removes another account's WeChat binding (one that
// left the unit, a lost phone); an administrator's.
func accountWeChatUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	a, err := s.core.Staff.UnbindWeChatAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	s.flash(r, "已解除账号 "+a.Username+" 的微信绑定。")
	http.Redirect(w, r, "/admin/accounts", http.StatusSeeOther)
	return nil
}
