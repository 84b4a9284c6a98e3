package console

import (
	"fmt"
	"net/http"
	"strings"

	"deputybot/core"
	"deputybot/model"
)

// materialPublishView is the publish page: when, and the audience of the
// push (or none).
type materialPublishView struct {
	Material model.Material
	Form     struct {
		Aud    audienceForm
		NoPush bool
		SendAt string
	}
	Errors      fieldErrors
	Delegations []string
	Tags        []string
	Count       *core.AudienceCount
}

func (s *server) renderMaterialPublish(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v materialPublishView) error {
	var err error
	if v.Delegations, v.Tags, err = s.core.Materials.AudienceChoices(r.Context(), by); err != nil {
		return err
	}
	s.render(w, r, status, "material_publish", page{Title: "发布学习材料", Nav: "materials", Me: by.Account, Data: v})
	return nil
}

// materialPublishForm shows the publish page.
func materialPublishForm(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	m, err := s.materialOfPath(r, by)
	if err != nil {
		return err
	}
	if m.Status == model.MaterialArchived {
		return core.Conflict("学习材料“%s”已归档，不能发布。如需再次推送，请新建一份材料。", m.Title)
	}
	return s.renderMaterialPublish(w, r, by, http.StatusOK, materialPublishView{Material: m})
}

// materialPublish counts the audience (action=preview) or publishes.
func materialPublish(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ctx := r.Context()
	m, err := s.materialOfPath(r, by)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := materialPublishView{Material: m}
	v.Form.Aud = parseAudienceForm(r.PostForm)
	v.Form.NoPush = r.PostFormValue("no_push") != ""
	v.Form.SendAt = plainText(r.PostFormValue("send_at"))
	in := core.PublishInput{SendAt: strings.ReplaceAll(v.Form.SendAt, "T", " ")}
	a, err := v.Form.Aud.audience()
	if err == nil {
		if !v.Form.NoPush {
			in.Audience = &a
		}
		if r.PostFormValue("action") != "publish" {
			var c core.AudienceCount
			if c, err = s.core.Materials.CountAudience(ctx, by, a); err == nil {
				v.Count = &c
				return s.renderMaterialPublish(w, r, by, http.StatusOK, v)
			}
		} else {
			var p core.Published
			if p, err = s.core.Materials.Publish(ctx, by, m.ID, in); err == nil {
				msg := "已发布。"
				if p.Material.Scheduled(s.core.Now()) {
					msg = "已定时发布，" + s.fmtTime(p.Material.PublishedAt) + " 起代表可见。"
				}
				if p.CampaignID != 0 {
					msg += fmt.Sprintf("推送已进入发送队列（通知 #%d），可在“通知推送”中查看进度。", p.CampaignID)
				} else {
					msg += "未推送；代表回复“学习”或从菜单即可看到。"
				}
				s.flash(r, msg)
				http.Redirect(w, r, fmt.Sprintf("/admin/materials/%d", m.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderMaterialPublish(w, r, by, http.StatusUnprocessableEntity, v)
	}
	return err
}
