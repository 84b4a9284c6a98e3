package h5

import (
	"context"
	"errors"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// The suggestion section: the handling record and the rating form.

type h5Rating struct {
	Contact, Attitude, Result, Reason string
	At                                string
}

type h5Suggestion struct {
	ID                                       int64
	Number, Title, HostUnit, CoUnits, Status string
	Deadline                                 string // 办理期限; empty when none
	SummaryParas, ReplyParas                 []string
	ReplyCategory, RepliedAt, RehandleReason string
	OnIt, Rateable, CanRate                  bool
	Rating                                   *h5Rating // the deputy's rating of the current reply
	Contacts, Attitudes, Results             []h5Choice
	Reason, Action                           string
	RevisionDays                             int
	RatingClosedAt                           string
}

func (h *server) suggestionSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	sg, err := h.suggestions.Get(ctx, id)
	if err != nil {
		return err
	}
	v := &h5Suggestion{ID: sg.ID, Number: sg.Number, Title: sg.Title, HostUnit: sg.HostUnit, CoUnits: sg.CoUnits,
		Status: core.SuggestionStatusLabel(sg.Status), SummaryParas: paragraphs(sg.Summary),
		ReplyParas: paragraphs(sg.ReplyText), RehandleReason: sg.RehandleReason, Action: t.action("rate"),
		RevisionDays: int(h.suggestions.RatingRevisionWindow.Hours() / 24)}
	if sg.Deadline != nil {
		v.Deadline = sg.Deadline.Format(time.DateOnly)
	}
	for _, c := range core.ReplyCategoryChoices {
		if c.Value == sg.ReplyCategory {
			v.ReplyCategory = c.Label
		}
	}
	if sg.RepliedAt != nil {
		v.RepliedAt = h.fmtTime(*sg.RepliedAt)
	}
	for _, d := range sg.Deputies {
		v.OnIt = v.OnIt || d.DeputyID == dep
	}
	switch sg.Status {
	case model.SuggestionReplied, model.SuggestionConcluded, model.SuggestionRehandling:
		v.Rateable = true
	}
	s.Suggestion = v
	if !v.OnIt {
		s.NotYours, s.Note = true, "您不是该建议的领衔或附议代表，无需进行满意度测评。"
		return nil
	}
	if !v.Rateable {
		s.Note = "承办单位答复后，您可以在这里进行满意度测评。"
		return nil
	}
	prev, err := h.suggestions.GetRating(ctx, id, dep)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	v.CanRate = true
	if err == nil && (sg.RepliedAt == nil || !sg.RepliedAt.After(lastRatingChange(prev))) {
		v.Rating = &h5Rating{Contact: core.ContactLabel(prev.Contact), Attitude: core.SatisfactionLabel(prev.Attitude),
			Result: core.SatisfactionLabel(prev.Result), Reason: prev.Reason, At: h.fmtTime(lastRatingChange(prev))}
		closes := prev.RatedAt.Add(h.suggestions.RatingRevisionWindow)
		v.CanRate = !h.d.Now().After(closes)
		v.RatingClosedAt = h.fmtTime(closes)
		if !v.CanRate {
			s.Note = "测评结果已确定（修改期限至 " + v.RatingClosedAt + "）。"
		}
	}
	contact, attitude, result, reason := in.Form.Get("contact"), in.Form.Get("attitude"), in.Form.Get("result"), in.Form.Get("reason")
	if len(in.Errors) == 0 && v.Rating != nil {
		contact, attitude, result, reason = prev.Contact, prev.Attitude, prev.Result, prev.Reason
	}
	v.Contacts = choicesOf("contact", core.ContactChoices, contact)
	v.Attitudes = choicesOf("attitude", core.SatisfactionChoices, attitude)
	v.Results = choicesOf("result", core.SatisfactionChoices, result)
	v.Reason = reason
	if in.Done == "rate" && v.Rating != nil {
		s.Done = "已记录您的满意度测评：沟通方式 " + v.Rating.Contact + "，办理态度 " + v.Rating.Attitude +
			"，办理结果 " + v.Rating.Result + "。"
		if prev.Result == model.RatingDissatisfied {
			s.Done += "该建议已退回承办单位重新办理。"
		}
	}
	return nil
}

func lastRatingChange(r model.SuggestionRating) time.Time {
	if r.RevisedAt != nil {
		return *r.RevisedAt
	}
	return r.RatedAt
}
