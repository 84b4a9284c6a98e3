package handlers

import (
	"deputybot/model"
	"net/http"
	"time"
)

func init() { apiRoute(http.MethodGet, "/api/v1/audit", admins, apiAuditList) }

type apiAuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	StaffID   int64     `json:"staff_id,omitempty"`
	StaffName string    `json:"staff_name"`
	Action    string    `json:"action"`
	Object    string    `json:"object"`
	Summary   string    `json:"summary"`
}

type apiAuditPage struct {
	Total   int             `json:"total"`
	Page    int             `json:"page"`
	PerPage int             `json:"per_page"`
	Entries []apiAuditEntry `json:"entries"`
}

// apiAuditList pages through the audit log, newest first, with the
// console's filter: ?action= an exact action or a prefix ending in "."
// (deputy.), and ?page=.
func apiAuditList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	f, pageNo := auditFilter(r.URL.Query())
	per, err := perPage(r, auditPageSize)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = per, (pageNo-1)*per
	entries, total, err := s.staff.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	out := apiAuditPage{Total: total, Page: pageNo, PerPage: per, Entries: []apiAuditEntry{}}
	for _, e := range entries {
		out.Entries = append(out.Entries, apiAuditEntry{ID: e.ID, At: e.At, StaffID: e.StaffID, StaffName: e.StaffName,
			Action: e.Action, Object: e.Object, Summary: e.Summary})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
