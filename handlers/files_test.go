package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// uploadBody is a body with one file in the field named field.
func uploadBody(t *testing.T, field, name string, content []byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

func TestFileUploadThroughTheAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		pdf := core.SamplePDF("Budget law")
		upload := func(role, field, name string, content []byte) result {
			ct, body := uploadBody(t, field, name, content)
			return w.api(t, role, http.MethodPost, "/api/v1/files", ct, body)
		}

		res := upload(model.RoleStaff, "file", "预算法 解读.pdf", pdf)
		if res.status != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		var f struct {
			ID           int64
			Name, SHA256 string
			Size         int64
		}
		if err := json.Unmarshal([]byte(res.body), &f); err != nil || f.Name != "预算法 解读.pdf" || f.Size != int64(len(pdf)) || len(f.SHA256) != 64 {
			t.Fatalf("%s (%v)", res.body, err)
		}

		t.Run("the download has the type and the Chinese name", func(t *testing.T) {
			get := w.api(t, model.RoleReadonly, http.MethodGet, fmt.Sprintf("/api/v1/files/%d", f.ID), "", nil)
			cd := get.header.Get("Content-Disposition")
			if get.status != http.StatusOK || get.header.Get("Content-Type") != model.FilePDF || get.body != string(pdf) ||
				!strings.HasPrefix(cd, "inline;") || !strings.Contains(cd, "filename*=UTF-8''%E9%A2%84%E7%AE%97%E6%B3%95%20%E8%A7%A3%E8%AF%BB.pdf") {
				t.Fatalf("%d %v", get.status, get.header)
			}
		})
		t.Run("a Word document downloads as an attachment", func(t *testing.T) {
			res := upload(model.RoleAdmin, "file", "代表法.docx", testkit.DOCX("代表法"))
			var d struct{ ID int64 }
			_ = json.Unmarshal([]byte(res.body), &d)
			get := w.api(t, model.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/files/%d", d.ID), "", nil)
			if get.header.Get("Content-Type") != model.FileDOCX || !strings.HasPrefix(get.header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("%d %v", get.status, get.header)
			}
		})

		before := rowCount(t, db, "files")
		for _, tc := range []struct {
			name, role, field string
			content           []byte
			status            int
			want              string
		}{
			{"over 20 MB is 413", model.RoleStaff, "file", append(bytes.Clone(pdf), make([]byte, model.MaxFileSize)...),
				http.StatusRequestEntityTooLarge, "超过 20 MB"},
			{"a text file named .pdf is 422", model.RoleStaff, "file", []byte("<html><script>alert(1)</script></html>"),
				http.StatusUnprocessableEntity, "类型不支持"},
			{"an empty file is 422", model.RoleStaff, "file", nil, http.StatusUnprocessableEntity, "是空文件"},
			{"a PDF cut short is 422", model.RoleStaff, "file", pdf[:len(pdf)/2], http.StatusUnprocessableEntity, "PDF 文件不完整或已损坏"},
			{"a file in another field is 422", model.RoleStaff, "upload", pdf, http.StatusUnprocessableEntity, "请选择要上传的文件"},
			{"a read-only account may not upload", model.RoleReadonly, "file", pdf, http.StatusForbidden, "无权"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := upload(tc.role, tc.field, "x.pdf", tc.content)
				if res.status != tc.status || !strings.Contains(res.body, tc.want) {
					t.Fatalf("%d %s", res.status, res.body)
				}
			})
		}
		if n := rowCount(t, db, "files"); n != before {
			t.Fatalf("refused uploads stored files: %d → %d", before, n)
		}
		t.Run("a body that is not multipart is 400", func(t *testing.T) {
			res := w.api(t, model.RoleStaff, http.MethodPost, "/api/v1/files", "application/json", strings.NewReader(`{}`))
			if res.status != http.StatusBadRequest {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})
	})
}

func rowCount(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
