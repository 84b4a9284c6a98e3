package bot

import (
	"context"
	"deputybot/model"
)

// latestStudy is how many materials 学习 lists.
const latestStudy = 5

type studyItem struct {
	Title, Link string
	Studied     bool
}

// study lists the latest materials with the deputy's studied marks.
func (r *Router) study(ctx context.Context, d model.Deputy) (string, error) {
	ms, err := r.DB.LatestMaterials(ctx, d.ID, latestStudy)
	if err != nil {
		return "", err
	}
	if len(ms) == 0 {
		return r.say("study.none", nil)
	}
	items := make([]studyItem, len(ms))
	for i, m := range ms {
		link := m.Link
		if link == "" {
			link = m.Summary
		}
		items[i] = studyItem{Title: m.Title, Link: link, Studied: m.Studied()}
	}
	return r.say("study.list", map[string]any{"Items": items})
}

// markStudied marks the n-th of the latest materials studied.
func (r *Router) markStudied(ctx context.Context, d model.Deputy, n int) (string, error) {
	ms, err := r.DB.LatestMaterials(ctx, d.ID, latestStudy)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(ms) {
		return r.say("study.bad_number", map[string]any{"N": n})
	}
	if _, err := r.DB.MarkStudied(ctx, ms[n-1].ID, d.ID); err != nil {
		return "", err
	}
	left := 0
	for i, m := range ms {
		if i != n-1 && !m.Studied() {
			left++
		}
	}
	return r.say("study.marked", map[string]any{"Title": ms[n-1].Title, "Left": left})
}
