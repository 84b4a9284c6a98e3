package handlers_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// materialForm is a multipart material form with one attachment.
func materialForm(t *testing.T, fields map[string]string, fileName string, content []byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("attachments", fileName)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), &b
}

func TestConsoleMaterials(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		staff := w.login(t, model.RoleStaff)
		w.deputy(t, "济南代表", "13800000001")
		post := func(path string, fields map[string]string, file string, content []byte) result {
			ct, body := materialForm(t, fields, file, content)
			req, _ := http.NewRequest(http.MethodPost, w.srv.URL+path, body)
			req.Header.Set("Content-Type", ct)
			return w.do(t, staff, req)
		}
		fields := map[string]string{"title": "预算法解读", "category": "法律法规", "summary": "要点",
			"body": "# 第一章\n\n预算**公开**。<script>alert(1)</script>[坏](javascript:alert(2))", "action": "preview"}

		t.Run("the preview shows the sanitized text and keeps the upload", func(t *testing.T) {
			r := post("/admin/materials", fields, "预算法.pdf", core.SamplePDF("x"))
			_, preview, _ := strings.Cut(r.body, `class="phone-md"`)
			if r.status != http.StatusOK || !strings.Contains(preview, "<strong>公开</strong>") || strings.Contains(preview, "<script") ||
				strings.Contains(preview, "javascript:") || !strings.Contains(r.body, `name="keep" value="1" checked`) {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
		t.Run("a wrong file type is refused beside the field", func(t *testing.T) {
			r := post("/admin/materials", map[string]string{"title": "x", "action": "save"}, "病毒.pdf", []byte("MZ not a pdf"))
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "“病毒.pdf”类型不支持") {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
		t.Run("a form without a title is shown again", func(t *testing.T) {
			r := post("/admin/materials", map[string]string{"title": "", "action": "save"}, "", nil)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不能为空") {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
		fields["action"], fields["keep"] = "save", "1"
		r := post("/admin/materials", fields, "", nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		loc := r.header.Get("Location")
		show := w.get(t, staff, loc)
		if !strings.Contains(show.body, "草稿") || !strings.Contains(show.body, "预算法.pdf") || !strings.Contains(show.body, ">发布</a>") {
			t.Fatalf("show: %s", show.body)
		}
		t.Run("publishing to nobody is refused, to the delegation works", func(t *testing.T) {
			r := w.postForm(t, staff, loc+"/publish", url.Values{"action": {"publish"}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "请选择“全体代表”") {
				t.Fatalf("%d %s", r.status, r.body)
			}
			r = w.postForm(t, staff, loc+"/publish", url.Values{"delegation": {"济南市代表团"}})
			if r.status != http.StatusOK || !strings.Contains(r.body, "将发送给 1 位代表") {
				t.Fatalf("count: %d %s", r.status, r.body)
			}
			r = w.postForm(t, staff, loc+"/publish", url.Values{"delegation": {"济南市代表团"}, "action": {"publish"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if page := w.get(t, staff, loc); !strings.Contains(page.body, "推送已进入发送队列") || !strings.Contains(page.body, "已发布") {
				t.Fatalf("%s", page.body)
			}
		})
		t.Run("the list finds it, and a read-only account cannot edit", func(t *testing.T) {
			list := w.get(t, staff, "/admin/materials?q="+url.QueryEscape("预算"))
			if !strings.Contains(list.body, "预算法解读") || !strings.Contains(list.body, "共 1 份") {
				t.Fatalf("%s", list.body)
			}
			ro := w.login(t, model.RoleReadonly)
			if r := w.get(t, ro, loc+"/edit"); r.status != http.StatusForbidden {
				t.Fatalf("read-only edit: %d", r.status)
			}
			if r := w.get(t, ro, "/admin/files/1"); r.status != http.StatusOK || r.header.Get("Content-Type") != model.FilePDF {
				t.Fatalf("download: %d %v", r.status, r.header)
			}
		})
		t.Run("archived, it can no longer be published", func(t *testing.T) {
			if r := w.postForm(t, staff, loc+"/archive", url.Values{}); r.status != http.StatusSeeOther {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if r := w.get(t, staff, loc+"/publish"); r.status != http.StatusConflict {
				t.Fatalf("%d", r.status)
			}
		})
		t.Run("categories are edited one a line", func(t *testing.T) {
			r := w.postForm(t, staff, "/admin/materials/categories", url.Values{"categories": {"政治理论\n纪律教育\n"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if page := w.get(t, staff, "/admin/materials/new"); !strings.Contains(page.body, "<option>纪律教育</option>") {
				t.Fatal(fmt.Sprint(page.status))
			}
		})
	})
}
