package handlers

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/accounts", admins, apiAccountsList)
	apiRoute(http.MethodPost, "/api/v1/accounts", admins, apiAccountCreate)
	apiRoute(http.MethodPost, "/api/v1/accounts/{id}/disable", admins, apiAccountDisable)
	apiRoute(http.MethodPost, "/api/v1/accounts/{id}/password", admins, apiAccountResetPassword)
}

// apiStaffAccount is a staff account as the API shows it; never its password
// hash.
type apiStaffAccount struct {
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
}

func apiStaffAccountOf(a model.Account) apiStaffAccount {
	return apiStaffAccount{ID: a.ID, Username: a.Username, Name: a.Name, Role: a.Role, RoleLabel: core.RoleLabel(a.Role),
		Unit: a.Unit, MustChangePassword: a.MustChangePassword, Disabled: a.Disabled, CreatedAt: a.CreatedAt,
		LastLoginAt: a.LastLoginAt}
}

// apiAccountSecret is an account with the password generated for it,
// shown this once.
type apiAccountSecret struct {
	Account  apiStaffAccount `json:"account"`
	Password string          `json:"password"`
}

func apiAccountsList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.staff.List(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Accounts []apiStaffAccount `json:"accounts"`
	}{Accounts: []apiStaffAccount{}}
	for _, a := range list {
		out.Accounts = append(out.Accounts, apiStaffAccountOf(a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiAccountCreate adds an account with a generated password:
// {"username", "name", "role", "unit"}.
func apiAccountCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in struct {
		Username string `json:"username"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Unit     string `json:"unit"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, password, err := s.staff.Create(r.Context(), core.NewAccount{Username: in.Username, Name: in.Name, Role: in.Role, Unit: in.Unit})
	if err != nil {
		return err // validation → 422 with the fields, a taken username → 409
	}
	s.audit(r, me, "staff.create", accountObject(a), fmt.Sprintf("新增账号 %s（%s，%s）", a.Username, a.DisplayName(), core.RoleLabel(a.Role)))
	w.Header().Set("Location", fmt.Sprintf("/api/v1/accounts/%d", a.ID))
	writeJSON(w, http.StatusCreated, apiAccountSecret{Account: apiStaffAccountOf(a), Password: password})
	return nil
}

// apiAccountDisable disables an account: its sessions and tokens stop
// working. An admin cannot disable their own account.
func apiAccountDisable(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	if a.ID == me.ID {
		return &httpError{http.StatusUnprocessableEntity, errSelfDisable.Error()}
	}
	if err := s.staff.SetDisabled(r.Context(), a.ID, true); err != nil {
		return err
	}
	s.audit(r, me, "staff.disable", accountObject(a), "停用账号 "+a.Username)
	after, err := s.staff.Get(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiStaffAccountOf(after))
	return nil
}

// apiAccountResetPassword gives an account a generated password, returned
// once; its holder must change it at the next login.
func apiAccountResetPassword(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	a, err := s.accountOfPath(r)
	if err != nil {
		return err
	}
	password, err := s.staff.ResetPassword(r.Context(), a.ID)
	if err != nil {
		return err
	}
	s.audit(r, me, "staff.password_reset", accountObject(a), "重置账号 "+a.Username+" 的密码")
	after, err := s.staff.Get(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiAccountSecret{Account: apiStaffAccountOf(after), Password: password})
	return nil
}
