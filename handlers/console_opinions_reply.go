package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/opinions/{id}/reply", editors, opinionReply)
	consoleRoute(http.MethodPost, "/admin/opinions/{id}/close", editors, opinionClose)
}

var opinionKeys = mapKeys(map[string]string{"答复内容": "reply"})

// opinionReply answers an opinion; core pushes the reply to its author.
func opinionReply(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	reply := r.PostFormValue("reply")
	err = s.opinions().Reply(r.Context(), o.ID, reply)
	if fe, ok := formErrors(err, opinionKeys); ok {
		v := opinionViewOf(me, o)
		v.Form, v.Errors = reply, fe
		s.render(w, r, http.StatusUnprocessableEntity, "opinion", page{Title: "意见 " + o.Receipt, Nav: "opinions", Me: me, Data: v})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "opinion.reply", opinionObject(o), fmt.Sprintf("答复 %s 的意见 %s", o.DeputyName, o.Receipt))
	s.flash(r, "已答复，答复内容将推送给 "+o.DeputyName+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/opinions/%d", o.ID), http.StatusSeeOther)
	return nil
}

// opinionClose marks an opinion handled (已办结).
func opinionClose(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	if err := s.opinions().Close(r.Context(), o.ID); err != nil {
		return err
	}
	s.audit(r, me, "opinion.close", opinionObject(o), fmt.Sprintf("意见 %s 标记为已办结", o.Receipt))
	s.flash(r, "意见 "+o.Receipt+" 已标记为已办结。")
	http.Redirect(w, r, fmt.Sprintf("/admin/opinions/%d", o.ID), http.StatusSeeOther)
	return nil
}
