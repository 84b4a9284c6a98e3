package handlers

import (
	"deputybot/model"
	"net/http"
)

func init() { consoleRoute(http.MethodGet, "/admin/tokens", everyone, tokensList) }

type tokensView struct {
	Tokens []model.APIToken
	Name   string
	Errors fieldErrors
}

func (s *server) renderTokens(w http.ResponseWriter, r *http.Request, me model.Account, status int, v tokensView) error {
	var err error
	if v.Tokens, err = s.staff.Tokens(r.Context(), me.ID); err != nil {
		return err
	}
	s.render(w, r, status, "tokens", page{Title: "API 令牌", Nav: "tokens", Me: me, Data: v})
	return nil
}

// tokensList shows the signed-in account's own API tokens.
func tokensList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.renderTokens(w, r, me, http.StatusOK, tokensView{})
}
