package h5

import (
	"context"

	"deputybot/core"
)

// courseProgress lists the open courses holding the material, with the
// deputy's progress in each.
func (h *server) courseProgress(ctx context.Context, by core.Actor, materialID int64) ([]h5CourseProgress, error) {
	return nil, nil
}
