package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() { consoleRoute(http.MethodPost, "/admin/tokens/{id}/revoke", everyone, tokenRevoke) }

// tokenRevoke revokes one of the signed-in account's own tokens.
func tokenRevoke(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.staff.RevokeToken(r.Context(), me, id); err != nil {
		return err
	}
	s.audit(r, me, "token.revoke", tokenObject(model.APIToken{ID: id}), "撤销 API 令牌")
	s.flash(r, "令牌已撤销，使用它的请求将被拒绝。")
	http.Redirect(w, r, "/admin/tokens", http.StatusSeeOther)
	return nil
}

func tokenObject(t model.APIToken) string { return fmt.Sprintf("token/%d", t.ID) }
