package api

import (
	"encoding/json"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// rule is the points of one event type of the performance record.
type rule struct {
	Type    string `json:"type"`
	Label   string `json:"label"`
	Points  int    `json:"points"`
	Default int    `json:"default"`
}

func writeRules(w http.ResponseWriter, rules model.RecordRules) {
	out := struct {
		Rules []rule `json:"rules"`
	}{Rules: make([]rule, len(model.RecordTypes))}
	for i, t := range model.RecordTypes {
		out.Rules[i] = rule{Type: t.Type, Label: t.Label, Points: rules[t.Type], Default: t.Points}
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
}

// recordRulesGet answers the points rules.
func recordRulesGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	rules, err := s.core.Records.Rules(r.Context(), by)
	if err != nil {
		return err
	}
	writeRules(w, rules)
	return nil
}

// recordRulesPut changes the points of the event types it names
// ({"rules": {"attend_session": 5}}); the others keep theirs.
func recordRulesPut(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Rules map[string]json.Number `json:"rules"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.Rules) == 0 {
		return badRequest("请在 rules 中给出要修改的履职类型及其积分，例如 {\"rules\": {\"attend_session\": 5}}")
	}
	typed := make(map[string]string, len(in.Rules))
	for k, v := range in.Rules {
		typed[k] = v.String()
	}
	if _, err := s.core.Records.SetRules(r.Context(), by, typed); err != nil {
		return err
	}
	rules, err := s.core.Records.Rules(r.Context(), by)
	if err != nil {
		return err
	}
	writeRules(w, rules)
	return nil
}
