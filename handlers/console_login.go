package handlers

import (
	"errors"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	publicConsoleRoute(http.MethodGet, loginPath, loginForm)
	publicConsoleRoute(http.MethodPost, loginPath, login)
}

type loginView struct {
	Username, Next, Error string
}

func loginForm(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	if _, ok, err := s.sessionAccount(r); err == nil && ok {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login", page{Title: "登录", Data: loginView{Next: adminNext(r.URL.Query().Get("next"))}})
	return nil
}

// login checks the password under the per-account and per-address limit
// and starts a fresh session (a new token, so a planted one is useless).
func login(s *server, w http.ResponseWriter, r *http.Request, _ model.Account) error {
	if !parseSmallForm(w, r) {
		s.render(w, r, http.StatusRequestEntityTooLarge, "login", page{Title: "登录", Data: loginView{Error: "提交的内容过长。"}})
		return nil
	}
	v := loginView{Username: r.PostFormValue("username"), Next: adminNext(r.PostFormValue("next"))}
	a, err := s.staff.Authenticate(r.Context(), v.Username, r.PostFormValue("password"), clientAddr(r))
	var locked *core.LockedError
	switch {
	case errors.As(err, &locked):
		v.Error = locked.Error()
		s.d.Log.Warn("admin: login locked", "by_address", locked.ByAddress, "request_id", requestID(r.Context()))
		s.render(w, r, http.StatusTooManyRequests, "login", page{Title: "登录", Data: v})
		return nil
	case errors.Is(err, core.ErrBadCredentials), errors.Is(err, core.ErrAccountDisabled):
		v.Error = err.Error()
		s.render(w, r, http.StatusUnauthorized, "login", page{Title: "登录", Data: v})
		return nil
	case err != nil:
		return err
	}
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessAccount, a.ID)
	s.sessions.Put(ctx, sessStamp, core.SessionStamp(a))
	s.audit(r, a, "staff.login", accountObject(a), "登录控制台")
	next := v.Next
	if a.MustChangePassword {
		next = passwordPath
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// maxSmallForm bounds forms without uploads.
const maxSmallForm = 64 << 10

// parseSmallForm reads a url-encoded form of at most maxSmallForm bytes.
func parseSmallForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxSmallForm)
	return r.ParseForm() == nil
}
