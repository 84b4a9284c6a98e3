package handlers

import (
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodPost, "/admin/tokens", everyone, tokenCreate) }

// tokenCreate issues a token for the signed-in account and shows it once.
func tokenCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	name := r.PostFormValue("name")
	token, t, err := s.staff.CreateToken(r.Context(), me, name)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderTokens(w, r, me, http.StatusUnprocessableEntity, tokensView{Name: name, Errors: fe})
	} else if err != nil {
		return err
	}
	s.audit(r, me, "token.create", tokenObject(t), "创建 API 令牌“"+t.Name+"”")
	s.render(w, r, http.StatusOK, "secret", page{Title: "API 令牌已创建", Nav: "tokens", Me: me, Data: secretView{
		Intro:  "令牌“" + t.Name + "”已创建，与您的账号（" + core.RoleLabel(me.Role) + "）权限相同。调用 API 时放在请求头 Authorization: Bearer 之后：",
		Secret: token, Back: "/admin/tokens"}})
	return nil
}
