package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// file is an uploaded file as the API shows it.
type file struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

func fileOf(f model.File) file {
	return file{ID: f.ID, Name: f.Name, Size: f.Size, SHA256: f.SHA256, ContentType: f.ContentType,
		URL: fmt.Sprintf("/api/v1/files/%d", f.ID)}
}

// fileUpload stores the multipart field "file": 201 with its id, name,
// size and SHA-256. Over 20 MB is 413; a type other than PDF, Word or an
// image (by content) is 422.
func fileUpload(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, model.MaxFileSize+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("请以 multipart/form-data 上传，文件放在字段 file 中")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return &core.FieldError{Key: "file", Label: "文件", Msg: "请选择要上传的文件（字段 file）"}
		}
		if err != nil {
			return uploadError(err)
		}
		if part.FormName() != "file" {
			continue
		}
		f, err := s.core.Files.Upload(r.Context(), by, part.FileName(), part)
		if err != nil {
			return uploadError(err)
		}
		w.Header().Set("Location", fmt.Sprintf("/api/v1/files/%d", f.ID))
		httpkit.WriteJSON(w, http.StatusCreated, fileOf(f))
		return nil
	}
}

// uploadError makes an oversized body or file a 413.
func uploadError(err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) || errors.Is(err, core.ErrFileTooLarge) {
		return tooLarge(fmt.Sprintf("文件超过 %d MB，请压缩或拆分后再上传", model.MaxFileSize>>20))
	}
	return err
}

// fileGet downloads a file with its type and name.
func fileGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	f, data, err := s.core.Files.Open(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.ServeFile(w, r, f, data)
	return nil
}
