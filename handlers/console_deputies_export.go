package handlers

import (
	"bytes"
	"deputybot/model"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/deputies/export", editors, deputyExport)
}

// deputyExport downloads the deputies matching the list's filters as
// Excel (or CSV with format=csv).
func deputyExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.exportDeputies(w, r, me)
}

// exportDeputies writes the registry, filtered like the list, as a file
// download; the console and the API share it.
func (s *server) exportDeputies(w http.ResponseWriter, r *http.Request, me model.Account) error {
	format := r.URL.Query().Get("format")
	switch format {
	case "", "xlsx":
		format = "xlsx"
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		return badRequest("format 应为 xlsx 或 csv")
	}
	f, _ := parseDeputyQuery(r.URL.Query()).filter(me)
	// Built in memory (a few MB for thousands of deputies) so a failure is
	// a proper error response, not a truncated file.
	var buf bytes.Buffer
	n, err := s.registry.Export(r.Context(), &buf, format, f)
	if err != nil {
		w.Header().Del("Content-Type")
		return err
	}
	name := fmt.Sprintf("代表名册-%s.%s", s.d.Now().In(s.d.Loc).Format("20060102-1504"), format)
	w.Header().Set("Content-Disposition", contentDisposition(name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	s.audit(r, me, "deputy.export", "deputies", fmt.Sprintf("导出代表名册 %d 位（%s）", n, format))
	_, _ = buf.WriteTo(w)
	return nil
}

// contentDisposition names a download, in ASCII for old clients and in
// UTF-8 for the rest (RFC 6266).
func contentDisposition(name string) string {
	ascii := make([]byte, 0, len(name))
	for _, c := range []byte(name) {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			ascii = append(ascii, c)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}
