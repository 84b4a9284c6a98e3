package h5

import (
	"context"

	"deputybot/core"
)

// courseProgress lists the deputy's open courses holding the material,
// with their progress in each.
func (h *server) courseProgress(ctx context.Context, by core.Actor, materialID int64) ([]h5CourseProgress, error) {
	cs, err := h.d.Services.Courses.OfMaterial(ctx, by, materialID)
	if err != nil {
		return nil, err
	}
	out := make([]h5CourseProgress, len(cs))
	for i, c := range cs {
		out[i] = h5CourseProgress{Title: c.Title, Deadline: h.fmtDate(c.Deadline), Done: min(c.Done, c.Required),
			Required: c.Required, Finished: c.Finished()}
	}
	return out, nil
}
