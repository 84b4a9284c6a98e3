package h5

import (
	"context"
	"net/url"
	"slices"

	"deputybot/core"
	"deputybot/model"
)

// The kinds of thing a page is about: a notice's RefKind.
const (
	refMeeting      = "meeting"
	refSuggestion   = "suggestion"
	refSurvey       = "survey"
	refSolicitation = "solicitation"
	refMaterial     = "material"
	refOpinion      = "opinion"
)

// h5Verbs is the one answer each kind of page takes, posted to …/{verb}.
var h5Verbs = map[string]string{
	refMeeting:      "rsvp",
	refSuggestion:   "rate",
	refSurvey:       "survey",
	refMaterial:     "studied",
	refSolicitation: "opinion",
}

// h5Target says where a section's form posts and where its result page
// lives: a pushed delivery's page (/h5/d/42 with the link's token) or a
// page of the menu session (/h5/meetings/7, no token).
type h5Target struct {
	Base  string
	Token string
}

func (t h5Target) action(verb string) string {
	u := t.Base + "/" + verb
	if t.Token != "" {
		u += "?t=" + url.QueryEscape(t.Token)
	}
	return u
}

// result is the page a successful answer redirects to (post/redirect/get).
func (t h5Target) result(q url.Values) string {
	if t.Token != "" {
		q.Set("t", t.Token)
	}
	return t.Base + "?" + q.Encode()
}

// h5Input is what a section shows besides its records: the result of an
// answer just recorded, or a refused form with the reasons.
type h5Input struct {
	Done    string     // ?done= of a result page: the verb just recorded
	Receipt string     // ?r= of an opinion's result page
	Form    url.Values // a refused form's values, shown again
	Errors  []string   // why it was refused, in Chinese
}

func resultInput(q url.Values) h5Input {
	return h5Input{Done: q.Get("done"), Receipt: q.Get("r"), Form: url.Values{}}
}

// h5Section is the part of a page about one meeting, suggestion, survey,
// material, solicitation or opinion, with its form. The delivery page and
// the menu session's pages share it.
type h5Section struct {
	Kind   string
	Done   string   // what was just recorded, in Chinese
	Errors []string // why the last answer was refused
	Note   string   // why there is nothing to answer here
	// NotYours: the deputy is not invited / not on the suggestion / not the
	// opinion's author. A delivery page shows the note; a menu page is 404.
	NotYours bool

	Meeting      *h5Meeting
	Suggestion   *h5Suggestion
	Survey       *h5Survey
	Material     *h5Material
	Solicitation *h5Solicitation
	Opinion      *h5Opinion
	Message      *h5Message
}

// h5Choice is one radio button or checkbox.
type h5Choice struct {
	Name, Value, Label string
	Checked, Required  bool
}

// ID is the element id linking the label to its input.
func (c h5Choice) ID() string { return c.Name + "-" + c.Value }

func choicesOf(name string, cs []core.Choice, picked ...string) []h5Choice {
	out := make([]h5Choice, len(cs))
	for i, c := range cs {
		out[i] = h5Choice{Name: name, Value: c.Value, Label: c.Label, Checked: slices.Contains(picked, c.Value),
			Required: true}
	}
	return out
}

// section builds the section about (kind, id) for the deputy by; nil for
// a notice about nothing in particular. A missing record is
// model.ErrNotFound.
func (h *server) section(ctx context.Context, by core.Actor, kind string, id int64, t h5Target, in h5Input) (*h5Section, error) {
	dep := by.Deputy.ID
	s := &h5Section{Kind: kind, Errors: in.Errors}
	var err error
	switch kind {
	case refMeeting:
		err = h.meetingSection(ctx, s, dep, id, t, in)
	case refSuggestion:
		err = h.suggestionSection(ctx, s, dep, id, t, in)
	case refSurvey:
		err = h.surveySection(ctx, s, dep, id, t, in)
	case refMaterial:
		err = h.materialSection(ctx, s, by, id, t, in)
	case refSolicitation:
		err = h.solicitationSection(ctx, s, dep, id, t, in)
	case refOpinion:
		err = h.opinionSection(ctx, s, dep, id)
	case refMessage:
		err = h.messageSection(ctx, s, by, id)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// act records the answer of the deputy by to (kind, id) through the same
// core service the chat uses, and returns the result page's query.
func (h *server) act(ctx context.Context, by core.Actor, kind string, id int64, f url.Values) (url.Values, error) {
	dep := by.Deputy.ID
	done := url.Values{"done": {h5Verbs[kind]}}
	var err error
	switch kind {
	case refMeeting:
		err = h.rsvp(ctx, dep, id, f)
	case refSuggestion:
		_, err = h.suggestions.RateAs(ctx, by, id, core.Rating{Contact: f.Get("contact"), Attitude: f.Get("attitude"),
			Result: f.Get("result"), Reason: f.Get("reason")})
	case refSurvey:
		err = h.submitSurvey(ctx, by, id, f)
	case refMaterial:
		_, _, err = h.materials.Study(ctx, by, id)
	case refSolicitation:
		var receipt string
		receipt, err = h.opinions.SubmitAs(ctx, by, model.Opinion{SolicitationID: id, Article: f.Get("article"),
			Body: f.Get("body"), Channel: model.OpinionViaWeChat})
		done.Set("r", receipt)
	default:
		return nil, model.ErrNotFound
	}
	return done, err
}
