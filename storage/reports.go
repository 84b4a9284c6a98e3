package storage

import (
	"context"
	"deputybot/model"
	"fmt"
	"time"
)

// ReportCounts computes the figures of [from, to).
func (db *DB) ReportCounts(ctx context.Context, from, to time.Time) (model.ReportCounts, error) {
	from, to = from.UTC(), to.UTC()
	c := model.ReportCounts{From: from, To: to}
	scalars := []struct {
		dst *int
		q   string
	}{
		{&c.Notices, `SELECT COUNT(*) FROM notices WHERE created_at >= ? AND created_at < ?`},
		{&c.Materials, `SELECT COUNT(*) FROM materials WHERE status <> 'draft' AND published_at >= ? AND published_at < ?`},
		{&c.Studies, `SELECT COUNT(*) FROM material_studies ms JOIN materials m ON m.id = ms.material_id
			WHERE m.published_at >= ? AND m.published_at < ? AND ms.studied_at < ?`},
		{&c.Students, `SELECT COUNT(DISTINCT ms.deputy_id) FROM material_studies ms JOIN materials m ON m.id = ms.material_id
			WHERE m.published_at >= ? AND m.published_at < ? AND ms.studied_at < ?`},
		{&c.Meetings, `SELECT COUNT(*) FROM meetings WHERE starts_at >= ? AND starts_at < ?`},
		{&c.Attended, `SELECT COUNT(*) FROM invitations i JOIN meetings m ON m.id = i.meeting_id
			WHERE m.starts_at >= ? AND m.starts_at < ? AND i.attended = 1`},
		{&c.NewSuggestions, `SELECT COUNT(*) FROM suggestions s WHERE ` + inHandling + ` AND created_at >= ? AND created_at < ?`},
		{&c.Replied, `SELECT COUNT(DISTINCT suggestion_id) FROM suggestion_steps WHERE kind = 'replied' AND at >= ? AND at < ?`},
		{&c.Concluded, `SELECT COUNT(DISTINCT suggestion_id) FROM suggestion_steps WHERE kind = 'concluded' AND at >= ? AND at < ?`},
		{&c.Ratings, `SELECT COUNT(*) FROM suggestion_ratings WHERE rated_at >= ? AND rated_at < ?`},
		{&c.Satisfied, `SELECT COUNT(*) FROM suggestion_ratings WHERE rated_at >= ? AND rated_at < ? AND result IN ('satisfied', 'basic')`},
		{&c.Face, `SELECT COUNT(*) FROM suggestion_ratings WHERE rated_at >= ? AND rated_at < ? AND contact = 'face'`},
		{&c.OpinionsAnswered, `SELECT COUNT(*) FROM opinions WHERE replied_at >= ? AND replied_at < ?`},
		{&c.Surveys, `SELECT COUNT(*) FROM surveys WHERE opens_at >= ? AND opens_at < ?`},
		{&c.Responses, `SELECT COUNT(*) FROM survey_responses WHERE submitted_at >= ? AND submitted_at < ?`},
	}
	for _, s := range scalars {
		args := []any{from, to}
		if n := countPlaceholders(s.q); n == 3 {
			args = append(args, to)
		}
		if err := db.rq(ctx).GetContext(ctx, s.dst, s.q, args...); err != nil {
			return c, fmt.Errorf("storage: report counts: %w", err)
		}
	}
	if err := db.rq(ctx).GetContext(ctx, &c.BoundDeputies, `SELECT COUNT(*) FROM deputies
		WHERE status = 'active' AND openid IS NOT NULL AND openid <> ''`); err != nil {
		return c, fmt.Errorf("storage: report bound deputies: %w", err)
	}
	var err error
	if c.Deliveries, err = db.countBy(ctx, "report deliveries", `SELECT status, COUNT(*) FROM deliveries
		WHERE created_at >= ? AND created_at < ? GROUP BY status`, from, to); err != nil {
		return c, err
	}
	if c.Invitations, err = db.countBy(ctx, "report invitations", `SELECT i.status, COUNT(*) FROM invitations i
		JOIN meetings m ON m.id = i.meeting_id WHERE m.starts_at >= ? AND m.starts_at < ? GROUP BY i.status`, from, to); err != nil {
		return c, err
	}
	if c.Opinions, err = db.countBy(ctx, "report opinions", `SELECT category, COUNT(*) FROM opinions
		WHERE created_at >= ? AND created_at < ? GROUP BY category`, from, to); err != nil {
		return c, err
	}
	return c, nil
}

func countPlaceholders(q string) int {
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
		}
	}
	return n
}
