package core

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// Meeting kinds the 列席 proposal reads.
const (
	sitInSession    = "session"    // 列席常委会会议
	sitInResearch   = "research"   // 专题调研
	sitInInspection = "inspection" // 集中视察
)

// Limits of a 列席 proposal request.
const (
	SitInMaxN         = 500
	SitInMaxTopics    = 10
	sitInMaxTopicRune = 30
)

// SitInRequest asks for N deputies to invite to sit in on a session.
type SitInRequest struct {
	MeetingID int64
	N         int
	Topics    []string  // the session's agenda topics, e.g. 教育, 乡村振兴
	TermStart time.Time // zero: TermStartOf the meeting's start
}

// Proposal is one proposed invitee, with the reasons shown to staff; each
// reason is a fact about the deputy.
type Proposal struct {
	Deputy      model.Deputy
	Score       float64 // the topic and grassroots score, see Propose
	Sittings    int     // sessions sat in on this term
	Suggestions int     // suggestions mentioning a topic, as lead or seconder
	Research    int     // research and inspections on a topic taken part in
	GroupMatch  bool    // the professional group matches a topic
	Reasons     []string
}

// ReasonText joins the reasons as the console shows them.
func (p Proposal) ReasonText() string { return strings.Join(p.Reasons, " · ") }

// SitIn proposes whom to invite to sit in on standing-committee sessions
// (列席) and reports how far invitations have covered the deputies.
type SitIn struct {
	db  *storage.DB
	Loc *time.Location // year boundaries of Coverage; default time.Local
}

// NewSitIn returns the 列席 service.
func NewSitIn(db *storage.DB) *SitIn { return &SitIn{db: db} }

// TermStartOf returns the start (1 January) of the five-year term that
// t falls in, counted from the provincial congresses elected in January
// 2023 (the 14th). Staff may give another start where this is wrong.
func TermStartOf(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.Local
	}
	y := t.In(loc).Year()
	start := 2023 + 5*sitInFloorDiv(y-2023, 5)
	return time.Date(start, time.January, 1, 0, 0, 0, 0, loc)
}

func sitInFloorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// SplitSitInTopics splits staff's topic text on commas, 、, semicolons and
// spaces, dropping empties and repeats.
func SplitSitInTopics(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、;；", r)
	})
	var out []string
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func (s *SitIn) validate(req *SitInRequest) error {
	var errs ValidationError
	if req.N < 1 || req.N > SitInMaxN {
		errs = append(errs, &FieldError{Key: "n", Label: "人数", Value: fmt.Sprint(req.N), Msg: fmt.Sprintf("应为 1 到 %d", SitInMaxN)})
	}
	var topics []string
	for _, t := range req.Topics {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	if len(topics) > SitInMaxTopics {
		errs = append(errs, &FieldError{Key: "topics", Label: "议题", Msg: fmt.Sprintf("最多 %d 个", SitInMaxTopics)})
	}
	for _, t := range topics {
		if utf8.RuneCountInString(t) > sitInMaxTopicRune {
			errs = append(errs, &FieldError{Key: "topics", Label: "议题", Value: t, Msg: fmt.Sprintf("过长（不超过 %d 字）", sitInMaxTopicRune)})
		}
	}
	req.Topics = topics
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// sitInFacts is what is known about one candidate.
type sitInFacts struct {
	sittings    int
	declined    bool // declined (请假) the latest two session invitations
	research    map[int64]bool
	suggestions map[int64]bool
}

// Propose returns up to req.N deputies to invite to the session, best
// first. Only deputies in office and not yet invited to it are considered,
// and deputies whose latest two invitations to sessions were both
// declined (请假) are skipped.
//
// Order. Candidates are ranked first by how many sessions they have sat in
// on this term (attended, or accepted while attendance is unrecorded, at
// sessions starting on or after TermStart): fewer first, so that no one
// sits in a second time while someone in office has not sat in once —
// the work plan's goal is to cover every deputy over the term. Within
// the same count they are ranked by score, highest first, then by id:
//
//	score = 3 if grassroots (基层代表)
//	      + 2 if the professional group contains a topic or a topic contains it
//	      + min(suggestions mentioning a topic in title or summary, 3)
//	      + min(research / inspections with a topic in the title taken part in, 2)
//
// Topics match case-insensitively as substrings.
//
// Spread. Each delegation's fair share is N × its candidates ÷ all
// candidates; a delegation takes at most ⌊share⌋ + 1 deputies while
// candidates with the same sitting count remain in other delegations
// under their cap. Only when none remain is the cap raised, one at a time
// for all delegations, before moving to deputies who sat in more often.
func (s *SitIn) Propose(ctx context.Context, req SitInRequest) ([]Proposal, error) {
	if err := s.validate(&req); err != nil {
		return nil, err
	}
	m, err := s.db.GetMeeting(ctx, req.MeetingID)
	if err != nil {
		return nil, err
	}
	if req.TermStart.IsZero() {
		req.TermStart = TermStartOf(m.StartsAt, s.loc())
	}
	cands, err := s.db.SitInCandidates(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	facts, err := s.facts(ctx, m.ID, req)
	if err != nil {
		return nil, err
	}
	pool := make([]Proposal, 0, len(cands))
	for _, d := range cands {
		f := facts[d.ID]
		if f != nil && f.declined {
			continue
		}
		pool = append(pool, sitInProposalOf(d, f, req.Topics))
	}
	return sitInPick(pool, req.N), nil
}

// facts gathers each deputy's sittings, declines, topic research and
// topic suggestions, ignoring the meeting being proposed for.
func (s *SitIn) facts(ctx context.Context, meetingID int64, req SitInRequest) (map[int64]*sitInFacts, error) {
	out := map[int64]*sitInFacts{}
	get := func(id int64) *sitInFacts {
		f := out[id]
		if f == nil {
			f = &sitInFacts{research: map[int64]bool{}, suggestions: map[int64]bool{}}
			out[id] = f
		}
		return f
	}
	hist, err := s.db.SitInHistory(ctx, []string{sitInSession, sitInResearch, sitInInspection})
	if err != nil {
		return nil, err
	}
	// History comes by deputy, latest first: the first two session rows
	// of each deputy are their latest two invitations.
	sessionsSeen, leaves := map[int64]int{}, map[int64]int{}
	for _, r := range hist {
		if r.MeetingID == meetingID {
			continue
		}
		f := get(r.DeputyID)
		switch r.Kind {
		case sitInSession:
			if sessionsSeen[r.DeputyID]++; sessionsSeen[r.DeputyID] <= 2 && r.Status == model.RSVPLeave {
				leaves[r.DeputyID]++
			}
			if r.TookPart() && !r.StartsAt.Before(req.TermStart) {
				f.sittings++
			}
		default:
			if r.TookPart() && sitInMentions(r.Title, req.Topics) {
				f.research[r.MeetingID] = true
			}
		}
	}
	for id, n := range leaves {
		out[id].declined = n == 2
	}
	sugs, err := s.db.SuggestionsMentioning(ctx, req.Topics)
	if err != nil {
		return nil, err
	}
	for _, sg := range sugs {
		if sitInMentions(sg.Title, req.Topics) || sitInMentions(sg.Summary, req.Topics) {
			get(sg.DeputyID).suggestions[sg.SuggestionID] = true
		}
	}
	return out, nil
}

// sitInProposalOf scores d and writes its reasons (see Propose).
func sitInProposalOf(d model.Deputy, f *sitInFacts, topics []string) Proposal {
	p := Proposal{Deputy: d}
	if f != nil {
		p.Sittings, p.Suggestions, p.Research = f.sittings, len(f.suggestions), len(f.research)
	}
	p.GroupMatch = GroupMatchesTopics(d.ProfessionalGroup, topics)
	if d.Grassroots {
		p.Score += 3
		p.Reasons = append(p.Reasons, "基层代表")
	}
	if p.Sittings == 0 {
		p.Reasons = append(p.Reasons, "本届未列席")
	} else {
		p.Reasons = append(p.Reasons, fmt.Sprintf("本届已列席 %d 次", p.Sittings))
	}
	if p.Suggestions > 0 {
		p.Score += float64(min(p.Suggestions, 3))
		p.Reasons = append(p.Reasons, fmt.Sprintf("提出过相关建议 %d 件", p.Suggestions))
	}
	if p.Research > 0 {
		p.Score += float64(min(p.Research, 2))
		p.Reasons = append(p.Reasons, fmt.Sprintf("参加过相关调研视察 %d 次", p.Research))
	}
	if p.GroupMatch {
		p.Score += 2
		p.Reasons = append(p.Reasons, "专业小组相关")
	}
	return p
}

// sitInPick chooses n of pool by sitting count, then score, then id,
// under the per-delegation caps described at Propose.
func sitInPick(pool []Proposal, n int) []Proposal {
	slices.SortFunc(pool, func(a, b Proposal) int {
		return cmp.Or(cmp.Compare(a.Sittings, b.Sittings), cmp.Compare(b.Score, a.Score), cmp.Compare(a.Deputy.ID, b.Deputy.ID))
	})
	size := map[string]int{}
	for _, p := range pool {
		size[p.Deputy.Delegation]++
	}
	caps := map[string]int{}
	for del, k := range size {
		caps[del] = n*k/len(pool) + 1 // ⌊n × k ÷ pool⌋ + 1
	}
	taken := map[string]int{}
	out := make([]Proposal, 0, min(n, len(pool)))
	for start := 0; start < len(pool) && len(out) < n; {
		end := start
		for end < len(pool) && pool[end].Sittings == pool[start].Sittings {
			end++
		}
		tier, chosen := pool[start:end], make([]bool, end-start)
		left := len(tier)
		for extra := 0; left > 0 && len(out) < n; extra++ {
			for i, p := range tier {
				del := p.Deputy.Delegation
				if chosen[i] || taken[del] >= caps[del]+extra || len(out) == n {
					continue
				}
				chosen[i], taken[del], left = true, taken[del]+1, left-1
				out = append(out, p)
			}
		}
		start = end
	}
	return out
}

// GroupMatchesTopics reports whether a professional group and one of the
// topics contain one another (教育科学文化卫生 and 教育).
func GroupMatchesTopics(group string, topics []string) bool {
	if group == "" {
		return false
	}
	g := strings.ToLower(group)
	for _, t := range topics {
		t = strings.ToLower(t)
		if t != "" && (strings.Contains(g, t) || strings.Contains(t, g)) {
			return true
		}
	}
	return false
}

// sitInMentions reports whether text contains one of topics, ignoring case.
func sitInMentions(text string, topics []string) bool {
	text = strings.ToLower(text)
	for _, t := range topics {
		if t != "" && strings.Contains(text, strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// SitInCoverageRow is one delegation's (or the total's) 列席 coverage.
type SitInCoverageRow struct {
	Delegation string
	InOffice   int // deputies in office now
	InTerm     int // of them, those who sat in at least once this term (to the year's end)
	InYear     int // of them, those who sat in during the year
}

// Percent is the share of deputies in office who sat in this term.
func (r SitInCoverageRow) Percent() float64 {
	if r.InOffice == 0 {
		return 0
	}
	return 100 * float64(r.InTerm) / float64(r.InOffice)
}

// PercentText is Percent as the console shows it.
func (r SitInCoverageRow) PercentText() string { return fmt.Sprintf("%.1f%%", r.Percent()) }

// Remaining is how many deputies in office have not sat in this term.
func (r SitInCoverageRow) Remaining() int { return r.InOffice - r.InTerm }

// SitInCoverage is the yearly view of 列席 against the goal of every deputy
// sitting in at least once over the term.
type SitInCoverage struct {
	TermStart time.Time
	Year      int
	Rows      []SitInCoverageRow // by delegation name
	Total     SitInCoverageRow
}

// Coverage counts, per delegation, the deputies in office and those who
// have sat in on a session (attended, or accepted while attendance is
// unrecorded) at least once from termStart to the end of year, and
// within year.
func (s *SitIn) Coverage(ctx context.Context, termStart time.Time, year int) (SitInCoverage, error) {
	loc := s.loc()
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
	until := from.AddDate(1, 0, 0)
	if termStart.IsZero() {
		termStart = TermStartOf(from, loc)
	}
	if !termStart.Before(until) {
		return SitInCoverage{}, ValidationError{{Key: "term", Label: "本届起始日期", Value: termStart.In(loc).Format(time.DateOnly), Msg: "应早于所选年度结束"}}
	}
	rows, err := s.db.SitInCoverage(ctx, sitInSession, termStart, from, until)
	if err != nil {
		return SitInCoverage{}, err
	}
	c := SitInCoverage{TermStart: termStart, Year: year, Total: SitInCoverageRow{Delegation: "合计"}}
	for _, r := range rows {
		row := SitInCoverageRow{Delegation: r.Delegation, InOffice: r.InOffice, InTerm: r.InTerm, InYear: r.InPeriod}
		c.Rows = append(c.Rows, row)
		c.Total.InOffice += row.InOffice
		c.Total.InTerm += row.InTerm
		c.Total.InYear += row.InYear
	}
	slices.SortFunc(c.Rows, func(a, b SitInCoverageRow) int { return strings.Compare(a.Delegation, b.Delegation) })
	return c, nil
}

func (s *SitIn) loc() *time.Location {
	if s.Loc != nil {
		return s.Loc
	}
	return time.Local
}
