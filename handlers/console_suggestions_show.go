package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/suggestions/{id}", everyone, suggestionShow) }

// suggestionView is a suggestion's page: its fields, deputies, handling
// history and ratings, and the form to record the next step.
type suggestionView struct {
	S           model.Suggestion
	Summary     []string
	Reply       []string
	StatusLabel string
	Deadline    string
	Deputies    []suggestionDeputyView
	LinkDeputy  bool // the account may open deputies' pages
	Steps       []stepView
	Ratings     []ratingView
	CanRecord   bool
	Form        stepForm
	Errors      fieldErrors
	Kinds       []core.Choice
	Categories  []core.Choice
}

type suggestionDeputyView struct {
	ID         int64
	Name, Role string
}

type stepView struct {
	model.SuggestionStep
	KindLabel string
	Paras     []string // the note, paragraph by paragraph
}

// textLines splits text at line breaks into non-empty paragraphs, for
// pages that must show text as typed (the console's CSP allows no inline
// styles, so pre-wrap is not an option).
func textLines(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

type ratingView struct {
	model.SuggestionRating
	DeputyName                string
	Contact, Attitude, Result string
	Dissatisfied              bool
}

// stepForm is the record-a-step form, as typed.
type stepForm struct {
	Kind, ReplyCategory, Note, Actor string
}

// defaultActor is who a step is recorded by unless staff say otherwise:
// a unit account's unit, else the account's name.
func defaultActor(me model.Account) string {
	if me.Role == model.RoleUnit && me.Unit != "" {
		return me.Unit
	}
	return me.DisplayName()
}

func suggestionShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	v, err := s.suggestionViewOf(r.Context(), me, sg)
	if err != nil {
		return err
	}
	v.Form = stepForm{Actor: defaultActor(me)}
	s.render(w, r, http.StatusOK, "suggestion", page{Title: sg.Number + " " + sg.Title, Nav: "suggestions", Me: me, Data: v})
	return nil
}

func (s *server) suggestionViewOf(ctx context.Context, me model.Account, sg model.Suggestion) (suggestionView, error) {
	svc := s.suggestions()
	v := suggestionView{S: sg, StatusLabel: core.SuggestionStatusLabel(sg.Status), Deadline: fmtDay(sg.Deadline),
		LinkDeputy: slices.Contains(viewers, me.Role), CanRecord: slices.Contains(stepRecorders, me.Role),
		Kinds: core.StepKindChoices, Categories: core.ReplyCategoryChoices,
		Summary: textLines(sg.Summary), Reply: textLines(sg.ReplyText)}
	names := map[int64]string{}
	for _, d := range sg.Deputies {
		role := "附议"
		if d.Role == model.RoleLead {
			role = "领衔"
		}
		names[d.DeputyID] = d.Name
		v.Deputies = append(v.Deputies, suggestionDeputyView{ID: d.DeputyID, Name: d.Name, Role: role})
	}
	steps, err := svc.Steps(ctx, sg.ID)
	if err != nil {
		return v, err
	}
	for _, st := range steps {
		v.Steps = append(v.Steps, stepView{SuggestionStep: st, KindLabel: core.StepKindLabel(st.Kind), Paras: textLines(st.Note)})
	}
	ratings, err := svc.Ratings(ctx, sg.ID)
	if err != nil {
		return v, err
	}
	for _, rt := range ratings {
		v.Ratings = append(v.Ratings, ratingView{SuggestionRating: rt, DeputyName: orDefault(names[rt.DeputyID], "（已不在建议上）"),
			Contact: core.ContactLabel(rt.Contact), Attitude: core.SatisfactionLabel(rt.Attitude),
			Result:       core.SatisfactionLabel(rt.Result),
			Dissatisfied: rt.Result == model.RatingDissatisfied || rt.Attitude == model.RatingDissatisfied})
	}
	return v, nil
}
