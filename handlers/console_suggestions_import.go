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
	consoleRoute(http.MethodGet, "/admin/suggestions/import", editors, suggestionImportForm)
	consoleRoute(http.MethodPost, "/admin/suggestions/import", editors, suggestionImport)
}

type suggestionImportView struct {
	Done     bool
	Filename string
	Error    string
	Report   core.SuggestionImportReport
	Shown    []core.RowError
	More     int
}

func suggestionImportForm(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	s.render(w, r, http.StatusOK, "suggestion_import", page{Title: "导入代表建议", Nav: "suggestions", Me: me, Data: suggestionImportView{}})
	return nil
}

// suggestionImport imports an uploaded sheet and shows its report, every
// row error included, in the page.
func suggestionImport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	rep, name, err := s.importSuggestions(w, r, me)
	v := suggestionImportView{Done: true, Filename: name, Report: rep}
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
	s.render(w, r, status, "suggestion_import", page{Title: "导入代表建议", Nav: "suggestions", Me: me, Data: v})
	return nil
}

// importSuggestions reads the multipart field "file" and imports it;
// problems staff can fix come back as an *httpError.
func (s *server) importSuggestions(w http.ResponseWriter, r *http.Request, me model.Account) (core.SuggestionImportReport, string, error) {
	var rep core.SuggestionImportReport
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return rep, "", &httpError{http.StatusRequestEntityTooLarge, "文件过大（最多 20 MB）。"}
		}
		return rep, "", badRequest("请选择要上传的 Excel（.xlsx）或 CSV 文件。")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return rep, "", badRequest("请选择要上传的 Excel（.xlsx）或 CSV 文件。")
	}
	defer f.Close()
	name := filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/"))
	rep, err = s.suggestions().ImportSuggestions(r.Context(), f, name)
	switch {
	case errors.Is(err, core.ErrImportInvalid):
		return rep, name, &httpError{http.StatusUnprocessableEntity,
			fmt.Sprintf("%d 行有错误，未导入任何建议。请修改后重新上传。", countRows(rep.Errors))}
	case errors.Is(err, core.ErrImportFile):
		return rep, name, &httpError{http.StatusUnprocessableEntity, importMessage(err)}
	case err != nil:
		return rep, name, err
	}
	s.audit(r, me, "suggestion.import", "suggestions", fmt.Sprintf("导入 %s：共 %d 行，新增建议 %d 件", name, rep.Rows, rep.Created))
	return rep, name, nil
}
