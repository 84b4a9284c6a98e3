package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/supervision/suggestions/{id}/extensions", stepRecorders, extensionRequest)
	consoleRoute(http.MethodPost, "/admin/supervision/extensions/{id}/decide", editors, extensionDecide)
}

const supervisionPath = "/admin/supervision"

// parseDay reads a yyyy-mm-dd form date; the zero time when absent or malformed.
func parseDay(v string) time.Time {
	t, err := time.Parse(time.DateOnly, cleanText(v))
	if err != nil {
		return time.Time{}
	}
	return t
}

// backWith shows a form's validation message on the supervision page
// (the forms are small and live in its lists) and reports whether err was
// one.
func (s *server) backWith(w http.ResponseWriter, r *http.Request, err error) bool {
	var verr core.ValidationError
	if !errors.As(err, &verr) {
		return false
	}
	s.flash(r, "未能提交："+verr.Error())
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return true
}

// extensionRequest asks for a later deadline: a unit for its own
// suggestions, staff on a unit's behalf.
func extensionRequest(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	unit, _ := unitScope(me)
	e, err := s.supervision().RequestExtension(r.Context(), core.ExtensionRequest{SuggestionID: sg.ID,
		NewDeadline: parseDay(r.PostFormValue("new_deadline")), Reason: r.PostFormValue("reason"),
		By: orDefault(me.Name, me.Username), Unit: unit})
	if s.backWith(w, r, err) {
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "supervision.extension.request", suggestionObject(sg.ID),
		fmt.Sprintf("%s 申请延期至 %s", sg.Number, e.NewDeadline.Format(time.DateOnly)))
	s.flash(r, "已提交 "+sg.Number+" 的延期申请，待审批。")
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return nil
}

// extensionDecide approves or rejects a pending extension request.
func extensionDecide(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	approve := r.PostFormValue("decision") == "approve"
	e, err := s.supervision().DecideExtension(r.Context(), id, approve, orDefault(me.Name, me.Username), r.PostFormValue("note"))
	if s.backWith(w, r, err) {
		return nil
	} else if err != nil {
		return err
	}
	word := "未批准"
	if approve {
		word = "已批准"
	}
	s.audit(r, me, "supervision.extension.decide", suggestionObject(e.SuggestionID),
		fmt.Sprintf("%s 延期至 %s：%s", e.Number, e.NewDeadline.Format(time.DateOnly), word))
	s.flash(r, e.Number+" 的延期申请"+word+"。")
	http.Redirect(w, r, supervisionPath, http.StatusSeeOther)
	return nil
}
