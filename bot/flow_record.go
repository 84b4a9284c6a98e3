package bot

import (
	"context"
	"errors"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// FlowRecord is 履职登记: a deputy reports an activity for the
// performance record; it counts once staff approve it.
const FlowRecord = "record"

// records returns the records service on the router's clock and zone.
func (r *Router) records() *core.Records {
	svc := core.NewRecords(r.DB)
	svc.Now = r.now
	if r.Loc != nil {
		svc.Loc = r.Loc
	}
	return svc
}

// recordFlow: category, day, place (may be skipped), a one-line
// description, a confirmation; the entry is stored pending review.
func (r *Router) recordFlow() *Flow {
	return &Flow{
		Name:  FlowRecord,
		Title: func(*Session) string { return "履职登记" },
		Steps: func(context.Context, *Session) ([]Step, error) {
			return []Step{
				{Name: "category", Kind: KindChoice, Prompt: "record.category", Choices: toChoices(core.EntryCategoryChoices)},
				{Name: "date", Kind: KindDate, Prompt: "record.date", Check: func(_ context.Context, _ *Session, v string) (string, error) {
					day, err := time.Parse(time.DateOnly, v)
					if err != nil {
						return "", err
					}
					if problem := r.records().CheckEntryDate(day); problem != "" {
						return r.say("record.bad_date", map[string]any{"Problem": problem})
					}
					return "", nil
				}},
				{Name: "place", Kind: KindText, Prompt: "record.place", MaxLen: core.MaxEntryPlaceRunes, Optional: true},
				{Name: "description", Kind: KindText, Prompt: "record.description", MaxLen: core.MaxEntryDescriptionRunes,
					Data: func(*Session) any { return map[string]any{"Max": core.MaxEntryDescriptionRunes} }},
				{Name: "confirm", Kind: KindYesNo, Prompt: "record.confirm", Data: func(s *Session) any {
					return map[string]any{"Category": core.EntryCategoryLabel(s.Answers["category"]), "Date": s.Answers["date"],
						"Place": s.Answers["place"], "Description": s.Answers["description"]}
				}},
			}, nil
		},
		Finish: func(ctx context.Context, s *Session) (string, error) {
			if s.Answers["confirm"] != "yes" {
				return r.say("record.discarded", nil)
			}
			day, err := time.Parse(time.DateOnly, s.Answers["date"])
			if err != nil {
				return "", err
			}
			_, err = r.records().SubmitEntry(ctx, s.Deputy.ID, model.RecordEntry{Category: s.Answers["category"], HappenedOn: day,
				Place: s.Answers["place"], Description: s.Answers["description"], Channel: "wechat"})
			var verr core.ValidationError
			switch {
			case errors.As(err, &verr):
				return r.say("record.invalid", map[string]any{"Problem": verr.Error()})
			case err != nil:
				return "", err
			}
			return r.say("record.saved", nil)
		},
	}
}

// myRecord answers 我的履职: this year's counts by type, points, and the
// self-reports still awaiting review.
func (r *Router) myRecord(ctx context.Context, d model.Deputy) (string, error) {
	svc := r.records()
	t, err := svc.Totals(ctx, d.ID, svc.ThisYear())
	if err != nil {
		return "", err
	}
	var lines []core.RecordLine
	for _, l := range t.Lines {
		if l.Count > 0 {
			lines = append(lines, l)
		}
	}
	return r.say("record.summary", map[string]any{"Name": d.Name, "Year": t.Year, "Lines": lines, "Count": t.Count,
		"Points": t.Points, "Pending": t.Pending, "Rejected": t.Rejected})
}
