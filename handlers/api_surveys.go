package handlers

import (
	"deputybot/model"
	"fmt"
	"net/http"
	"time"
)

func init() {
	apiRoute(http.MethodGet, "/api/v1/surveys", viewers, apiSurveysList)
	apiRoute(http.MethodPost, "/api/v1/surveys", editors, apiSurveyCreate)
	apiRoute(http.MethodGet, "/api/v1/surveys/{id}/results", viewers, apiSurveyResults)
}

type apiSurvey struct {
	ID        int64         `json:"id"`
	Title     string        `json:"title"`
	Intro     string        `json:"intro"`
	Anonymous bool          `json:"anonymous"`
	OpensAt   time.Time     `json:"opens_at"`
	ClosesAt  time.Time     `json:"closes_at"`
	CreatedAt time.Time     `json:"created_at"`
	Responses int           `json:"responses"`
	Questions []apiQuestion `json:"questions,omitempty"`
}

type apiQuestion struct {
	ID       int64    `json:"id,omitempty"`
	Position int      `json:"position,omitempty"`
	Kind     string   `json:"kind"` // single, multi, scale, text
	Text     string   `json:"text"`
	Options  []string `json:"options,omitempty"`
	Optional bool     `json:"optional"`
}

func apiSurveyOf(sv model.Survey) apiSurvey {
	out := apiSurvey{ID: sv.ID, Title: sv.Title, Intro: sv.Intro, Anonymous: sv.Anonymous, OpensAt: sv.OpensAt,
		ClosesAt: sv.ClosesAt, CreatedAt: sv.CreatedAt, Responses: sv.Responses}
	for _, q := range sv.Questions {
		out.Questions = append(out.Questions, apiQuestion{ID: q.ID, Position: q.Position, Kind: q.Kind, Text: q.Text,
			Options: q.Options, Optional: q.Optional})
	}
	return out
}

func apiSurveysList(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.surveys().List(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Surveys []apiSurvey `json:"surveys"`
	}{Surveys: []apiSurvey{}}
	for _, sv := range list {
		out.Surveys = append(out.Surveys, apiSurveyOf(sv))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSurveyInput is the body of a new survey; opens_at left out means now.
type apiSurveyInput struct {
	Title     string        `json:"title"`
	Intro     string        `json:"intro"`
	Anonymous bool          `json:"anonymous"`
	OpensAt   *time.Time    `json:"opens_at"`
	ClosesAt  time.Time     `json:"closes_at"`
	Questions []apiQuestion `json:"questions"`
}

// apiSurveyKeys names the JSON property of each of the survey's Chinese
// field names; 第N题 is questions[N-1].
func apiSurveyKeys(field string) string {
	if m := questionField.FindStringSubmatch(field); m != nil {
		var n int
		_, _ = fmt.Sscan(m[1], &n)
		return fmt.Sprintf("questions[%d]", n-1)
	}
	return map[string]string{"标题": "title", "说明": "intro", "开始时间": "opens_at", "截止时间": "closes_at",
		"题目": "questions"}[field]
}

// apiSurveyCreate creates a survey; it is announced to every deputy in
// office when it opens.
func apiSurveyCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiSurveyInput
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
	if err := s.surveys().Create(r.Context(), &sv); err != nil {
		return writeAPIValidation(w, err, apiSurveyKeys)
	}
	s.audit(r, me, "survey.create", fmt.Sprintf("survey/%d", sv.ID), fmt.Sprintf("新建问卷《%s》，%d 道题，截止 %s",
		sv.Title, len(sv.Questions), s.fmtTime(sv.ClosesAt)))
	w.Header().Set("Location", fmt.Sprintf("/api/v1/surveys/%d/results", sv.ID))
	writeJSON(w, http.StatusCreated, apiSurveyOf(sv))
	return nil
}

type apiQuestionResult struct {
	Question apiQuestion `json:"question"`
	Answered int         `json:"answered"`
	Counts   []int       `json:"counts,omitempty"`  // per option, or per score 1–5
	Average  float64     `json:"average,omitempty"` // scale questions
	Texts    []string    `json:"texts,omitempty"`   // text questions
}

// apiSurveyResults sums up a survey's responses question by question.
func apiSurveyResults(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	res, err := s.surveyOfPath(r)
	if err != nil {
		return err
	}
	out := struct {
		Survey    apiSurvey           `json:"survey"`
		Responses int                 `json:"responses"`
		Questions []apiQuestionResult `json:"questions"`
	}{Survey: apiSurveyOf(res.Survey), Responses: res.Responses, Questions: []apiQuestionResult{}}
	out.Survey.Questions = nil
	for _, qr := range res.Questions {
		q := qr.Question
		out.Questions = append(out.Questions, apiQuestionResult{Question: apiQuestion{ID: q.ID, Position: q.Position,
			Kind: q.Kind, Text: q.Text, Options: q.Options, Optional: q.Optional}, Answered: qr.Answered,
			Counts: qr.Counts, Average: qr.Average, Texts: qr.Texts})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
