package api

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// staffAccount is a staff account as the API shows it; never its password
// hash.
type staffAccount struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	Name               string     `json:"name"`
	Role               string     `json:"role"`
	RoleLabel          string     `json:"role_label"`
	Unit               string     `json:"unit,omitempty"`
	MustChangePassword bool       `json:"must_change_password"`
	Disabled           bool       `json:"disabled"`
	CreatedAt          time.Time  `json:"created_at"`
	LastLoginAt        *time.Time `json:"last_login_at,omitempty"`
	// WeChatBound: the account has its own WeChat bound (the list only).
	WeChatBound bool `json:"wechat_bound"`
}

func staffAccountOf(a model.Account) staffAccount {
	return staffAccount{ID: a.ID, Username: a.Username, Name: a.Name, Role: a.Role, RoleLabel: core.RoleLabel(a.Role),
		Unit: a.Unit, MustChangePassword: a.MustChangePassword, Disabled: a.Disabled, CreatedAt: a.CreatedAt,
		LastLoginAt: a.LastLoginAt}
}

// accountSecret is an account with the password generated for it, shown
// this once.
type accountSecret struct {
	Account  staffAccount `json:"account"`
	Password string       `json:"password"`
}

func accountsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Staff.AccountsAs(r.Context(), by)
	if err != nil {
		return err
	}
	bound, err := s.core.Staff.WeChatBoundAs(r.Context(), by)
	if err != nil {
		return err
	}
	out := struct {
		Accounts []staffAccount `json:"accounts"`
	}{Accounts: []staffAccount{}}
	for _, a := range list {
		sa := staffAccountOf(a)
		_, sa.WeChatBound = bound[a.ID]
		out.Accounts = append(out.Accounts, sa)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// accountCreate adds an account with a generated password:
// {"username", "name", "role", "unit"}.
func accountCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Username string `json:"username"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Unit     string `json:"unit"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, password, err := s.core.Staff.CreateAs(r.Context(), by, core.NewAccount{Username: in.Username, Name: in.Name, Role: in.Role, Unit: in.Unit})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/accounts/%d", a.ID))
	httpkit.WriteJSON(w, http.StatusCreated, accountSecret{Account: staffAccountOf(a), Password: password})
	return nil
}

// accountDisable disables an account: its sessions and tokens stop
// working. An admin cannot disable their own account.
func accountDisable(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.core.Staff.SetDisabledAs(r.Context(), by, id, true); err != nil {
		return err
	}
	after, err := s.core.Staff.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, staffAccountOf(after))
	return nil
}

// accountResetPassword gives an account a generated password, returned
// once; its holder must change it at the next login.
func accountResetPassword(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	_, password, err := s.core.Staff.ResetPasswordAs(r.Context(), by, id, "")
	if err != nil {
		return err
	}
	after, err := s.core.Staff.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, accountSecret{Account: staffAccountOf(after), Password: password})
	return nil
}

// token is a token as the API lists it: never the token itself.
type token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOf(t model.APIToken) token {
	return token{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func tokensList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Staff.Tokens(r.Context(), by.Account.ID)
	if err != nil {
		return err
	}
	out := struct {
		Tokens []token `json:"tokens"`
	}{Tokens: []token{}}
	for _, t := range list {
		out.Tokens = append(out.Tokens, tokenOf(t))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// tokenCreate issues a token for the calling account: {"name": "…"}. The
// token is in the answer this once.
func tokenCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	secret, t, err := s.core.Staff.CreateTokenAs(r.Context(), by, by.Account, in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/tokens/%d", t.ID))
	httpkit.WriteJSON(w, http.StatusCreated, struct {
		token
		Token string `json:"token"`
	}{tokenOf(t), secret})
	return nil
}

// tokenRevoke revokes one of the calling account's tokens; another
// account's token is 404.
func tokenRevoke(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if err := s.core.Staff.RevokeTokenAs(r.Context(), by, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// accountWeChatUnbind removes another account's WeChat binding; answers
// the account.
func accountWeChatUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	a, err := s.core.Staff.UnbindWeChatAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, staffAccountOf(a))
	return nil
}
