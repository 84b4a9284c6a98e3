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

func TestConsoleCourses(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		staff := w.login(t, model.RoleStaff)
		ctx := t.Context()
		d1, d2 := w.deputy(t, "济南代表", "13800000001"), w.deputy(t, "另一代表", "13800000002")
		svc := core.New(db, core.Options{Now: w.clock.Now})
		by := core.CLIActor(model.Account{}, "t")
		var ids []string
		for _, title := range []string{"代表法", "预算法"} {
			m, err := svc.Materials.Create(ctx, by, core.MaterialInput{Title: title, Body: "正文"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Materials.Publish(ctx, by, m.ID, core.PublishInput{}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, fmt.Sprint(m.ID))
		}
		deadline := w.clock.Now().AddDate(0, 0, 20).In(svc.Location()).Format("2006-01-02T15:04")
		form := url.Values{"title": {"代表履职学习班"}, "required": {"3"}, "deadline": {deadline}, "material": ids, "all": {"1"}}
		r := w.postForm(t, staff, "/admin/courses", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不能多于学习班提供的 2 学时") {
			t.Fatalf("too many hours: %d %s", r.status, r.body)
		}
		form.Set("required", "2")
		r = w.postForm(t, staff, "/admin/courses", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		loc := r.header.Get("Location")
		if r := w.postForm(t, staff, loc+"/publish", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		if _, _, err := svc.Materials.Study(ctx, core.DeputyActor(d1, core.ViaH5), mustID(t, ids[0])); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Materials.Study(ctx, core.DeputyActor(d1, core.ViaH5), mustID(t, ids[1])); err != nil {
			t.Fatal(err)
		}
		page := w.get(t, staff, loc)
		for _, want := range []string{"已发布，2 位代表报名", "50.0%", `"kind":"hbar"`, "济南市代表团", "一键提醒 1 位未完成代表", d2.Name} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("the course page lacks %q:\n%s", want, page.body)
			}
		}
		if r := w.postForm(t, staff, loc+"/remind", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("remind: %d", r.status)
		}
		if page := w.get(t, staff, loc); !strings.Contains(page.body, "已提醒 1 位未完成的代表") {
			t.Fatalf("%s", page.body)
		}
		x := w.get(t, staff, loc+"/progress.xlsx")
		if x.status != http.StatusOK || !strings.Contains(x.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export: %d %v", x.status, x.header)
		}
		if list := w.get(t, staff, "/admin/courses"); !strings.Contains(list.body, "代表履职学习班") || !strings.Contains(list.body, "50%") {
			t.Fatalf("%s", list.body)
		}
		if edit := w.get(t, staff, loc+"/edit"); !strings.Contains(edit.body, `value="`+ids[1]+`" checked`) {
			t.Fatalf("edit form: %s", edit.body)
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}
