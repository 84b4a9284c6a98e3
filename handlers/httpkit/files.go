package httpkit

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// ServeFile answers with an uploaded file: its own content type, and a
// Content-Disposition naming it in ASCII for old clients and in UTF-8
// (RFC 5987) for the rest, so a Chinese name survives. PDFs and images
// open in place (a PDF in WeChat's viewer); other files download.
func ServeFile(w http.ResponseWriter, r *http.Request, f model.File, data []byte) {
	disp := "attachment"
	if f.IsPDF() || f.IsImage() {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", ContentDisposition(disp, f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+f.SHA256+`"`)
	// A file's bytes never change under its id; it may be kept privately.
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; sandbox")
	http.ServeContent(w, r, "", f.CreatedAt, bytes.NewReader(data))
}

// ContentDisposition is a header value (inline or attachment) offering
// name: an ASCII fallback in filename= and the UTF-8 name in filename*=.
func ContentDisposition(disposition, name string) string {
	ascii := make([]byte, 0, len(name))
	for _, c := range []byte(name) {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ';' {
			ascii = append(ascii, c)
		}
	}
	fallback := strings.TrimSpace(string(ascii))
	if fallback == "" || strings.HasPrefix(fallback, ".") {
		fallback = "file" + fallback
	}
	return disposition + `; filename="` + fallback + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// Why an uploaded sheet cannot be read: too large (413), or no file.
var (
	ErrUploadTooLarge = errors.New("文件过大（最多 20 MB）。")
	ErrNoUpload       = errors.New("请选择要上传的 Excel（.xlsx）或 CSV 文件。")
)

// MaxSheetUpload bounds an uploaded registry or suggestion sheet.
const MaxSheetUpload = 20 << 20

// SheetUpload reads the multipart field "file" of an import form, at most
// MaxSheetUpload bytes, and returns it with its base name (the uploader's
// folders dropped); ErrUploadTooLarge or ErrNoUpload when it cannot.
func SheetUpload(w http.ResponseWriter, r *http.Request) (multipart.File, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxSheetUpload+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, "", ErrUploadTooLarge
		}
		return nil, "", ErrNoUpload
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "", ErrNoUpload
	}
	return f, filepath.Base(strings.ReplaceAll(hdr.Filename, "\\", "/")), nil
}

// SendExport answers with a workbook (or CSV) an export produced, as a
// download under its name.
func SendExport(w http.ResponseWriter, f core.ExportFile) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if strings.HasSuffix(f.Name, ".csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", ContentDisposition("attachment", f.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}

// PathID reads the {id} of a route; one that is not a positive number is
// model.ErrNotFound.
func PathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.ErrNotFound
	}
	return id, nil
}

// ExportByID answers the export of the row the route's {id} names:
// export runs as by, and its file is sent as a download.
func ExportByID(w http.ResponseWriter, r *http.Request, by core.Actor, export func(context.Context, core.Actor, int64) (core.ExportFile, error)) error {
	id, err := PathID(r)
	if err != nil {
		return err
	}
	f, err := export(r.Context(), by, id)
	if err != nil {
		return err
	}
	SendExport(w, f)
	return nil
}
