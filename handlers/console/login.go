package console

import (
	"errors"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// Signing in and out, and changing one's own password.

type loginView struct {
	Username, Next, Error string
}

// adminNext keeps a post-login redirect inside the console.
func adminNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin/"
	}
	return next
}

func loginForm(s *server, w http.ResponseWriter, r *http.Request, _ core.Actor) error {
	if _, ok, err := s.sessionAccount(r); err == nil && ok {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login", page{Title: "登录", Data: loginView{Next: adminNext(r.URL.Query().Get("next"))}})
	return nil
}

// login checks the password under the per-account and per-address limit
// and starts a fresh session (a new token, so a planted one is useless).
func login(s *server, w http.ResponseWriter, r *http.Request, _ core.Actor) error {
	if !httpkit.ParseSmallForm(w, r) {
		s.render(w, r, http.StatusRequestEntityTooLarge, "login", page{Title: "登录", Data: loginView{Error: "提交的内容过长。"}})
		return nil
	}
	v := loginView{Username: r.PostFormValue("username"), Next: adminNext(r.PostFormValue("next"))}
	a, err := s.core.Staff.Login(r.Context(), v.Username, r.PostFormValue("password"), httpkit.ClientAddr(r), core.ViaConsole)
	var locked *core.LockedError
	switch {
	case errors.As(err, &locked):
		v.Error = locked.Error()
		s.d.Log.Warn("console: login locked", "by_address", locked.ByAddress, "request_id", httpkit.RequestID(r.Context()))
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
	next := v.Next
	if a.MustChangePassword {
		next = passwordPath
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout ends the session.
func logout(s *server, w http.ResponseWriter, r *http.Request, _ core.Actor) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, loginPath, http.StatusSeeOther)
	return nil
}

type passwordView struct{ Errors fieldErrors }

func passwordForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	s.render(w, r, http.StatusOK, "password", page{Title: "修改密码", Me: by.Account, Data: passwordView{}})
	return nil
}

// changePassword replaces the signed-in account's password; the session
// gets the new stamp, other sessions of the account end.
func changePassword(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseSmallForm(w, r) {
		return badInput("提交的内容过长。")
	}
	a, err := s.core.Staff.ChangeOwnPasswordAs(r.Context(), by, r.PostFormValue("current"), r.PostFormValue("password"),
		r.PostFormValue("confirm"), httpkit.ClientAddr(r))
	var locked *core.LockedError
	if errors.As(err, &locked) {
		// The current password is checked under the login limit.
		s.d.Log.Warn("console: password change locked", "by_address", locked.ByAddress, "request_id", httpkit.RequestID(r.Context()))
		s.render(w, r, http.StatusTooManyRequests, "password", page{Title: "修改密码", Me: by.Account,
			Data: passwordView{fieldErrors{"current": locked.Error()}}})
		return nil
	}
	if fe, ok := fieldErrorsOf(err); ok {
		s.render(w, r, http.StatusUnprocessableEntity, "password", page{Title: "修改密码", Me: by.Account, Data: passwordView{fe}})
		return nil
	} else if err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessStamp, core.SessionStamp(a))
	s.flash(r, "密码已修改。")
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	return nil
}
