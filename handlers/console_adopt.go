package handlers

import (
	"context"

	"deputybot/model"
)

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
