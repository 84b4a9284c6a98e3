package console

import (
	"fmt"
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

// The points rules (积分规则) of the performance record: everyone who sees
// the records sees them; admins change them, as they do the other settings
// of the service, since the points feed re-nomination.

// ruleRow is one event type on the rules page.
type ruleRow struct {
	Type, Label string
	Default     int
	Value       string // as shown in the box: the current points, or what was typed
	Error       string
}

type recordRulesView struct {
	Rows    []ruleRow
	CanSave bool
	Errors  bool
}

// ruleRows lists the event types with the values to show: typed (a refused
// form) or else the current rules. Core names a type's problem
// rules.<type>, as the API's JSON does.
func ruleRows(rules model.RecordRules, typed map[string]string, errs fieldErrors) []ruleRow {
	out := make([]ruleRow, len(model.RecordTypes))
	for i, t := range model.RecordTypes {
		v, ok := typed[t.Type]
		if !ok {
			v = strconv.Itoa(rules[t.Type])
		}
		out[i] = ruleRow{Type: t.Type, Label: t.Label, Default: t.Points, Value: v, Error: errs["rules."+t.Type]}
	}
	return out
}

func (s *server) renderRecordRules(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v recordRulesView) {
	v.CanSave = by.Account.Role == model.RoleAdmin
	s.render(w, r, status, "record_rules", page{Title: "履职积分规则", Nav: "records", Me: by.Account, Data: v})
}

// recordRulesShow shows the rules (boxes for admins).
func recordRulesShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	rules, err := s.core.Records.Rules(r.Context(), by)
	if err != nil {
		return err
	}
	s.renderRecordRules(w, r, by, http.StatusOK, recordRulesView{Rows: ruleRows(rules, nil, nil)})
	return nil
}

// recordRulesSave stores the points typed for every event type, or, with
// reset, goes back to the defaults.
func recordRulesSave(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	typed := map[string]string{}
	for _, t := range model.RecordTypes {
		typed[t.Type] = r.PostFormValue(t.Type)
	}
	var changes []string
	var err error
	if r.PostFormValue("reset") != "" {
		changes, err = s.core.Records.ResetRules(r.Context(), by)
	} else {
		changes, err = s.core.Records.SetRules(r.Context(), by, typed)
	}
	if fe, ok := fieldErrorsOf(err); ok {
		rules, err := s.core.Records.Rules(r.Context(), by)
		if err != nil {
			return err
		}
		s.renderRecordRules(w, r, by, http.StatusUnprocessableEntity, recordRulesView{Rows: ruleRows(rules, typed, fe), Errors: true})
		return nil
	} else if err != nil {
		return err
	}
	if len(changes) == 0 {
		s.flash(r, "积分规则没有变化。")
	} else {
		s.flash(r, fmt.Sprintf("已保存积分规则（%d 项有变化），所有代表的履职积分已按新规则计算。", len(changes)))
	}
	http.Redirect(w, r, "/admin/records/rules", http.StatusSeeOther)
	return nil
}
