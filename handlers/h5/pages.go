package h5

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// section builds the section about (kind, id) for deputy dep; nil for a
// notice about nothing in particular. A missing record is
// model.ErrNotFound.
func (h *server) section(ctx context.Context, dep int64, kind string, id int64, t h5Target, in h5Input) (*h5Section, error) {
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
		err = h.materialSection(ctx, s, dep, id, t, in)
	case refSolicitation:
		err = h.solicitationSection(ctx, s, dep, id, t, in)
	case refOpinion:
		err = h.opinionSection(ctx, s, dep, id)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// act records the deputy's answer to (kind, id) through the same core
// service the chat uses, and returns the result page's query.
func (h *server) act(ctx context.Context, dep int64, kind string, id int64, f url.Values) (url.Values, error) {
	done := url.Values{"done": {h5Verbs[kind]}}
	var err error
	switch kind {
	case refMeeting:
		err = h.meetings.RSVP(ctx, id, dep, f.Get("status"), f.Get("reason"), h5ChannelPage)
	case refSuggestion:
		_, err = h.suggestions.Rate(ctx, id, dep, core.Rating{Contact: f.Get("contact"), Attitude: f.Get("attitude"),
			Result: f.Get("result"), Reason: f.Get("reason")})
	case refSurvey:
		err = h.submitSurvey(ctx, dep, id, f)
	case refMaterial:
		_, _, err = h.materials.MarkStudied(ctx, dep, id)
	case refSolicitation:
		var receipt string
		receipt, err = h.opinions.Submit(ctx, dep, model.Opinion{SolicitationID: id, Article: f.Get("article"),
			Body: f.Get("body"), Channel: model.OpinionViaWeChat})
		done.Set("r", receipt)
	default:
		return nil, model.ErrNotFound
	}
	return done, err
}

// --- meetings --------------------------------------------------------------

type h5Meeting struct {
	ID                                     int64
	Kind, Title, Place, Organiser, Contact string
	Starts, Ends, Deadline                 string
	Invited, Open                          bool
	Status, StatusLabel, Reason            string
	Action                                 string
	FormReason                             string
}

func (h *server) meetingSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	inv, err := h.d.DB.GetInvitation(ctx, id, dep)
	invited := err == nil
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	var m model.Meeting
	if invited {
		m = *inv.Meeting
	} else if m, err = h.d.DB.GetMeeting(ctx, id); err != nil {
		return err
	}
	v := &h5Meeting{ID: m.ID, Kind: core.MeetingKindLabel(m.Kind), Title: m.Title, Place: m.Place,
		Organiser: m.Organiser, Contact: m.Contact, Starts: h.fmtTime(m.StartsAt), Deadline: h.fmtTime(m.RSVPDeadline),
		Invited: invited, Open: !h.d.Now().After(m.RSVPDeadline), Status: inv.Status,
		StatusLabel: core.RSVPLabel(inv.Status), Reason: inv.Reason, Action: t.action("rsvp"), FormReason: in.Form.Get("reason")}
	if m.EndsAt.Valid {
		v.Ends = h.fmtTime(m.EndsAt.Time)
	}
	if v.FormReason == "" && inv.Status == model.RSVPLeave {
		v.FormReason = inv.Reason
	}
	s.Meeting = v
	switch {
	case !invited:
		s.NotYours, s.Note = true, "您不在本次会议活动的邀请名单中，无需回执。"
	case !v.Open:
		s.Note = "回执已于 " + v.Deadline + " 截止。如需变更，请直接联系会议组织方。"
	}
	if in.Done == "rsvp" {
		switch inv.Status {
		case model.RSVPAttend:
			s.Done = "已记录您的回执：参加。请按时出席。"
		case model.RSVPLeave:
			s.Done = "已记录您的回执：请假。请假事由：" + inv.Reason
		}
	}
	return nil
}

// --- suggestions -----------------------------------------------------------

type h5Rating struct {
	Contact, Attitude, Result, Reason string
	At                                string
}

type h5Suggestion struct {
	ID                                       int64
	Number, Title, HostUnit, CoUnits, Status string
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

// --- surveys ---------------------------------------------------------------

type h5Question struct {
	Field, Kind, KindLabel, Text string
	Position                     int
	Optional                     bool
	Choices                      []h5Choice // single, multi and scale questions
	Value                        string     // a text question's answer
}

type h5Survey struct {
	ID                          int64
	Title, Closes               string
	IntroParas                  []string
	Anonymous, Answered, CanAsk bool
	Questions                   []h5Question
	Action                      string
}

func (h *server) surveySection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	sv, err := h.surveys.Get(ctx, id)
	if err != nil {
		return err
	}
	answered, err := h.surveys.HasAnswered(ctx, id, dep)
	if err != nil {
		return err
	}
	now := h.d.Now()
	v := &h5Survey{ID: sv.ID, Title: sv.Title, IntroParas: paragraphs(sv.Intro), Closes: h.fmtTime(sv.ClosesAt),
		Anonymous: sv.Anonymous, Answered: answered, Action: t.action("survey")}
	switch {
	case now.Before(sv.OpensAt):
		s.Note = "问卷将于 " + h.fmtTime(sv.OpensAt) + " 开始填写。"
	case !sv.OpenAt(now):
		s.Note = "问卷已于 " + v.Closes + " 截止，感谢您的关注。"
	case sv.Anonymous && answered:
		s.Note = "您已提交过本问卷（匿名问卷只能提交一次），感谢您的参与。"
	default:
		v.CanAsk = true
		if answered {
			s.Note = "您已提交过本问卷；截止前可以重新填写，以最后一次提交为准。"
		}
	}
	if v.CanAsk {
		for _, q := range sv.Questions {
			v.Questions = append(v.Questions, questionView(q, in.Form))
		}
	}
	if in.Done == "survey" && answered {
		s.Done = "问卷已提交，感谢您的参与。"
	}
	s.Survey = v
	return nil
}

func questionView(q model.SurveyQuestion, form url.Values) h5Question {
	field := "q" + strconv.FormatInt(q.ID, 10)
	v := h5Question{Field: field, Kind: q.Kind, KindLabel: core.QuestionKindLabel(q.Kind), Text: q.Text,
		Position: q.Position, Optional: q.Optional}
	picked := form[field]
	switch q.Kind {
	case model.QuestionSingle, model.QuestionMulti:
		for i, o := range q.Options {
			val := strconv.Itoa(i + 1)
			v.Choices = append(v.Choices, h5Choice{Name: field, Value: val, Label: o, Checked: slices.Contains(picked, val),
				Required: q.Kind == model.QuestionSingle && !q.Optional})
		}
	case model.QuestionScale:
		for n := core.ScaleMin; n <= core.ScaleMax; n++ {
			val := strconv.Itoa(n)
			v.Choices = append(v.Choices, h5Choice{Name: field, Value: val, Label: val + " 分",
				Checked: slices.Contains(picked, val), Required: !q.Optional})
		}
	default:
		v.Value = form.Get(field)
	}
	return v
}

func (h *server) submitSurvey(ctx context.Context, dep, id int64, f url.Values) error {
	sv, err := h.surveys.Get(ctx, id)
	if err != nil {
		return err
	}
	answers := make(map[int64]string, len(sv.Questions))
	for _, q := range sv.Questions {
		// A multiple choice arrives as one value per box: "1,3" as the chat types it.
		answers[q.ID] = strings.Join(f["q"+strconv.FormatInt(q.ID, 10)], ",")
	}
	_, err = h.surveys.Submit(ctx, id, dep, answers)
	return err
}

// --- materials -------------------------------------------------------------

type h5Material struct {
	ID                              int64
	Title, Summary, Link, Published string
	Paras                           []string
	Studied                         bool
	StudiedAt, Action               string
}

// h5StudyLookback is how far back the study record of a material is
// looked up (storage answers per deputy over the latest materials).
const h5StudyLookback = 200

func (h *server) materialSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	m, err := h.materials.Get(ctx, id)
	if err != nil {
		return err
	}
	if m.PublishedAt.After(h.d.Now()) {
		return model.ErrNotFound // scheduled, not yet for deputies' eyes
	}
	v := &h5Material{ID: m.ID, Title: m.Title, Summary: m.Summary, Link: m.Link, Published: h.fmtDate(m.PublishedAt),
		Paras: paragraphs(m.Body), Action: t.action("studied")}
	latest, err := h.materials.Latest(ctx, dep, h5StudyLookback)
	if err != nil {
		return err
	}
	for _, dm := range latest {
		if dm.ID == id && dm.StudiedAt != nil {
			v.Studied, v.StudiedAt = true, h.fmtTime(*dm.StudiedAt)
		}
	}
	if in.Done == "studied" {
		s.Done = "已记录：您已学习《" + m.Title + "》。"
	}
	s.Material = v
	return nil
}

// --- solicitations and opinions ---------------------------------------------

type h5Solicitation struct {
	ID                    int64
	Title, Link, Closes   string
	SummaryParas          []string
	Articles              int
	Open                  bool
	Receipt               string
	Article, Body, Action string
	// The draft's articles, each with its own opinion box, when its text
	// is stored; else one box with a free-text article field.
	ArticleList []h5Article
	Whole       h5Article // the box for the draft as a whole
	Mine        int       // the deputy's opinions on this draft so far
}

// h5Article is one article of a draft and the deputy's box for it.
type h5Article struct {
	Heading string // 第十二条; "" for the draft as a whole
	Paras   []string
	Long    bool   // folded behind its first words
	Excerpt string // those words
	Mine    int    // the deputy's opinions on it so far
	Body    string // a refused opinion's text, shown again
	Refused bool   // the refused opinion was on it: open its box
	Action  string // where its box posts
}

// h5ArticleFold is how long an article may be before it is folded.
const h5ArticleFold = 120

func (h *server) solicitationSection(ctx context.Context, s *h5Section, dep, id int64, t h5Target, in h5Input) error {
	sol, err := h.opinions.Solicitation(ctx, id)
	if err != nil {
		return err
	}
	v := &h5Solicitation{ID: sol.ID, Title: sol.Title, Link: sol.Link, Closes: h.fmtTime(sol.ClosesAt),
		SummaryParas: paragraphs(sol.Summary), Articles: sol.Articles, Open: sol.OpenAt(h.d.Now()),
		Article: in.Form.Get("article"), Body: in.Form.Get("body"), Action: t.action("opinion")}
	if !v.Open {
		s.Note = "征求意见已于 " + v.Closes + " 截止，感谢您的关注。"
		if h.d.Now().Before(sol.OpensAt) {
			s.Note = "征求意见将于 " + h.fmtTime(sol.OpensAt) + " 开始。"
		}
	}
	if err := h.solicitationArticles(ctx, v, dep, in); err != nil {
		return err
	}
	if in.Done == "opinion" && in.Receipt != "" {
		// The receipt comes from the URL: show it only if it is this
		// deputy's opinion on this draft.
		op, err := h.opinions.ByReceipt(ctx, in.Receipt)
		if err == nil && op.DeputyID == dep && op.SolicitationID == id {
			v.Receipt = op.Receipt
			on := "草案整体"
			if op.Article != "" {
				on = op.Article
			}
			s.Done = "您对" + on + "的意见已收到，回执编号 " + op.Receipt + "。请保存此编号，以便查询办理情况。"
		} else if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
	}
	s.Solicitation = v
	return nil
}

// solicitationArticles fills the draft's articles, with how many opinions
// the deputy gave on each and a refused opinion put back in its box.
func (h *server) solicitationArticles(ctx context.Context, v *h5Solicitation, dep int64, in h5Input) error {
	list, err := h.opinions.Articles(ctx, v.ID)
	if err != nil {
		return err
	}
	mine, _, err := h.opinions.List(ctx, model.OpinionFilter{DeputyID: dep, SolicitationID: v.ID})
	if err != nil {
		return err
	}
	v.Mine = len(mine)
	per := map[int]int{}
	for _, o := range mine {
		per[core.ArticleNumber(o.Article)]++
	}
	refused := -1 // the article of the refused opinion; 0 for the whole draft
	if len(in.Errors) > 0 {
		refused = core.ArticleNumber(in.Form.Get("article"))
	}
	v.Whole = h5Article{Mine: per[0], Refused: refused == 0, Action: v.Action}
	if refused == 0 {
		v.Whole.Body = in.Form.Get("body")
	}
	for _, a := range list {
		x := h5Article{Heading: a.Heading, Paras: paragraphs(a.Body), Mine: per[a.Number], Refused: refused == a.Number,
			Action: v.Action}
		if utf8.RuneCountInString(a.Body) > h5ArticleFold {
			x.Long, x.Excerpt = true, core.Excerpt(a.Body, 40)
		}
		if x.Refused {
			x.Body = in.Form.Get("body")
		}
		v.ArticleList = append(v.ArticleList, x)
	}
	return nil
}

type h5Opinion struct {
	Receipt, Category, SolicitationTitle, Article string
	Status, Submitted, RepliedAt                  string
	BodyParas, ReplyParas                         []string
}

func (h *server) opinionSection(ctx context.Context, s *h5Section, dep, id int64) error {
	op, err := h.opinions.Get(ctx, id)
	if err != nil {
		return err
	}
	if op.DeputyID != dep {
		s.NotYours, s.Note = true, "该意见不是您提交的，无法查看。"
		return nil
	}
	v := &h5Opinion{Receipt: op.Receipt, Category: core.OpinionCategoryLabel(op.Category),
		SolicitationTitle: op.SolicitationTitle, Article: op.Article, Status: core.OpinionStatusLabel(op.Status),
		Submitted: h.fmtTime(op.CreatedAt), BodyParas: paragraphs(op.Body), ReplyParas: paragraphs(op.StaffReply)}
	if op.RepliedAt != nil {
		v.RepliedAt = h.fmtTime(*op.RepliedAt)
	}
	s.Opinion = v
	return nil
}
