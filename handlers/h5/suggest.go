package h5

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// The suggestion form (提建议), /h5/suggest: the deputy's drafts and
// suggestions under review, and a form to write one (or edit a draft or a
// returned one, ?id=) and keep it as a draft or submit it for review,
// through the same core actions as 提建议 in the chat.

type h5SuggestForm struct {
	ID                                  int64
	Title, Content, Category, Cosigners string
}

type h5SuggestItem struct {
	ID                           int64
	Number, Title, Stage, Reason string
	Editable                     bool
}

type h5SuggestPage struct {
	Title, Tab string
	Done       string
	Errors     []string
	Form       h5SuggestForm
	Categories []string
	Mine       []h5SuggestItem
	Ended      bool
	MaxTitle   int
	MaxContent int
	Cosigners  []string // the co-signers of the draft and their answers
	Files      []string // the names of the draft's attachments
}

var suggestDone = map[string]string{
	"saved":     "已存为草稿，尚未提交。可随时回来修改并提交。",
	"attached":  "附件已保存。",
	"submitted": "已提交，工作人员审查后会通知您；邀请的附议代表会在微信中收到邀请。",
}

// suggestPage serves GET /h5/suggest for the menu session.
func (h *server) suggestPage(w http.ResponseWriter, r *http.Request) {
	by, ok := h.sessionOrLogin(w, r)
	if !ok {
		return
	}
	page := h5SuggestPage{Done: suggestDone[r.URL.Query().Get("done")]}
	if id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64); err == nil && id > 0 {
		if !h.loadDraft(w, r, by, id, &page) {
			return
		}
	}
	h.renderSuggest(w, r, http.StatusOK, by, page)
}

// loadDraft fills the form with the deputy's suggestion id; false when
// it answered (not found, a failure).
func (h *server) loadDraft(w http.ResponseWriter, r *http.Request, by core.Actor, id int64, page *h5SuggestPage) bool {
	sub, err := h.d.Services.Suggestions.SubmissionAs(r.Context(), by, id)
	if msg := core.Message(err); msg != "" {
		h.problem(w, http.StatusNotFound, h5Problem{"内容不存在", msg, "请回到“提建议”页面重新选择。"})
		return false
	}
	if err != nil {
		h.internal(w, "suggestion draft", err)
		return false
	}
	var names []string
	for _, c := range sub.Cosigners {
		names = append(names, c.Name)
		page.Cosigners = append(page.Cosigners, c.Name+"："+model.CosignLabel(c.State))
	}
	for _, f := range sub.Files {
		page.Files = append(page.Files, f.Name)
	}
	page.Form = h5SuggestForm{ID: sub.ID, Title: sub.Title, Content: sub.Summary, Category: sub.Category,
		Cosigners: strings.Join(names, "、")}
	return true
}

// suggestFile serves POST /h5/suggest/{id}/files: a file (a photo, a
// PDF or Word document) attached to the deputy's draft.
func (h *server) suggestFile(w http.ResponseWriter, r *http.Request) {
	by, ok := h.session(r)
	if !ok {
		h.problem(w, http.StatusForbidden, h5SessionExpired)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, model.MaxFileSize+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.problem(w, http.StatusRequestEntityTooLarge, h5TooLarge)
		} else {
			h.problem(w, http.StatusBadRequest, h5LinkInvalid)
		}
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.problem(w, http.StatusBadRequest, h5Problem{"没有选择文件", "请选择要上传的照片或文件。", "请返回上一页重新选择。"})
		return
	}
	defer file.Close()
	_, err = h.d.Services.Suggestions.AttachAs(r.Context(), by, id, hdr.Filename, file)
	if msgs, ok := suggestErrors(err); ok {
		page := h5SuggestPage{Errors: msgs}
		if !h.loadDraft(w, r, by, id, &page) {
			return
		}
		h.renderSuggest(w, r, http.StatusUnprocessableEntity, by, page)
		return
	}
	if err != nil {
		h.internal(w, "suggestion attachment", err)
		return
	}
	http.Redirect(w, r, "/h5/suggest?done=attached&id="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *server) renderSuggest(w http.ResponseWriter, r *http.Request, status int, by core.Actor, page h5SuggestPage) {
	mine, err := h.d.Services.Suggestions.DraftsOf(r.Context(), by)
	if err != nil {
		h.internal(w, "suggestion drafts", err)
		return
	}
	page.Title, page.Tab, page.Categories = "提建议", "suggest", model.SuggestionCategories
	page.MaxTitle, page.MaxContent, page.Ended = core.MaxSuggestionTitle, core.MaxSuggestionContent, by.Deputy.Status == model.StatusEnded
	for _, sg := range mine {
		page.Mine = append(page.Mine, h5SuggestItem{ID: sg.ID, Number: sg.Number, Title: sg.Title,
			Stage: core.SuggestionStageLabel(sg.Status), Reason: sg.ReviewNote, Editable: model.Editable(sg.Status)})
	}
	h.render(w, status, "suggest", page)
}

// suggestPost serves POST /h5/suggest: action save keeps a draft, submit
// sends it for review.
func (h *server) suggestPost(w http.ResponseWriter, r *http.Request) {
	by, ok := h.session(r)
	if !ok {
		h.problem(w, http.StatusForbidden, h5SessionExpired)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	f := h5SuggestForm{Title: r.PostFormValue("title"), Content: r.PostFormValue("content"),
		Category: r.PostFormValue("category"), Cosigners: r.PostFormValue("cosigners")}
	f.ID, _ = strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	in := core.SuggestionDraft{ID: f.ID, Title: f.Title, Content: f.Content, Category: f.Category,
		Cosigners: core.SplitDeputyNames(f.Cosigners)}
	action := r.PostFormValue("action")
	var err error
	switch action {
	case "save":
		_, err = h.d.Services.Suggestions.SaveDraftAs(r.Context(), by, in)
	case "submit":
		_, err = h.d.Services.Suggestions.SubmitAs(r.Context(), by, in)
	default:
		h.problem(w, http.StatusBadRequest, h5LinkInvalid)
		return
	}
	if msgs, ok := suggestErrors(err); ok {
		status := http.StatusUnprocessableEntity
		if !errors.As(err, new(core.ValidationError)) && !errors.As(err, new(*core.FieldError)) {
			status = http.StatusConflict
		}
		h.renderSuggest(w, r, status, by, h5SuggestPage{Errors: msgs, Form: f})
		return
	}
	if err != nil {
		h.internal(w, "suggestion "+action, err)
		return
	}
	h.d.Log.Info("h5: suggestion written", "deputy", by.Deputy.ID, "action", action)
	done := "saved"
	if action == "submit" {
		done = "submitted"
	}
	http.Redirect(w, r, "/h5/suggest?done="+done, http.StatusSeeOther)
}

// suggestErrors are the sentences a refusal shows on the form.
func suggestErrors(err error) ([]string, bool) {
	if verr, ok := core.Fields(err); ok {
		out := make([]string, len(verr))
		for i, e := range verr {
			out[i] = e.Label + "：" + e.Msg
			if e.Value != "" {
				out[i] = e.Label + "：“" + e.Value + "”" + e.Msg
			}
		}
		return out, true
	}
	if msg := core.Message(err); msg != "" {
		return []string{msg}, true
	}
	return nil, false
}
