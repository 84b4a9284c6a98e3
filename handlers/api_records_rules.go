package handlers

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/records/rules", viewers, apiRecordRulesGet)
	apiRoute(http.MethodPut, "/api/v1/records/rules", admins, apiRecordRulesPut)
}

// apiRule is the points of one event type of the performance record.
type apiRule struct {
	Type    string `json:"type"`
	Label   string `json:"label"`
	Points  int    `json:"points"`
	Default int    `json:"default"`
}

func writeRules(w http.ResponseWriter, rules core.RecordRules) {
	out := struct {
		Rules []apiRule `json:"rules"`
	}{Rules: make([]apiRule, len(core.RecordTypes))}
	for i, t := range core.RecordTypes {
		out.Rules[i] = apiRule{Type: t.Type, Label: t.Label, Points: rules[t.Type], Default: t.Points}
	}
	writeJSON(w, http.StatusOK, out)
}

func apiRecordRulesGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	rules, err := s.records().Rules(r.Context())
	if err != nil {
		return err
	}
	writeRules(w, rules)
	return nil
}

// apiRecordRulesPut changes the points of the event types it names (the
// others keep theirs); each is a whole number from 0 to 100, else 422
// naming the type. The change applies to every total at once.
func apiRecordRulesPut(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in struct {
		Rules map[string]float64 `json:"rules"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if len(in.Rules) == 0 {
		return badRequest("请在 rules 中给出要修改的履职类型及其积分，例如 {\"rules\": {\"attend_session\": 5}}")
	}
	set := core.RecordRules{}
	var errs core.ValidationError
	for k, v := range in.Rules {
		if v != math.Trunc(v) || v < math.MinInt32 || v > math.MaxInt32 {
			errs = append(errs, &core.FieldError{Label: core.RecordTypeLabel(k), Value: strconv.FormatFloat(v, 'f', -1, 64), Msg: "不是整数，请填写 0 到 100 的整数"})
			continue
		}
		set[k] = int(v)
	}
	svc := s.records()
	before, err := svc.Rules(r.Context())
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		err = svc.SetRules(r.Context(), set)
	} else {
		err = errs
	}
	if err != nil {
		return writeAPIValidation(w, err, apiRuleKeys)
	}
	after, err := svc.Rules(r.Context())
	if err != nil {
		return err
	}
	if changes := core.RuleChanges(before, after); len(changes) > 0 {
		s.audit(r, me, "record.rules", "record_rules", "修改履职积分规则："+strings.Join(changes, "，"))
	}
	writeRules(w, after)
	return nil
}

// apiRuleKeys names the JSON property of a rule's problem: its event type
// (core names it by label), or rules for an unknown type.
func apiRuleKeys(field string) string {
	if k := ruleKeys(field); k != "" {
		return "rules." + k
	}
	return "rules"
}
