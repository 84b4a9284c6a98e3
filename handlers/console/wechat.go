package console

import (
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// wechatView is the signed-in account's WeChat page: bound or not, and a
// code just issued, shown this once.
type wechatView struct {
	State   core.StaffWeChatState
	Code    string
	Expires time.Time
	Errors  fieldErrors
}

func (s *server) renderWeChat(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v wechatView) error {
	var err error
	if v.State, err = s.core.Staff.WeChatAs(r.Context(), by, by.Account.ID); err != nil {
		return err
	}
	s.render(w, r, status, "wechat", page{Title: "我的微信", Nav: "wechat", Me: by.Account, Data: v})
	return nil
}

// wechatPage shows whether the signed-in account has its WeChat bound.
func wechatPage(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderWeChat(w, r, by, http.StatusOK, wechatView{})
}

// wechatBindCode issues the signed-in account a binding code and shows it once.
func wechatBindCode(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	code, expires, err := s.core.Staff.IssueWeChatCodeAs(r.Context(), by, by.Account.ID)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderWeChat(w, r, by, http.StatusUnprocessableEntity, wechatView{Errors: fe})
	} else if err != nil {
		return err
	}
	return s.renderWeChat(w, r, by, http.StatusOK, wechatView{Code: code, Expires: expires})
}

// wechatUnbind removes the signed-in account's WeChat binding, once confirmed.
func wechatUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	if r.PostFormValue("confirm") == "" {
		return s.renderWeChat(w, r, by, http.StatusUnprocessableEntity, wechatView{Errors: fieldErrors{"confirm": "请勾选确认"}})
	}
	if _, err := s.core.Staff.UnbindWeChatAs(r.Context(), by, by.Account.ID); err != nil {
		return err
	}
	s.flash(r, "已解除本账号的微信绑定，今后不再通过微信接收通知。")
	http.Redirect(w, r, "/admin/wechat", http.StatusSeeOther)
	return nil
}
