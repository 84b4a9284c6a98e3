package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"time"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/supervision/suggestions/{id}/promise", editors, promiseSet)
}

// promiseSet records the promise date of a B/C reply, which puts the
// suggestion on the 回头看 list once it passes.
func promiseSet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	date := parseDay(r.PostFormValue("promise_date"))
	err = s.supervision().SetPromise(r.Context(), sg.ID, date, orDefault(me.Name, me.Username))
	if s.backWith(w, r, err) {
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "supervision.promise", suggestionObject(sg.ID), fmt.Sprintf("%s 承诺期限 %s", sg.Number, date.Format(time.DateOnly)))
	s.flash(r, "已设定 "+sg.Number+" 的承诺期限。")
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return nil
}
