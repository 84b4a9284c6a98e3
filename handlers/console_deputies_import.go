package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/deputies/import", editors, deputyImportForm)
	consoleRoute(http.MethodPost, "/admin/deputies/import", editors, deputyImport)
}

// Limits of an uploaded registry.
const (
	maxImportBytes  = 20 << 20
	maxShownRowErrs = 500
)

type importView struct {
	Done        bool
	Filename    string
	SkipInvalid bool
	Error       string // why nothing was imported
	Report      core.ImportReport
	Shown       []core.RowError
	More        int // row errors not shown
}

func deputyImportForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	s.render(w, r, http.StatusOK, "deputy_import", page{Title: "导入代表名册", Nav: "deputies", Me: me, Data: importView{}})
	return nil
}

// deputyImport runs an uploaded file through the registry's importer and
// shows its report, row errors included, in the page.
func deputyImport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	rep, name, err := s.importDeputies(w, r, me)
	v := importView{Done: true, Filename: name, Report: rep, SkipInvalid: r.FormValue("skip_invalid") != ""}
	v.Shown = rep.Errors[:min(len(rep.Errors), maxShownRowErrs)]
	v.More = len(rep.Errors) - len(v.Shown)
	status := http.StatusOK
	var he *httpError
	switch {
	case errors.As(err, &he):
		v.Error, status = he.msg, he.status
	case err != nil:
		return err
	}
	s.render(w, r, status, "deputy_import", page{Title: "导入代表名册", Nav: "deputies", Me: me, Data: v})
	return nil
}

// importDeputies reads the multipart field "file" (and the flag
// "skip_invalid") and imports it. Problems staff can fix come back as an
// *httpError with the report filled in as far as it got.
func (s *server) importDeputies(w http.ResponseWriter, r *http.Request, me model.Account) (core.ImportReport, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return core.ImportReport{}, "", &httpError{http.StatusRequestEntityTooLarge, "文件过大（最多 20 MB）。"}
		}
		return core.ImportReport{}, "", badRequest("请选择要上传的 Excel（.xlsx）或 CSV 文件。")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return core.ImportReport{}, "", badRequest("请选择要上传的 Excel（.xlsx）或 CSV 文件。")
	}
	defer f.Close()
	name := filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
	opts := core.ImportOptions{SkipInvalid: r.FormValue("skip_invalid") != "" && r.FormValue("skip_invalid") != "false"}
	rep, err := s.registry.Import(r.Context(), f, name, opts)
	switch {
	case errors.Is(err, core.ErrImportInvalid):
		return rep, name, &httpError{http.StatusUnprocessableEntity,
			fmt.Sprintf("%d 行有错误，未导入任何数据。请修改后重新上传，或勾选“跳过有错误的行”。", countRows(rep.Errors))}
	case errors.Is(err, core.ErrImportFile):
		return rep, name, &httpError{http.StatusUnprocessableEntity, importMessage(err)}
	case err != nil:
		return rep, name, err
	}
	s.audit(r, me, "deputy.import", "deputies", fmt.Sprintf("导入 %s：共 %d 行，新增 %d，更新 %d，未变 %d，跳过 %d",
		name, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Skipped))
	return rep, name, nil
}

// countRows counts the distinct rows among row errors.
func countRows(errs []core.RowError) int {
	seen := map[int]bool{}
	for _, e := range errs {
		seen[e.Row] = true
	}
	return len(seen)
}

// importMessage keeps the Chinese part of an import error, without the
// technical detail in parentheses.
func importMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	return msg
}
