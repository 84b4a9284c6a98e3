package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// The points rules (积分规则) of the performance record: everyone who sees
// the records sees them; admins change them, as they do the other settings
// of the service, since the points feed re-nomination. A change applies to
// every total at once: the totals are counted when read.
func init() {
	consoleRoute(http.MethodGet, "/admin/records/rules", viewers, recordRulesShow)
	consoleRoute(http.MethodPost, "/admin/records/rules", admins, recordRulesSave)
}

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

// ruleRows lists the event types with the values to show: typed (a
// refused form) or else the current rules.
func ruleRows(rules core.RecordRules, typed map[string]string, errs fieldErrors) []ruleRow {
	out := make([]ruleRow, len(core.RecordTypes))
	for i, t := range core.RecordTypes {
		v, ok := typed[t.Type]
		if !ok {
			v = strconv.Itoa(rules[t.Type])
		}
		out[i] = ruleRow{Type: t.Type, Label: t.Label, Default: t.Points, Value: v, Error: errs[t.Type]}
	}
	return out
}

// ruleKeys maps an event type's label (core's field name) to its form key.
func ruleKeys(field string) string {
	for _, t := range core.RecordTypes {
		if t.Label == field {
			return t.Type
		}
	}
	return ""
}

func (s *server) renderRecordRules(w http.ResponseWriter, r *http.Request, me model.Account, status int, v recordRulesView) {
	v.CanSave = me.Role == model.RoleAdmin
	s.render(w, r, status, "record_rules", page{Title: "履职积分规则", Nav: "records", Me: me, Data: v})
}

func recordRulesShow(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	rules, err := s.records().Rules(r.Context())
	if err != nil {
		return err
	}
	s.renderRecordRules(w, r, me, http.StatusOK, recordRulesView{Rows: ruleRows(rules, nil, nil)})
	return nil
}

// recordRulesSave stores the points typed for every event type, or, with
// reset, goes back to the defaults; the change is audited with what moved.
func recordRulesSave(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	svc := s.records()
	before, err := svc.Rules(r.Context())
	if err != nil {
		return err
	}
	typed := map[string]string{}
	for _, t := range core.RecordTypes {
		typed[t.Type] = r.PostFormValue(t.Type)
	}
	var after core.RecordRules
	if r.PostFormValue("reset") != "" {
		after = core.DefaultRecordRules()
		err = svc.ResetRules(r.Context())
	} else if parsed, errs := core.ParseRules(typed); len(errs) > 0 {
		err = errs
	} else {
		after, err = parsed, svc.SetRules(r.Context(), parsed)
	}
	if fe, ok := formErrors(err, ruleKeys); ok {
		s.renderRecordRules(w, r, me, http.StatusUnprocessableEntity, recordRulesView{Rows: ruleRows(before, typed, fe), Errors: true})
		return nil
	} else if err != nil {
		return err
	}
	changes := core.RuleChanges(before, after)
	if len(changes) == 0 {
		s.flash(r, "积分规则没有变化。")
	} else {
		s.audit(r, me, "record.rules", "record_rules", "修改履职积分规则："+strings.Join(changes, "，"))
		s.flash(r, fmt.Sprintf("已保存积分规则（%d 项有变化），所有代表的履职积分已按新规则计算。", len(changes)))
	}
	http.Redirect(w, r, "/admin/records/rules", http.StatusSeeOther)
	return nil
}
