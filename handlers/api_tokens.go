package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"time"
)

// Tokens are the calling account's own. Listing is open to every role;
// creating and revoking are not for read-only accounts, which change
// nothing through the API.
var tokenEditors = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit}

func init() {
	apiRoute(http.MethodGet, "/api/v1/tokens", everyone, apiTokensList)
	apiRoute(http.MethodPost, "/api/v1/tokens", tokenEditors, apiTokenCreate)
	apiRoute(http.MethodDelete, "/api/v1/tokens/{id}", tokenEditors, apiTokenRevoke)
}

// apiToken is a token as the API lists it: never the token itself.
type apiToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func apiTokenOf(t model.APIToken) apiToken {
	return apiToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func apiTokensList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.staff.Tokens(r.Context(), me.ID)
	if err != nil {
		return err
	}
	out := struct {
		Tokens []apiToken `json:"tokens"`
	}{Tokens: []apiToken{}}
	for _, t := range list {
		out.Tokens = append(out.Tokens, apiTokenOf(t))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiTokenCreate issues a token for the calling account: {"name": "…"}.
// The token is in the answer this once.
func apiTokenCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	token, t, err := s.staff.CreateToken(r.Context(), me, in.Name)
	if err != nil {
		return err
	}
	s.audit(r, me, "token.create", tokenObject(t), "创建 API 令牌“"+t.Name+"”")
	w.Header().Set("Location", fmt.Sprintf("/api/v1/tokens/%d", t.ID))
	writeJSON(w, http.StatusCreated, struct {
		apiToken
		Token string `json:"token"`
	}{apiTokenOf(t), token})
	return nil
}

// apiTokenRevoke revokes one of the calling account's tokens; another
// account's token is 404.
func apiTokenRevoke(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.staff.RevokeToken(r.Context(), me, id); err != nil {
		return err
	}
	s.audit(r, me, "token.revoke", tokenObject(model.APIToken{ID: id}), "撤销 API 令牌")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
