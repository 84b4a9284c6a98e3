package console

import (
	"net/http"
	"strings"

	"deputybot/core"
)

type materialCategoriesView struct {
	Text   string
	Errors fieldErrors
}

// materialCategoriesForm shows the list of categories, one a line.
func materialCategoriesForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	cs, err := s.core.Materials.Categories(r.Context(), by)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "material_categories", page{Title: "学习材料分类", Nav: "materials", Me: by.Account,
		Data: materialCategoriesView{Text: strings.Join(cs, "\n")}})
	return nil
}

// materialCategoriesSave replaces the list.
func materialCategoriesSave(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	text := r.PostFormValue("categories")
	_, err := s.core.Materials.SetCategories(r.Context(), by, strings.Split(strings.ReplaceAll(text, "\r", ""), "\n"))
	if fe, ok := fieldErrorsOf(err); ok {
		s.render(w, r, http.StatusUnprocessableEntity, "material_categories", page{Title: "学习材料分类", Nav: "materials",
			Me: by.Account, Data: materialCategoriesView{Text: text, Errors: fe}})
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "已保存分类。")
	http.Redirect(w, r, "/admin/materials", http.StatusSeeOther)
	return nil
}
