package console

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// What the study material and course pages share.

// materialsPageSize is the length of a page of the material list.
const materialsPageSize = 30

// maxMaterialForm bounds a material form with its uploads: a few files of
// 20 MB at most each.
const maxMaterialForm = 5*model.MaxFileSize + 1<<20

// materialStatusOptions lists the list page's status filter.
func materialStatusOptions() []option {
	return []option{{model.MaterialDraft, model.MaterialStatusLabel(model.MaterialDraft)}, {"scheduled", "定时发布"},
		{model.MaterialPublished, model.MaterialStatusLabel(model.MaterialPublished)},
		{model.MaterialArchived, model.MaterialStatusLabel(model.MaterialArchived)}}
}

// materialPreview is a material as the deputy will see it on the H5 page.
type materialPreview struct {
	Title, Summary, Category, Link, VideoLink string
	HTML                                      template.HTML
	Files                                     []model.File
}

func previewOf(m model.Material) materialPreview {
	return materialPreview{Title: m.Title, Summary: m.Summary, Category: m.Category, Link: m.Link, VideoLink: m.VideoLink,
		HTML: template.HTML(core.RenderMarkdown(m.Body)), Files: m.Attachments}
}

// materialForm is the create and edit form as typed.
type materialForm struct {
	core.MaterialInput
	Files []model.File // attached already (kept unless unticked)
}

// parseMaterialForm reads the multipart form: the fields, the attachments
// to keep (keep=ID) and new files (attachments), uploaded through core as
// they arrive. An upload refused is a field error on attachments; the
// files stored before it stay attached to the form shown again.
func (s *server) parseMaterialForm(w http.ResponseWriter, r *http.Request, by core.Actor) (materialForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMaterialForm)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return materialForm{}, badInput(fmt.Sprintf("上传的文件过大：每个文件最多 %d MB，一次最多约 %d MB。", model.MaxFileSize>>20, maxMaterialForm>>20))
		}
		return materialForm{}, badInput("表单无法读取，请返回后重新提交。")
	}
	v := r.MultipartForm.Value
	get := func(k string) string {
		if len(v[k]) > 0 {
			return v[k][0]
		}
		return ""
	}
	f := materialForm{MaterialInput: core.MaterialInput{Title: plainText(get("title")), Summary: strings.TrimSpace(get("summary")),
		Body: get("body"), Category: get("category"), Link: plainText(get("link")), VideoLink: plainText(get("video_link"))}}
	for _, k := range v["keep"] {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil && id > 0 {
			f.AttachmentIDs = append(f.AttachmentIDs, id)
		}
	}
	var uploadErr error
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		file, err := fh.Open()
		if err != nil {
			return f, err
		}
		up, err := s.core.Files.Upload(r.Context(), by, fh.Filename, file)
		file.Close()
		if fe, ok := core.Fields(err); ok {
			uploadErr = &core.FieldError{Key: "attachments", Label: "附件", Msg: "“" + fh.Filename + "”" + fe[0].Msg}
			continue
		} else if err != nil {
			return f, err
		}
		f.AttachmentIDs = append(f.AttachmentIDs, up.ID)
	}
	for _, id := range f.AttachmentIDs {
		if file, err := s.core.Files.Get(r.Context(), by, id); err == nil {
			f.Files = append(f.Files, file)
		}
	}
	return f, uploadErr
}

// materialOfPath loads the material the path names.
func (s *server) materialOfPath(r *http.Request, by core.Actor) (model.Material, error) {
	id, err := httpkit.PathID(r)
	if err != nil {
		return model.Material{}, err
	}
	return s.core.Materials.Get(r.Context(), by, id)
}

// minutes writes seconds as minutes and seconds.
func minutes(sec int) string {
	if sec == 0 {
		return "—"
	}
	if sec < 60 {
		return fmt.Sprintf("%d 秒", sec)
	}
	return fmt.Sprintf("%d 分 %d 秒", sec/60, sec%60)
}
