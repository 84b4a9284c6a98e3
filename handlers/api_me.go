package handlers

import (
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodGet, "/api/v1/me", everyone, apiMe) }

type apiAccount struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	RoleLabel   string     `json:"role_label"`
	Unit        string     `json:"unit,omitempty"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

// apiMe tells an integration which account its token acts as.
func apiMe(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	writeJSON(w, http.StatusOK, apiAccount{ID: me.ID, Username: me.Username, Name: me.Name, Role: me.Role,
		RoleLabel: core.RoleLabel(me.Role), Unit: me.Unit, LastLoginAt: me.LastLoginAt})
	return nil
}
