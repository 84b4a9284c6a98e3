package handlers

import (
	"deputybot/model"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func init() { consoleRoute(http.MethodGet, "/admin/audit", admins, auditList) }

const auditPageSize = 100

type auditView struct {
	Action    string
	Entries   []model.AuditEntry
	Pager     pager
	ExportURL string
}

// auditFilter reads the audit log's filter: action is an exact action or
// a prefix ending in ".".
func auditFilter(v url.Values) (model.AuditFilter, int) {
	f := model.AuditFilter{Action: strings.TrimSpace(v.Get("action"))}
	pageNo, _ := strconv.Atoi(v.Get("page"))
	return f, min(max(pageNo, 1), 100000)
}

func auditList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	f, pageNo := auditFilter(r.URL.Query())
	f.Limit, f.Offset = auditPageSize, (pageNo-1)*auditPageSize
	entries, total, err := s.staff.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	link := func(p int) string {
		v := url.Values{}
		if f.Action != "" {
			v.Set("action", f.Action)
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		return "/admin/audit?" + v.Encode()
	}
	v := auditView{Action: f.Action, Entries: entries, Pager: newPager(total, pageNo, auditPageSize, link),
		ExportURL: "/admin/audit/export?" + url.Values{"action": {f.Action}}.Encode()}
	s.render(w, r, http.StatusOK, "audit", page{Title: "审计日志", Nav: "audit", Me: me, Data: v})
	return nil
}
