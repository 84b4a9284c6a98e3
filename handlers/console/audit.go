package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

const auditPageSize = 100

type auditLine struct {
	model.AuditEntry
	ActionLabel string
}

type auditView struct {
	Action    string
	Groups    []model.AuditGroup
	Entries   []auditLine
	Pager     pager
	ExportURL string
}

// auditFilterOf reads the audit log's filter: action is an exact action
// or a prefix ending in ".".
func auditFilterOf(v url.Values) model.AuditFilter {
	return model.AuditFilter{Action: strings.TrimSpace(v.Get("action"))}
}

// auditList is the audit log, newest first: who did what, in Chinese.
func auditList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f := auditFilterOf(r.URL.Query())
	pg := pageParam(r.URL.Query())
	f.Limit, f.Offset = auditPageSize, (pg-1)*auditPageSize
	entries, total, err := s.core.Staff.AuditLogAs(r.Context(), by, f)
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
	v := auditView{Action: f.Action, Groups: model.AuditGroups(), Pager: newPager(total, pg, auditPageSize, link),
		ExportURL: "/admin/audit/export?" + url.Values{"action": {f.Action}}.Encode()}
	for _, e := range entries {
		v.Entries = append(v.Entries, auditLine{AuditEntry: e, ActionLabel: model.AuditActionLabel(e.Action)})
	}
	s.render(w, r, http.StatusOK, "audit", page{Title: "审计日志", Nav: "audit", Me: by.Account, Data: v})
	return nil
}

// auditExport downloads the (filtered) audit log as Excel, newest first.
func auditExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Staff.ExportAuditAs(r.Context(), by, auditFilterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
