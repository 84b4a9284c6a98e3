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
)

// Limits of a 列席 proposal request.
const (
	SitInMaxN         = 500
	SitInMaxTopics    = 10
	sitInMaxTopicRune = 30
)

// SitInRequest asks for N deputies to invite to sit in on a session.
type SitInRequest struct {
	N      int
	Topics []string // the session's agenda topics as typed, each split further on commas, 、 and spaces
	Term   string   // the term's first day, 2023-01-01; "" means TermStartOf the meeting's start
}

// SitIn proposes whom to invite to sit in on standing-committee sessions
// (列席), invites them, and reports how far invitations have covered the
// deputies.
type SitIn struct{ *env }

// NotASession refuses to propose invitees for a meeting that is not a
// standing-committee session; nil for a session.
func NotASession(m model.Meeting) error {
	if m.IsSession() {
		return nil
	}
	return &FieldError{Key: "kind", Label: "会议类型", Value: m.Kind,
		Msg: "只有“" + model.MeetingKindLabel(model.MeetingSession) + "”可以按列席规则推荐人选"}
}

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

// sitInAsk is a proposal request once read: the topics split and the
// term's start known.
type sitInAsk struct {
	n         int
	topics    []string
	termStart time.Time
}

// read checks a request for a proposal on m, every problem at once.
func (s *SitIn) read(m model.Meeting, req SitInRequest) (sitInAsk, error) {
	var errs ValidationError
	if err := NotASession(m); err != nil {
		errs = append(errs, err.(*FieldError))
	}
	ask := sitInAsk{n: req.N}
	if req.N < 1 || req.N > SitInMaxN {
		errs = append(errs, &FieldError{Key: "n", Label: "人数", Value: fmt.Sprint(req.N), Msg: fmt.Sprintf("人数应为 1 到 %d 的整数", SitInMaxN)})
	}
	for _, text := range req.Topics {
		for _, t := range SplitSitInTopics(text) {
			if !slices.Contains(ask.topics, t) {
				ask.topics = append(ask.topics, t)
			}
		}
	}
	if len(ask.topics) > SitInMaxTopics {
		errs = append(errs, &FieldError{Key: "topics", Label: "议题", Msg: fmt.Sprintf("最多 %d 个", SitInMaxTopics)})
	}
	for _, t := range ask.topics {
		if utf8.RuneCountInString(t) > sitInMaxTopicRune {
			errs = append(errs, &FieldError{Key: "topics", Label: "议题", Value: t, Msg: fmt.Sprintf("过长（不超过 %d 字）", sitInMaxTopicRune)})
		}
	}
	var ok bool
	if ask.termStart, ok = s.termStart(req.Term, m.StartsAt); !ok {
		errs = append(errs, &FieldError{Key: "term", Label: "本届起始日期", Value: req.Term, Msg: "日期格式应为 2023-01-01"})
	}
	if len(errs) > 0 {
		return ask, errs
	}
	return ask, nil
}

// termStart reads the term's first day as typed, or gives the start of the
// term at falls in.
func (s *SitIn) termStart(text string, at time.Time) (time.Time, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return TermStartOf(at, s.loc), true
	}
	t, err := time.ParseInLocation(time.DateOnly, text, s.loc)
	return t, err == nil
}

// TermStart is the default first day of the term of a session, as forms
// show it.
func (s *SitIn) TermStart(m model.Meeting) time.Time { return TermStartOf(m.StartsAt, s.loc) }

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
func (s *SitIn) Propose(ctx context.Context, by Actor, meetingID int64, req SitInRequest) (model.SitInProposal, error) {
	if err := by.Require(Editors...); err != nil {
		return model.SitInProposal{}, err
	}
	m, err := s.meeting(ctx, meetingID)
	if err != nil {
		return model.SitInProposal{}, err
	}
	ask, err := s.read(m, req)
	if err != nil {
		return model.SitInProposal{}, err
	}
	ps, err := s.propose(ctx, m, ask)
	if err != nil {
		return model.SitInProposal{}, err
	}
	for i := range ps {
		ps[i].Deputy = deputyAsSeenBy(by, ps[i].Deputy)
	}
	return model.SitInProposal{Meeting: m, N: ask.n, Topics: ask.topics, TermStart: ask.termStart, Proposals: ps}, nil
}

func (s *SitIn) meeting(ctx context.Context, id int64) (model.Meeting, error) {
	m, err := s.db.GetMeeting(ctx, id)
	if err != nil {
		return m, withNotFoundText(err, "会议活动不存在或已被删除。")
	}
	return m, nil
}

func (s *SitIn) propose(ctx context.Context, m model.Meeting, ask sitInAsk) ([]model.Proposal, error) {
	cands, err := s.db.SitInCandidates(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	facts, err := s.facts(ctx, m.ID, ask)
	if err != nil {
		return nil, err
	}
	pool := make([]model.Proposal, 0, len(cands))
	for _, d := range cands {
		f := facts[d.ID]
		if f != nil && f.declined {
			continue
		}
		pool = append(pool, sitInProposalOf(d, f, ask.topics))
	}
	return sitInPick(pool, ask.n), nil
}

// Invite invites the deputies chosen from a proposal (ids) to sit in on the
// session; topics are the agenda topics the proposal was made on, for the
// audit entry. Only deputies in office and not yet invited may be chosen:
// otherwise no one is invited.
func (s *SitIn) Invite(ctx context.Context, by Actor, meetingID int64, ids []int64, topics string) (int, error) {
	if err := by.Require(Editors...); err != nil {
		return 0, err
	}
	invited := 0
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.meeting(ctx, meetingID)
		if err != nil {
			return err
		}
		if err := NotASession(m); err != nil {
			return err
		}
		ids = uniqueIDs(ids)
		switch {
		case len(ids) == 0:
			return &FieldError{Key: "deputy_id", Label: "邀请名单", Msg: "请至少勾选一位代表。"}
		case len(ids) > SitInMaxN:
			return &FieldError{Key: "deputy_id", Label: "邀请名单", Msg: fmt.Sprintf("一次最多邀请 %d 位代表。", SitInMaxN)}
		}
		cands, err := s.db.SitInCandidates(ctx, m.ID)
		if err != nil {
			return err
		}
		open := make(map[int64]bool, len(cands))
		for _, d := range cands {
			open[d.ID] = true
		}
		gone := 0
		for _, id := range ids {
			if !open[id] {
				gone++
			}
		}
		if gone > 0 {
			return &FieldError{Key: "deputy_id", Label: "邀请名单",
				Msg: fmt.Sprintf("所选代表中有 %d 位已不在任或已被邀请，请按最新推荐重新勾选。", gone)}
		}
		meetings := &Meetings{s.env}
		if invited, err = s.db.Invite(ctx, m.ID, ids, meetings.invitation(m)); err != nil {
			return err
		}
		about := strings.Join(SplitSitInTopics(topics), "、")
		if about == "" {
			about = "未指定"
		}
		return s.audit(ctx, by, "meeting.sitin", m.Object(), fmt.Sprintf("按列席推荐邀请代表列席“%s”：勾选 %d 位，新邀请 %d 位（议题：%s）",
			m.Title, len(ids), invited, about))
	})
	if err != nil {
		return 0, err
	}
	return invited, nil
}

// uniqueIDs drops repeats, keeping the first of each.
func uniqueIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// facts gathers each deputy's sittings, declines, topic research and
// topic suggestions, ignoring the meeting being proposed for.
func (s *SitIn) facts(ctx context.Context, meetingID int64, ask sitInAsk) (map[int64]*sitInFacts, error) {
	out := map[int64]*sitInFacts{}
	get := func(id int64) *sitInFacts {
		f := out[id]
		if f == nil {
			f = &sitInFacts{research: map[int64]bool{}, suggestions: map[int64]bool{}}
			out[id] = f
		}
		return f
	}
	hist, err := s.db.SitInHistory(ctx, []string{model.MeetingSession, model.MeetingResearch, model.MeetingInspection})
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
		case model.MeetingSession:
			if sessionsSeen[r.DeputyID]++; sessionsSeen[r.DeputyID] <= 2 && r.Status == model.RSVPLeave {
				leaves[r.DeputyID]++
			}
			if r.TookPart() && !r.StartsAt.Before(ask.termStart) {
				f.sittings++
			}
		default:
			if r.TookPart() && sitInMentions(r.Title, ask.topics) {
				f.research[r.MeetingID] = true
			}
		}
	}
	for id, n := range leaves {
		out[id].declined = n == 2
	}
	sugs, err := s.db.SuggestionsMentioning(ctx, ask.topics)
	if err != nil {
		return nil, err
	}
	for _, sg := range sugs {
		if sitInMentions(sg.Title, ask.topics) || sitInMentions(sg.Summary, ask.topics) {
			get(sg.DeputyID).suggestions[sg.SuggestionID] = true
		}
	}
	return out, nil
}

// sitInProposalOf scores d and writes its reasons (see Propose).
func sitInProposalOf(d model.Deputy, f *sitInFacts, topics []string) model.Proposal {
	p := model.Proposal{Deputy: d}
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
func sitInPick(pool []model.Proposal, n int) []model.Proposal {
	slices.SortFunc(pool, func(a, b model.Proposal) int {
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
	out := make([]model.Proposal, 0, min(n, len(pool)))
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

// Coverage counts, per delegation, the deputies in office and those who
// have sat in on a session (attended, or accepted while attendance is
// unrecorded) at least once from the term's first day (as typed; "" means
// the start of the term year falls in) to the end of year, and within
// year.
func (s *SitIn) Coverage(ctx context.Context, by Actor, term string, year int) (model.SitInCoverage, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.SitInCoverage{}, err
	}
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, s.loc)
	until := from.AddDate(1, 0, 0)
	termStart, ok := s.termStart(term, time.Date(year, time.June, 1, 0, 0, 0, 0, s.loc))
	if !ok {
		return model.SitInCoverage{}, &FieldError{Key: "term", Label: "本届起始日期", Value: term, Msg: "日期格式应为 2023-01-01"}
	}
	if !termStart.Before(until) {
		return model.SitInCoverage{}, &FieldError{Key: "term", Label: "本届起始日期", Value: termStart.In(s.loc).Format(time.DateOnly), Msg: "应早于所选年度结束"}
	}
	rows, err := s.db.SitInCoverage(ctx, model.MeetingSession, termStart, from, until)
	if err != nil {
		return model.SitInCoverage{}, err
	}
	c := model.SitInCoverage{TermStart: termStart, Year: year, Rows: rows, Total: model.SitInCoverageRow{Delegation: "合计"}}
	for _, row := range rows {
		c.Total.InOffice += row.InOffice
		c.Total.InTerm += row.InTerm
		c.Total.InYear += row.InYear
	}
	slices.SortFunc(c.Rows, func(a, b model.SitInCoverageRow) int { return strings.Compare(a.Delegation, b.Delegation) })
	return c, nil
}
