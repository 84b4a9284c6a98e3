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
	ID        int64          `json:"id"`
	Title     string         `json:"title"`
	Intro     string         `json:"intro"`
	Anonymous bool           `json:"anonymous"`
	OpensAt   time.Time      `json:"opens_at"`
	ClosesAt  time.Time      `json:"closes_at"`
	CreatedAt time.Time      `json:"created_at"`
	Responses int            `json:"responses"`
	Audience  model.Audience `json:"audience"`
	RemindOn  []string       `json:"remind_on"`
	Questions []question     `json:"questions,omitempty"`
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
		ClosesAt: sv.ClosesAt, CreatedAt: sv.CreatedAt, Responses: sv.Responses, Audience: sv.AudienceOrAll(), RemindOn: sv.RemindOn}
	if out.RemindOn == nil {
		out.RemindOn = []string{}
	}
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

// surveyCreate creates a survey; it is announced to its audience (every
// deputy in office when left out) when it opens (opens_at left out: now),
// and those who have not answered are reminded on the remind_on days.
func surveyCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		Title     string         `json:"title"`
		Intro     string         `json:"intro"`
		Anonymous bool           `json:"anonymous"`
		OpensAt   *time.Time     `json:"opens_at"`
		ClosesAt  time.Time      `json:"closes_at"`
		Questions []question     `json:"questions"`
		Audience  model.Audience `json:"audience"`
		RemindOn  []string       `json:"remind_on"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sv := model.Survey{Title: in.Title, Intro: in.Intro, Anonymous: in.Anonymous, ClosesAt: in.ClosesAt, Audience: in.Audience, RemindOn: in.RemindOn}
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
	id, err := httpkit.PathID(r)
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
	turnout, err := s.core.Surveys.TurnoutAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := struct {
		Survey    survey   `json:"survey"`
		Responses int      `json:"responses"`
		Turnout   any      `json:"turnout"`
		Questions []result `json:"questions"`
	}{Survey: surveyOf(res.Survey), Responses: res.Responses, Turnout: turnoutOf(turnout, res.Survey.Anonymous), Questions: []result{}}
	out.Survey.Questions = nil
	for _, qr := range res.Questions {
		out.Questions = append(out.Questions, result{Question: questionOf(qr.Question), Answered: qr.Answered,
			Counts: qr.Counts, Average: qr.Average, Texts: qr.Texts})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// turnoutOf is a survey's response rate as JSON: invited, answered, rate
// (0–1), by delegation, and for a named survey who has and has not
// answered.
func turnoutOf(t core.SurveyTurnout, anonymous bool) any {
	type delegation struct {
		Delegation string  `json:"delegation"`
		Invited    int     `json:"invited"`
		Answered   int     `json:"answered"`
		Rate       float64 `json:"rate"`
	}
	type person struct {
		DeputyID int64  `json:"deputy_id"`
		Name     string `json:"name"`
	}
	rate := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	out := struct {
		Invited      int          `json:"invited"`
		Answered     int          `json:"answered"`
		Rate         float64      `json:"rate"`
		ByDelegation []delegation `json:"by_delegation"`
		Answerers    []person     `json:"answerers,omitempty"`
		Waiting      []person     `json:"waiting,omitempty"`
	}{Invited: t.Invited, Answered: t.Answered, Rate: rate(t.Answered, t.Invited), ByDelegation: []delegation{}}
	for _, d := range t.ByDelegation {
		out.ByDelegation = append(out.ByDelegation, delegation{d.Delegation, d.Invited, d.Answered, rate(d.Answered, d.Invited)})
	}
	if !anonymous {
		out.Answerers, out.Waiting = []person{}, []person{}
		for _, d := range t.Answerers {
			out.Answerers = append(out.Answerers, person{d.DeputyID, d.Name})
		}
		for _, d := range t.Waiting {
			out.Waiting = append(out.Waiting, person{d.DeputyID, d.Name})
		}
	}
	return out
}
