package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"deputybot/model"
	"deputybot/storage"
)

// Reports builds the monthly and yearly reports of deputy work in
// deputybot's numbers.
type Reports struct {
	db  *storage.DB
	Loc *time.Location // months and years begin at midnight in it
	env *env           // the clock (this month) and the audit of exports
}

// NewReports returns the reports service; loc defaults to Asia/Shanghai.
func NewReports(db *storage.DB, loc *time.Location) *Reports {
	if loc == nil {
		loc = shanghaiLoc()
	}
	return &Reports{db: db, Loc: loc, env: newEnv(db)}
}

// Period is a report's span: a month ("2026-11") or a year ("2026").
type Period struct {
	Key      string    // as written in the URL
	Label    string    // 2026年11月, 2026年
	From, To time.Time // [From, To)
	Yearly   bool
}

// ParsePeriod reads "2026-11" or "2026" as a period in r's time zone.
func (r *Reports) ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if y, err := strconv.Atoi(s); err == nil && len(s) == 4 && y >= 2000 && y <= 2100 {
		from := time.Date(y, 1, 1, 0, 0, 0, 0, r.Loc)
		return Period{Key: s, Label: fmt.Sprintf("%d年", y), From: from, To: from.AddDate(1, 0, 0), Yearly: true}, nil
	}
	t, err := time.ParseInLocation("2006-01", s, r.Loc)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Period{}, ValidationError{{Label: "统计期间", Value: s, Msg: "应为年月（如 2026-11）或年份（如 2026）"}}
	}
	return Period{Key: s, Label: fmt.Sprintf("%d年%d月", t.Year(), t.Month()), From: t, To: t.AddDate(0, 1, 0)}, nil
}

// Months returns the months of a yearly period, for a month-by-month table.
func (p Period) Months() []Period {
	if !p.Yearly {
		return []Period{p}
	}
	var out []Period
	for m := p.From; m.Before(p.To); m = m.AddDate(0, 1, 0) {
		out = append(out, Period{Key: m.Format("2006-01"), Label: fmt.Sprintf("%d月", m.Month()), From: m, To: m.AddDate(0, 1, 0)})
	}
	return out
}

// Report is a period's figures and the rates made of them. A rate whose
// denominator is 0 is 0.
type Report struct {
	model.ReportCounts
	// DeliveriesTotal counts every delivery; Due those meant to go out
	// (all but 已取消); Reached those delivered or read.
	DeliveriesTotal, Due, Reached, Read int
	// ReachRate (送达率) = Reached / Due; ReadRate (阅读率) = Read / Due.
	ReachRate, ReadRate float64
	// StudyRate (学习完成率) = Studies / (Materials × BoundDeputies).
	StudyRate float64
	// Invited counts invitations; Answered those answered (参加 or 请假).
	Invited, Answered int
	// RSVPRate (回执率) = Answered / Invited; AttendanceRate (出席率) =
	// Attended / Invited.
	RSVPRate, AttendanceRate float64
	// SatisfactionRate (期内满意率) = Satisfied / Ratings; FaceShare (当面沟通
	// 占比) = Face / Ratings.
	SatisfactionRate, FaceShare float64
	OpinionsTotal               int
}

func frac(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Period returns the report of [from, to).
func (r *Reports) Period(ctx context.Context, from, to time.Time) (Report, error) {
	c, err := r.db.ReportCounts(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	rep := Report{ReportCounts: c}
	for st, n := range c.Deliveries {
		rep.DeliveriesTotal += n
		if st != model.DeliveryCancelled {
			rep.Due += n
		}
		switch st {
		case model.DeliveryDelivered, model.DeliveryRead:
			rep.Reached += n
		}
		if st == model.DeliveryRead {
			rep.Read += n
		}
	}
	rep.ReachRate, rep.ReadRate = frac(rep.Reached, rep.Due), frac(rep.Read, rep.Due)
	rep.StudyRate = frac(c.Studies, c.Materials*c.BoundDeputies)
	for st, n := range c.Invitations {
		rep.Invited += n
		if st == model.RSVPAttend || st == model.RSVPLeave {
			rep.Answered += n
		}
	}
	rep.RSVPRate, rep.AttendanceRate = frac(rep.Answered, rep.Invited), frac(c.Attended, rep.Invited)
	rep.SatisfactionRate, rep.FaceShare = frac(c.Satisfied, c.Ratings), frac(c.Face, c.Ratings)
	for _, n := range c.Opinions {
		rep.OpinionsTotal += n
	}
	return rep, nil
}
