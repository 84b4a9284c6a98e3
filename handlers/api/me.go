package api

import (
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// meJSON is the account a token acts as.
type meJSON struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	RoleLabel   string     `json:"role_label"`
	Unit        string     `json:"unit,omitempty"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

// me tells an integration which account its token acts as.
func me(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	a := by.Account
	httpkit.WriteJSON(w, http.StatusOK, meJSON{ID: a.ID, Username: a.Username, Name: a.Name, Role: a.Role,
		RoleLabel: core.RoleLabel(a.Role), Unit: a.Unit, LastLoginAt: a.LastLoginAt})
	return nil
}
