package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/surveys/{id}", viewers, surveyResults) }

// surveyResultsView is a survey's results: per choice or scale question a
// chart and a table of counts, per text question the answers.
type surveyResultsView struct {
	S         model.Survey
	State     string
	Intro     []string
	Responses int
	Questions []questionResultView
	CanExport bool
}

type questionResultView struct {
	N         int
	Text      string
	KindLabel string
	Optional  bool
	Answered  int
	ChartID   string
	Chart     *chartData
	Rows      []optionCount
	Average   string
	Texts     []string
}

type optionCount struct {
	Label string
	Count int
	Share string // of the responses that answered the question
}

func questionResultOf(qr model.QuestionResult) questionResultView {
	q := qr.Question
	v := questionResultView{N: q.Position, Text: q.Text, KindLabel: core.QuestionKindLabel(q.Kind), Optional: q.Optional,
		Answered: qr.Answered, Texts: qr.Texts}
	var labels []string
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		labels = q.Options
	case model.QuestionScale:
		for i := core.ScaleMin; i <= core.ScaleMax; i++ {
			labels = append(labels, strconv.Itoa(i)+" 分")
		}
		if qr.Answered > 0 {
			v.Average = fmt.Sprintf("%.2f", qr.Average)
		}
	default:
		return v
	}
	c := chartData{Kind: "hbar", Categories: []string{}, Series: []chartSeries{{Name: "人数", Data: []float64{}}}}
	if q.Kind == model.QuestionScale {
		c.Kind = "bar"
	}
	for i, l := range labels {
		n := 0
		if i < len(qr.Counts) {
			n = qr.Counts[i]
		}
		share := "—"
		if qr.Answered > 0 {
			share = pctText(float64(n) / float64(qr.Answered))
		}
		v.Rows = append(v.Rows, optionCount{Label: l, Count: n, Share: share})
		c.Categories = append(c.Categories, l)
		c.Series[0].Data = append(c.Series[0].Data, float64(n))
	}
	v.Chart, v.ChartID = &c, fmt.Sprintf("q%d-chart", q.Position)
	return v
}

func (s *server) surveyOfPath(r *http.Request) (model.SurveyResults, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return model.SurveyResults{}, err
	}
	return s.surveys().Results(r.Context(), id)
}

func surveyResults(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	res, err := s.surveyOfPath(r)
	if err != nil {
		return err
	}
	sv := res.Survey
	v := surveyResultsView{S: sv, State: windowState(s.d.Now(), sv.OpensAt, sv.ClosesAt), Intro: textLines(sv.Intro),
		Responses: res.Responses, CanExport: slices.Contains(editors, me.Role)}
	for _, qr := range res.Questions {
		v.Questions = append(v.Questions, questionResultOf(qr))
	}
	s.render(w, r, http.StatusOK, "survey", page{Title: sv.Title, Nav: "surveys", Me: me, Data: v})
	return nil
}
