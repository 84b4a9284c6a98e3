package handlers

import (
	"deputybot/model"
	"net/http"
	"strings"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/suggestions/{id}/steps", stepRecorders, apiSuggestionStep)
}

// apiStepInput is the body of a handling step: kind is contacted,
// replied, concluded, rehandling or note (or its Chinese name); a reply
// needs reply_category (A–D) and its text in note. actor defaults to the
// token's unit, or its account's name.
type apiStepInput struct {
	Kind          string `json:"kind"`
	ReplyCategory string `json:"reply_category"`
	Note          string `json:"note"`
	Actor         string `json:"actor"`
}

type apiStepResult struct {
	Step       apiStep       `json:"step"`
	Suggestion apiSuggestion `json:"suggestion"`
}

// apiSuggestionStep is a handling unit's integration point: it records a
// step on one of the unit's own suggestions (another unit's is 404).
func apiSuggestionStep(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	sg, err := s.suggestionOfPath(r, me)
	if err != nil {
		return err
	}
	var in apiStepInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f := stepForm{Kind: in.Kind, ReplyCategory: in.ReplyCategory, Note: in.Note, Actor: in.Actor}
	if strings.TrimSpace(f.Actor) == "" {
		f.Actor = defaultActor(me)
	}
	st := f.step(sg.ID)
	svc := s.suggestions()
	if err := svc.RecordStep(r.Context(), &st); err != nil {
		return writeAPIValidation(w, err, stepKeys)
	}
	s.audit(r, me, "suggestion.step", suggestionObject(sg.ID), stepSummary(sg, st))
	after, err := svc.Get(r.Context(), sg.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiStepResult{Step: apiStepOf(st), Suggestion: apiSuggestionOf(after)})
	return nil
}
