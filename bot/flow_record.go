package bot

import (
	"context"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// FlowRecord is 履职登记: a deputy reports an activity for the
// performance record; it counts once staff approve it.
const FlowRecord = "record"

// entryCategoryChoices offers the self-report categories in their order.
func entryCategoryChoices() []Choice {
	out := make([]Choice, len(model.EntryCategories))
	for i, c := range model.EntryCategories {
		out[i] = Choice{Value: c, Label: model.EntryCategoryLabel(c)}
	}
	return out
}

// recordFlow: category, day, place (may be skipped), a one-line
// description, a confirmation; the entry is stored pending review.
func (r *Router) recordFlow() *Flow {
	return &Flow{
		Name:  FlowRecord,
		Title: func(context.Context, *Session) string { return "履职登记" },
		Steps: func(context.Context, *Session) ([]Step, error) {
			return []Step{
				{Name: "category", Label: "类别", Kind: KindChoice, Prompt: "record.category", Choices: entryCategoryChoices()},
				{Name: "date", Label: "日期", Kind: KindDate, Prompt: "record.date", Check: func(_ context.Context, _ *Session, v string) (string, error) {
					day, err := time.Parse(time.DateOnly, v)
					if err != nil {
						return "", err
					}
					if problem := r.Core.Records.CheckEntryDate(day); problem != "" {
						return r.say("record.bad_date", map[string]any{"Problem": problem})
					}
					return "", nil
				}},
				{Name: "place", Label: "地点", Kind: KindText, Prompt: "record.place", MaxLen: model.MaxEntryPlaceRunes, Optional: true},
				{Name: "description", Label: "履职内容", Kind: KindText, Prompt: "record.description", MaxLen: model.MaxEntryDescriptionRunes,
					Data: func(context.Context, *Session) any { return map[string]any{"Max": model.MaxEntryDescriptionRunes} }},
				{Name: "confirm", Kind: KindYesNo, Prompt: "record.confirm", Data: func(ctx context.Context, s *Session) any {
					return map[string]any{"Category": model.EntryCategoryLabel(s.Answers["category"]), "Date": s.Answers["date"],
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
			_, err = r.Core.Records.SubmitEntry(ctx, deputyOf(s), model.RecordEntry{Category: s.Answers["category"], HappenedOn: day,
				Place: s.Answers["place"], Description: s.Answers["description"]})
			if verr, ok := core.Fields(err); ok {
				return r.say("record.invalid", map[string]any{"Problem": verr.Error()})
			} else if err != nil {
				return "", err
			}
			return r.say("record.saved", nil)
		},
	}
}

// myRecord answers 我的履职: this year's counts by type, points, and the
// self-reports still awaiting review.
func (r *Router) myRecord(ctx context.Context, d model.Deputy) (string, error) {
	svc := r.Core.Records
	t, err := svc.Totals(ctx, core.DeputyActor(d, core.ViaWeChat), d.ID, svc.ThisYear())
	if err != nil {
		return "", err
	}
	var lines []model.RecordLine
	for _, l := range t.Lines {
		if l.Count > 0 {
			lines = append(lines, l)
		}
	}
	return r.say("record.summary", map[string]any{"Name": d.Name, "Year": t.Year, "Lines": lines, "Count": t.Count,
		"Points": t.Points, "Pending": t.Pending, "Rejected": t.Rejected})
}
