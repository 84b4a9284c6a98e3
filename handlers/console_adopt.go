package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodPost, "/admin/opinions/{id}/adopt", editors, opinionAdopt) }

// adoptionsOf returns the adoptions of the listed opinions, by opinion id:
// the solicitation page's 已采纳 badges.
func (s *server) adoptionsOf(ctx context.Context, list []model.Opinion) (map[int64]*model.Adoption, error) {
	as, err := s.opinions().Adoptions(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*model.Adoption, len(as))
	for id, a := range as {
		out[id] = &a
	}
	return out, nil
}

// opinionAdopt marks an opinion on a draft regulation adopted; its author
// is told.
func opinionAdopt(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	adopted, err := s.opinions().Adopt(r.Context(), o.ID, me.Username, r.PostFormValue("note"))
	if ve := (core.ValidationError)(nil); errors.As(err, &ve) {
		return badRequest("%s", ve.Error())
	} else if err != nil {
		return err
	}
	if adopted {
		s.audit(r, me, "opinion.adopt", opinionObject(o), fmt.Sprintf("意见 %s 标记为已采纳", o.Receipt))
		s.flash(r, "意见 "+o.Receipt+" 已标记为采纳，已通知提出意见的代表。")
	} else {
		s.flash(r, "意见 "+o.Receipt+" 此前已标记为采纳。")
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/solicitations/%d#op-%d", o.SolicitationID, o.ID), http.StatusSeeOther)
	return nil
}
