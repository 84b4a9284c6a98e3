package api

import (
	"net/http"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// auditList pages through the audit log, newest first: ?action= an exact
// action or a prefix ending in "." (deputy.), ?page=, ?per_page= (1–500,
// default 100). Each entry names its action in Chinese too.
func auditList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 100, 500)
	if err != nil {
		return err
	}
	pg := pageOf(q)
	f := model.AuditFilter{Action: strings.TrimSpace(q.Get("action")), Limit: per, Offset: (pg - 1) * per}
	entries, total, err := s.core.Staff.AuditLogAs(r.Context(), by, f)
	if err != nil {
		return err
	}
	type entry struct {
		ID          int64     `json:"id"`
		At          time.Time `json:"at"`
		StaffID     int64     `json:"staff_id,omitempty"`
		StaffName   string    `json:"staff_name"`
		Via         string    `json:"via,omitempty"`
		Action      string    `json:"action"`
		ActionLabel string    `json:"action_label"`
		Object      string    `json:"object"`
		Summary     string    `json:"summary"`
	}
	out := struct {
		Total   int     `json:"total"`
		Page    int     `json:"page"`
		PerPage int     `json:"per_page"`
		Entries []entry `json:"entries"`
	}{Total: total, Page: pg, PerPage: per, Entries: []entry{}}
	for _, e := range entries {
		out.Entries = append(out.Entries, entry{ID: e.ID, At: e.At, StaffID: e.StaffID, StaffName: e.StaffName, Via: e.Via,
			Action: e.Action, ActionLabel: model.AuditActionLabel(e.Action), Object: e.Object, Summary: e.Summary})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
