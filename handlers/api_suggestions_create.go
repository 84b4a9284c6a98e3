package handlers

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodPost, "/api/v1/suggestions", editors, apiSuggestionCreate) }

// apiSuggestionInput is the body of a new suggestion: deputies by id.
type apiSuggestionInput struct {
	Number       string  `json:"number"`
	Title        string  `json:"title"`
	Summary      string  `json:"summary"`
	Session      string  `json:"session"`
	LeadDeputyID int64   `json:"lead_deputy_id"`
	SeconderIDs  []int64 `json:"seconder_ids"`
	HostUnit     string  `json:"host_unit"`
	CoUnits      string  `json:"co_units"`
	Deadline     string  `json:"deadline"` // 2026-06-30
}

var apiSuggestionKeys = mapKeys(map[string]string{"建议编号": "number", "标题": "title", "内容摘要": "summary",
	"届次": "session", "主办单位": "host_unit", "协办单位": "co_units", "领衔代表": "lead_deputy_id",
	"附议代表": "seconder_ids", "办理期限": "deadline"})

func apiSuggestionCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiSuggestionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sg := model.Suggestion{Number: in.Number, Title: in.Title, Summary: in.Summary, Session: in.Session,
		LeadDeputyID: in.LeadDeputyID, HostUnit: in.HostUnit, CoUnits: in.CoUnits}
	var err error
	if in.Deadline != "" {
		t, ok := core.ParseDeadline(in.Deadline)
		if !ok {
			err = append(core.CheckSuggestion(sg), &core.FieldError{Key: "deadline", Label: "办理期限", Value: in.Deadline, Msg: "格式应为 2026-06-30"})
		}
		sg.Deadline = &t
	}
	if err == nil {
		err = s.suggestions().Create(r.Context(), &sg, in.SeconderIDs)
	}
	if err != nil {
		return writeAPIValidation(w, err, apiSuggestionKeys)
	}
	s.audit(r, me, "suggestion.create", suggestionObject(sg.ID), fmt.Sprintf("新增建议 %s《%s》，主办单位 %s", sg.Number, sg.Title, sg.HostUnit))
	full, err := s.suggestions().Get(r.Context(), sg.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/suggestions/%d", sg.ID))
	writeJSON(w, http.StatusCreated, apiSuggestionOf(full))
	return nil
}
