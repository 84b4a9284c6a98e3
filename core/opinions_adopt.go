package core

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"deputybot/model"
)

// maxAdoptNoteRunes bounds the note staff may add when marking adoption.
const maxAdoptNoteRunes = 500

// adopt marks an opinion on a draft regulation adopted (采纳) by the
// account by, and tells its author in the same transaction. Only opinions
// on a solicitation can be adopted. Marking it again changes nothing; the
// result reports whether this call adopted it.
func (s *Opinions) adopt(ctx context.Context, opinionID int64, by, note string) (bool, error) {
	note = strings.TrimSpace(note)
	if n := utf8.RuneCountInString(note); n > maxAdoptNoteRunes {
		return false, ValidationError{{Key: "note", Label: "采纳说明", Msg: fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", maxAdoptNoteRunes, n)}}
	}
	o, err := s.db.GetOpinion(ctx, opinionID)
	if err != nil {
		return false, err
	}
	if o.SolicitationID == 0 {
		return false, ValidationError{{Key: "id", Label: "意见", Value: o.Receipt, Msg: "只有对法规草案的意见才能标记采纳"}}
	}
	return s.db.AdoptOpinion(ctx, o.ID, by, note, adoptionPush(o, note, s.now().Format("2006-01-02")))
}

// adoptionPush is the notice telling an opinion's author it was adopted.
func adoptionPush(o model.Opinion, note, day string) model.Push {
	where := strings.Trim(o.SolicitationTitle, " ")
	if o.Article != "" {
		where += " " + o.Article
	}
	body := fmt.Sprintf("您对%s提出的意见（回执号 %s）已被采纳，感谢您的参与。", where, o.Receipt)
	if note != "" {
		body += "\n\n" + note
	}
	return model.Push{DeputyIDs: []int64{o.DeputyID}, Notice: model.Notice{
		Kind: model.KindGeneral, Title: "您的意见已被采纳 " + o.Receipt, Body: body,
		Fields:  map[string]string{"number": o.Receipt, "status": "已采纳", "time": day},
		RefKind: "opinion", RefID: o.ID}}
}

// Adoptions returns the adoptions of the listed opinions that are adopted,
// by opinion id.
func (s *Opinions) Adoptions(ctx context.Context, list []model.Opinion) (map[int64]model.Adoption, error) {
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	return s.db.OpinionAdoptions(ctx, ids)
}
