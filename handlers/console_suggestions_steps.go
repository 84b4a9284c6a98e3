package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodPost, "/admin/suggestions/{id}/steps", stepRecorders, suggestionStep)
}

// stepKeys names the form field (and JSON property) of each of the step's
// Chinese field names.
var stepKeys = mapKeys(map[string]string{"办理步骤": "kind", "记录人": "actor", "内容": "note",
	"答复类别": "reply_category", "答复内容": "note", "重新办理理由": "note", "备注": "note"})

// suggestionStep records a handling step; the deputies on the suggestion
// hear of a reply, a conclusion or a re-handling through core's pushes.
func suggestionStep(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	f := stepForm{Kind: r.PostFormValue("kind"), ReplyCategory: r.PostFormValue("reply_category"),
		Note: r.PostFormValue("note"), Actor: r.PostFormValue("actor")}
	st := f.step(sg.ID)
	err = s.suggestions().RecordStep(r.Context(), &st)
	if fe, ok := formErrors(err, stepKeys); ok {
		v, err := s.suggestionViewOf(r.Context(), me, sg)
		if err != nil {
			return err
		}
		v.Form, v.Errors = f, fe
		s.render(w, r, http.StatusUnprocessableEntity, "suggestion", page{Title: sg.Number + " " + sg.Title, Nav: "suggestions", Me: me, Data: v})
		return nil
	} else if err != nil {
		return err
	}
	s.audit(r, me, "suggestion.step", suggestionObject(sg.ID), stepSummary(sg, st))
	s.flash(r, "已记录“"+core.StepKindLabel(st.Kind)+"”。")
	http.Redirect(w, r, fmt.Sprintf("/admin/suggestions/%d", sg.ID), http.StatusSeeOther)
	return nil
}

func (f stepForm) step(suggestionID int64) model.SuggestionStep {
	return model.SuggestionStep{SuggestionID: suggestionID, Kind: strings.TrimSpace(f.Kind), ReplyCategory: f.ReplyCategory,
		Note: f.Note, Actor: f.Actor}
}

func suggestionObject(id int64) string { return fmt.Sprintf("suggestion/%d", id) }

func stepSummary(sg model.Suggestion, st model.SuggestionStep) string {
	msg := fmt.Sprintf("%s 记录“%s”（%s）", sg.Number, core.StepKindLabel(st.Kind), st.Actor)
	if st.ReplyCategory != "" {
		msg += "，答复类别 " + st.ReplyCategory
	}
	return msg
}
