package api

import (
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type survey struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Intro     string     `json:"intro"`
	Anonymous bool       `json:"anonymous"`
	OpensAt   time.Time  `json:"opens_at"`
	ClosesAt  time.Time  `json:"closes_at"`
	CreatedAt time.Time  `json:"created_at"`
	Responses int        `json:"responses"`
	Questions []question `json:"questions,omitempty"`
}

type question struct {
	ID       int64    `json:"id,omitempty"`
	Position int      `json:"position,omitempty"`
	Kind     string   `json:"kind"` // single, multi, scale, text
	Text     string   `json:"text"`
	Options  []string `json:"options,omitempty"`
	Optional bool     `json:"optional"`
}

func questionOf(q model.SurveyQuestion) question {
	return question{ID: q.ID, Position: q.Position, Kind: q.Kind, Text: q.Text, Options: q.Options, Optional: q.Optional}
}

func surveyOf(sv model.Survey) survey {
	out := survey{ID: sv.ID, Title: sv.Title, Intro: sv.Intro, Anonymous: sv.Anonymous, OpensAt: sv.OpensAt,
		ClosesAt: sv.ClosesAt, CreatedAt: sv.CreatedAt, Responses: sv.Responses}
	for _, q := range sv.Questions {
		out.Questions = append(out.Questions, questionOf(q))
	}
	return out
}

func surveysList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	list, err := s.core.Surveys.SurveysAs(r.Context(), by)
	if err != nil {
		return err
	}
	out := struct {
		Surveys []survey `json:"surveys"`
	}{Surveys: []survey{}}
	for _, sv := range list {
		out.Surveys = append(out.Surveys, surveyOf(sv))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// surveyCreate creates a survey; it is announced to every deputy in
// office when it opens (opens_at left out: now).
func surveyCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Title     string     `json:"title"`
		Intro     string     `json:"intro"`
		Anonymous bool       `json:"anonymous"`
		OpensAt   *time.Time `json:"opens_at"`
		ClosesAt  time.Time  `json:"closes_at"`
		Questions []question `json:"questions"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sv := model.Survey{Title: in.Title, Intro: in.Intro, Anonymous: in.Anonymous, ClosesAt: in.ClosesAt}
	if in.OpensAt != nil {
		sv.OpensAt = *in.OpensAt
	}
	for _, q := range in.Questions {
		sv.Questions = append(sv.Questions, model.SurveyQuestion{Kind: q.Kind, Text: q.Text, Options: q.Options, Optional: q.Optional})
	}
	if err := s.core.Surveys.CreateAs(r.Context(), by, &sv); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/surveys/%d/results", sv.ID))
	httpkit.WriteJSON(w, http.StatusCreated, surveyOf(sv))
	return nil
}

// surveyResults sums up a survey's responses question by question.
func surveyResults(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	res, err := s.core.Surveys.ResultsAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	type result struct {
		Question question `json:"question"`
		Answered int      `json:"answered"`
		Counts   []int    `json:"counts,omitempty"`  // per option, or per score 1–5
		Average  float64  `json:"average,omitempty"` // scale questions
		Texts    []string `json:"texts,omitempty"`   // text questions
	}
	out := struct {
		Survey    survey   `json:"survey"`
		Responses int      `json:"responses"`
		Questions []result `json:"questions"`
	}{Survey: surveyOf(res.Survey), Responses: res.Responses, Questions: []result{}}
	out.Survey.Questions = nil
	for _, qr := range res.Questions {
		out.Questions = append(out.Questions, result{Question: questionOf(qr.Question), Answered: qr.Answered,
			Counts: qr.Counts, Average: qr.Average, Texts: qr.Texts})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
