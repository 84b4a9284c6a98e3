package handlers

import (
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { apiRoute(http.MethodGet, "/api/v1/suggestions/rates", everyone, apiSuggestionRates) }

// apiRates are the figures of one unit (or overall, unit empty); rates
// are fractions 0–1.
type apiRates struct {
	HostUnit         string  `json:"host_unit,omitempty"`
	Total            int     `json:"total"`
	Replied          int     `json:"replied"`
	Concluded        int     `json:"concluded"`
	Rehandling       int     `json:"rehandling"`
	Rated            int     `json:"rated"`
	Satisfied        int     `json:"satisfied"` // 满意 and 基本满意
	Basic            int     `json:"basic"`
	Dissatisfied     int     `json:"dissatisfied"`
	ReplyRate        float64 `json:"reply_rate"`
	ConclusionRate   float64 `json:"conclusion_rate"`
	SatisfactionRate float64 `json:"satisfaction_rate"`
}

type apiRatesReport struct {
	Session string     `json:"session,omitempty"`
	Overall apiRates   `json:"overall"`
	ByUnit  []apiRates `json:"by_unit"`
}

func apiRatesOf(r core.Rates) apiRates {
	return apiRates{HostUnit: r.HostUnit, Total: r.Total, Replied: r.Replied, Concluded: r.Concluded,
		Rehandling: r.Rehandling, Rated: r.Rated, Satisfied: r.Satisfied, Basic: r.Basic, Dissatisfied: r.Dissatisfied,
		ReplyRate: r.ReplyRate, ConclusionRate: r.ConclusionRate, SatisfactionRate: r.SatisfactionRate}
}

// apiSuggestionRates returns 答复率, 办结率 and 满意率 overall and per host
// unit, for one session (?session=) or all; a unit token sees its own.
func apiSuggestionRates(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	session := cleanText(r.URL.Query().Get("session"))
	overall, units, err := s.suggestionRates(r.Context(), me, session)
	if err != nil {
		return err
	}
	out := apiRatesReport{Session: session, Overall: apiRatesOf(overall), ByUnit: []apiRates{}}
	for _, u := range units {
		out.ByUnit = append(out.ByUnit, apiRatesOf(u))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
