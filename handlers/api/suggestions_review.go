package api

import (
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// suggestionReview decides on a suggestion a deputy submitted:
// {"action":"accept","units":["省交通运输厅"]} assigns it (the first unit
// hosts, the rest co-handle), {"action":"return","reason":"…"} returns it
// to the deputy, {"action":"merge","into":12} merges it into suggestion
// 12. The deputy is told; the answer is the suggestion as it now stands.
func suggestionReview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Action string   `json:"action"`
		Units  []string `json:"units"`
		Reason string   `json:"reason"`
		Into   int64    `json:"into"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sg, err := s.core.Suggestions.ReviewAs(r.Context(), by, id,
		core.ReviewAction{Action: in.Action, Units: in.Units, Reason: in.Reason, Into: in.Into})
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, suggestionOf(sg))
	return nil
}
