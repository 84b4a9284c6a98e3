package console

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"

	"deputybot/core"
	"deputybot/handlers/httpkit"
)

// importPreviewView is what an uploaded registry would change, with the
// file itself to carry on to the import.
type importPreviewView struct {
	Preview     core.ImportPreview
	Shown       []core.RowError
	More        int
	SkipInvalid bool
	Data        string // the file, base64, posted back by the import form
	Error       string // why the file cannot be read
}

// deputyImportPreview reads an uploaded registry file and shows what
// importing it would change (new, updated field by field, unchanged,
// errors), writing nothing; its form imports the same file.
func deputyImportPreview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, name, err := httpkit.SheetUpload(w, r)
	if errors.Is(err, httpkit.ErrUploadTooLarge) {
		v := importView{Done: true, Error: err.Error()}
		s.render(w, r, http.StatusRequestEntityTooLarge, "deputy_import", page{Title: "导入代表名册", Nav: "deputies", Me: by.Account, Data: v})
		return nil
	} else if err != nil {
		return badInput(err.Error())
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return badInput("无法读取上传的文件，请重新上传。")
	}
	v := importPreviewView{SkipInvalid: r.FormValue("skip_invalid") == "1", Data: base64.StdEncoding.EncodeToString(raw)}
	v.Preview, err = s.core.Deputies.PreviewImport(r.Context(), by, bytes.NewReader(raw), name)
	status := http.StatusOK
	if err != nil {
		if v.Error, status, err = importOutcome(err, "", nil); err != nil {
			return err
		}
		v.Preview.Filename = name
	}
	v.Shown = v.Preview.Errors[:min(len(v.Preview.Errors), maxShownRowErrs)]
	v.More = len(v.Preview.Errors) - len(v.Shown)
	s.render(w, r, status, "deputy_import_preview", page{Title: "导入预览", Nav: "deputies", Me: by.Account, Data: v})
	return nil
}

// previewedUpload is the uploaded file "file", or else the file a preview
// page carried as base64 in "data", named by "filename".
func previewedUpload(w http.ResponseWriter, r *http.Request) (multipart.File, string, error) {
	f, name, err := httpkit.SheetUpload(w, r)
	if !errors.Is(err, httpkit.ErrNoUpload) || r.MultipartForm == nil || r.FormValue("data") == "" {
		return f, name, err
	}
	raw, derr := base64.StdEncoding.DecodeString(r.FormValue("data"))
	if derr != nil || r.FormValue("filename") == "" {
		return nil, "", httpkit.ErrNoUpload
	}
	return nopCloser{bytes.NewReader(raw)}, filepath.Base(r.FormValue("filename")), nil
}

// nopCloser is a file read from memory.
type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// importTemplate offers the sheet to fill in for an import (deputies,
// suggestions or stations).
func importTemplate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := core.ImportTemplate(r.PathValue("kind"))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
