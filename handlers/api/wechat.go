package api

import (
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// staffWeChat is the calling account's WeChat binding as the API shows it.
type staffWeChat struct {
	StaffID int64      `json:"staff_id"`
	Unit    string     `json:"unit,omitempty"`
	Bound   bool       `json:"bound"`
	BoundAt *time.Time `json:"bound_at"`
}

func staffWeChatOf(st core.StaffWeChatState) staffWeChat {
	out := staffWeChat{StaffID: st.Account.ID, Unit: st.Account.Unit, Bound: st.Bound()}
	if st.BoundAt != nil {
		t := st.BoundAt.UTC()
		out.BoundAt = &t
	}
	return out
}

// meWeChat answers whether the calling account has its WeChat bound.
func meWeChat(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	st, err := s.core.Staff.WeChatAs(r.Context(), by, by.Account.ID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, staffWeChatOf(st))
	return nil
}

// meWeChatBindCode issues the calling account a WeChat binding code.
func meWeChatBindCode(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	code, expires, err := s.core.Staff.IssueWeChatCodeAs(r.Context(), by, by.Account.ID)
	if err != nil {
		return err
	}
	st, err := s.core.Staff.WeChatAs(r.Context(), by, by.Account.ID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		StaffID   int64     `json:"staff_id"`
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
		Bound     bool      `json:"bound"`
	}{by.Account.ID, code, expires.UTC(), st.Bound()})
	return nil
}

// meWeChatUnbind removes the calling account's WeChat binding.
func meWeChatUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if _, err := s.core.Staff.UnbindWeChatAs(r.Context(), by, by.Account.ID); err != nil {
		return err
	}
	st, err := s.core.Staff.WeChatAs(r.Context(), by, by.Account.ID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, staffWeChatOf(st))
	return nil
}
