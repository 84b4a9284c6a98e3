package console

import (
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type materialFormView struct {
	ID         int64 // 0 for a new material
	Form       materialForm
	Categories []string
	Errors     fieldErrors
	Preview    *materialPreview
}

func (s *server) renderMaterialForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v materialFormView) error {
	cats, err := s.core.Materials.Categories(r.Context(), by)
	if err != nil {
		return err
	}
	v.Categories = cats
	title := "新建学习材料"
	if v.ID != 0 {
		title = "编辑学习材料"
	}
	s.render(w, r, status, "material_form", page{Title: title, Nav: "materials", Me: by.Account, Data: v})
	return nil
}

// materialNew shows the empty form.
func materialNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderMaterialForm(w, r, by, http.StatusOK, materialFormView{})
}

// materialEdit shows the form of a material.
func materialEdit(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	m, err := s.materialOfPath(r, by)
	if err != nil {
		return err
	}
	if m.Status == model.MaterialArchived {
		return core.Conflict("学习材料“%s”已归档，不能修改。", m.Title)
	}
	return s.renderMaterialForm(w, r, by, http.StatusOK, materialFormView{ID: m.ID,
		Form: materialForm{MaterialInput: core.MaterialInputOf(m), Files: m.Attachments}})
}

// materialCreate previews the form (action=preview) or stores it as a
// draft; a problem shows the form again with each beside its field.
func materialCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.saveMaterial(w, r, by, 0)
}

// materialUpdate previews or saves the edit of a material.
func materialUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.saveMaterial(w, r, by, id)
}

func (s *server) saveMaterial(w http.ResponseWriter, r *http.Request, by core.Actor, id int64) error {
	f, err := s.parseMaterialForm(w, r, by)
	v := materialFormView{ID: id, Form: f}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderMaterialForm(w, r, by, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	if r.MultipartForm.Value["action"] != nil && r.MultipartForm.Value["action"][0] == "preview" {
		p := previewOf(model.Material{Title: f.Title, Summary: f.Summary, Body: f.Body, Category: f.Category, Link: f.Link,
			VideoLink: f.VideoLink, Attachments: f.Files})
		v.Preview = &p
		return s.renderMaterialForm(w, r, by, http.StatusOK, v)
	}
	var m model.Material
	if id == 0 {
		m, err = s.core.Materials.Create(r.Context(), by, f.MaterialInput)
	} else {
		m, err = s.core.Materials.Update(r.Context(), by, id, f.MaterialInput)
	}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderMaterialForm(w, r, by, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	if id == 0 {
		s.flash(r, "已保存为草稿。下一步：检查预览无误后发布。")
	} else {
		s.flash(r, "已保存修改。")
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/materials/%d", m.ID), http.StatusSeeOther)
	return nil
}
