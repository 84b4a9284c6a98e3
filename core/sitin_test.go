package core_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// sitInWorld is a generated term: its deputies and what the test knows to
// be true of them, kept apart from what Propose computes.
type sitInWorld struct {
	db        *storage.DB
	svc       *core.SitIn
	termStart time.Time
	deputies  map[int64]model.Deputy // in office
	sat       map[int64]int          // sessions sat in on this term
	// suggestion texts (title + summary) per deputy, and research titles
	// each deputy took part in
	suggestions map[int64][]string
	research    map[int64][]string
}

func newSitInWorld(t *testing.T, db *storage.DB, n int, seed int64) *sitInWorld {
	t.Helper()
	ctx := t.Context()
	w := &sitInWorld{db: db, svc: core.New(db, core.Options{Loc: time.UTC}).SitIn, deputies: map[int64]model.Deputy{}, sat: map[int64]int{},
		suggestions: map[int64][]string{}, research: map[int64][]string{},
		termStart: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := db.UpsertDeputies(ctx, core.SampleDeputies(n, seed)); err != nil {
		t.Fatal(err)
	}
	all, _, err := db.ListDeputies(ctx, model.DeputyFilter{})
	if err != nil || len(all) != n {
		t.Fatalf("listed %d deputies, %v", len(all), err)
	}
	for _, d := range all {
		w.deputies[d.ID] = d
	}
	return w
}

var sitInTexts = []string{"关于加快乡村振兴产业发展的建议", "关于提升农村教育质量的建议", "关于加强生态环境保护的建议",
	"关于优化营商环境的建议", "关于推进医疗卫生改革的建议", "关于完善养老服务体系的建议"}

// addSuggestions files k suggestions, each with a lead and up to two seconders.
func (w *sitInWorld) addSuggestions(t *testing.T, rng *rand.Rand, k int) {
	t.Helper()
	ids := w.ids()
	for i := range k {
		title := sitInTexts[rng.IntN(len(sitInTexts))]
		summary := "建议" + sitInTexts[rng.IntN(len(sitInTexts))]
		s := model.Suggestion{Number: fmt.Sprintf("第%04d号", i+1), Title: title, Summary: summary, LeadDeputyID: ids[rng.IntN(len(ids))]}
		var seconders []int64
		for range rng.IntN(3) {
			if id := ids[rng.IntN(len(ids))]; id != s.LeadDeputyID && !slices.Contains(seconders, id) {
				seconders = append(seconders, id)
			}
		}
		if err := w.db.CreateSuggestion(t.Context(), &s, seconders); err != nil {
			t.Fatal(err)
		}
		for _, id := range append([]int64{s.LeadDeputyID}, seconders...) {
			w.suggestions[id] = append(w.suggestions[id], title+"\n"+summary)
		}
	}
}

// addResearch holds a research meeting titled title with k invitees of whom
// some attend, some are marked absent, some accept with no attendance
// recorded and some decline.
func (w *sitInWorld) addResearch(t *testing.T, rng *rand.Rand, kind, title string, at time.Time, k int) {
	t.Helper()
	ctx := t.Context()
	m := w.meeting(t, kind, title, at)
	ids := w.ids()
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	ids = ids[:k]
	if _, err := w.db.Invite(ctx, m.ID, ids); err != nil {
		t.Fatal(err)
	}
	var present, absent []int64
	for i, id := range ids {
		switch i % 4 {
		case 0:
			present = append(present, id)
		case 1:
			absent = append(absent, id)
		case 2: // accepted, attendance not recorded: took part
			if err := w.db.AnswerInvitation(ctx, m.ID, id, model.RSVPAttend, "", "wechat"); err != nil {
				t.Fatal(err)
			}
			w.research[id] = append(w.research[id], title)
		case 3:
			if err := w.db.AnswerInvitation(ctx, m.ID, id, model.RSVPLeave, "出差", "wechat"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.db.SetAttendance(ctx, m.ID, present, absent); err != nil {
		t.Fatal(err)
	}
	for _, id := range present {
		w.research[id] = append(w.research[id], title)
	}
}

func (w *sitInWorld) meeting(t *testing.T, kind, title string, at time.Time) model.Meeting {
	t.Helper()
	m := model.Meeting{Kind: kind, Title: title, StartsAt: at, RSVPDeadline: at.Add(-48 * time.Hour)}
	if err := w.db.CreateMeeting(t.Context(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (w *sitInWorld) ids() []int64 {
	ids := make([]int64, 0, len(w.deputies))
	for id := range w.deputies {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func containsFold(text, topic string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(topic))
}

// reasonsOf states, from what the test itself recorded, what may be said
// of the deputy for these topics.
func (w *sitInWorld) reasonsOf(d model.Deputy, topics []string) []string {
	var out []string
	if d.Grassroots {
		out = append(out, "基层代表")
	}
	if w.sat[d.ID] == 0 {
		out = append(out, "本届未列席")
	} else {
		out = append(out, fmt.Sprintf("本届已列席 %d 次", w.sat[d.ID]))
	}
	count := func(texts []string) int {
		n := 0
		for _, text := range texts {
			if slices.ContainsFunc(topics, func(tp string) bool { return containsFold(text, tp) }) {
				n++
			}
		}
		return n
	}
	if n := count(w.suggestions[d.ID]); n > 0 {
		out = append(out, fmt.Sprintf("提出过相关建议 %d 件", n))
	}
	if n := count(w.research[d.ID]); n > 0 {
		out = append(out, fmt.Sprintf("参加过相关调研视察 %d 次", n))
	}
	if slices.ContainsFunc(topics, func(tp string) bool {
		return d.ProfessionalGroup != "" && (containsFold(d.ProfessionalGroup, tp) || containsFold(tp, d.ProfessionalGroup))
	}) {
		out = append(out, "专业小组相关")
	}
	return out
}

func TestSitInCoversEveryDeputyOverATermBeforeAnyoneSitsInAThirdTime(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		rng := rand.New(rand.NewPCG(11, 12))
		w := newSitInWorld(t, db, 900, 2023)
		w.addSuggestions(t, rng, 200)
		w.addResearch(t, rng, "research", "乡村振兴专题调研", time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC), 80)
		w.addResearch(t, rng, "inspection", "生态环境保护集中视察", time.Date(2023, 9, 10, 9, 0, 0, 0, time.UTC), 80)
		w.addResearch(t, rng, "research", "教育发展专题调研", time.Date(2024, 5, 10, 9, 0, 0, 0, time.UTC), 80)
		// Five deputies leave office: they are never proposed.
		for _, id := range w.ids()[:5] {
			if err := db.TerminateDeputy(ctx, id, time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC), "调离本省"); err != nil {
				t.Fatal(err)
			}
			delete(w.deputies, id)
		}
		agendas := [][]string{{"乡村振兴", "农业农村"}, {"教育"}, {"生态环境", "环境与资源保护"}, {"营商环境", "财政经济"},
			{"医疗卫生", "养老"}, {"法制"}}
		for s, topics := range agendas {
			at := time.Date(2023+s*4/6, time.Month(3+(s*8)%12), 20, 9, 0, 0, 0, time.UTC)
			m := w.meeting(t, "session", fmt.Sprintf("第%d次常委会会议", s+1), at)
			ps, err := proposals(w.svc.Propose(ctx, sitInStaff, m.ID, core.SitInRequest{N: 160, Topics: topics, Term: w.termStart.Format(time.DateOnly)}))
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 160 {
				t.Fatalf("session %d: %d proposed, want 160", s+1, len(ps))
			}
			perDelegation, pool := map[string]int{}, map[string]int{}
			for _, d := range w.deputies {
				pool[d.Delegation]++
			}
			ids := make([]int64, len(ps))
			for i, p := range ps {
				d, ok := w.deputies[p.Deputy.ID]
				if !ok {
					t.Fatalf("session %d: proposed %d, who is not in office", s+1, p.Deputy.ID)
				}
				if want := w.reasonsOf(d, topics); !slices.Equal(p.Reasons, want) {
					t.Fatalf("session %d: deputy %d is given %q; what is true is %q", s+1, d.ID, p.Reasons, want)
				}
				ids[i] = d.ID
				perDelegation[d.Delegation]++
			}
			for del, n := range perDelegation {
				if share := 160 * float64(pool[del]) / float64(len(w.deputies)); float64(n) > share+1 {
					t.Errorf("session %d: %s takes %d, more than its fair share %.1f + 1", s+1, del, n, share)
				}
			}
			if _, err := db.Invite(ctx, m.ID, ids); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SetAttendance(ctx, m.ID, ids, nil); err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				w.sat[id]++
			}
			// Nobody sits in a second time while someone in office who was
			// not invited has never sat in.
			var uncovered []int64
			for id := range w.deputies {
				if w.sat[id] == 0 {
					uncovered = append(uncovered, id)
				}
			}
			for _, id := range ids {
				if w.sat[id] >= 2 && len(uncovered) > 0 {
					t.Fatalf("session %d: deputy %d sits in a second time while %d have never sat in", s+1, id, len(uncovered))
				}
			}
		}
		for id, d := range w.deputies {
			if w.sat[id] < 1 || w.sat[id] > 2 {
				t.Fatalf("deputy %d (%s) sat in %d times over the term", id, d.Name, w.sat[id])
			}
		}
		c, err := w.svc.Coverage(ctx, sitInStaff, w.termStart.Format(time.DateOnly), 2026)
		if err != nil {
			t.Fatal(err)
		}
		if c.Total.InOffice != len(w.deputies) || c.Total.InTerm != len(w.deputies) || c.Total.Percent() != 100 {
			t.Fatalf("coverage at the end of the term: %+v", c.Total)
		}
		if len(c.Rows) != 17 || !slices.IsSortedFunc(c.Rows, func(a, b model.SitInCoverageRow) int { return strings.Compare(a.Delegation, b.Delegation) }) {
			t.Fatalf("coverage rows: %d, sorted %v", len(c.Rows), c.Rows)
		}
	})
}

func TestSitInSkipsDecliners(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		w := newSitInWorld(t, db, 12, 5)
		ids := w.ids()
		twice, thenCame, once, oldTwice, pendingLast := ids[0], ids[1], ids[2], ids[3], ids[4]
		day := func(m int) time.Time { return time.Date(2024, time.Month(m), 1, 9, 0, 0, 0, time.UTC) }
		answer := func(m model.Meeting, id int64, status string) {
			t.Helper()
			if _, err := db.Invite(ctx, m.ID, []int64{id}); err != nil {
				t.Fatal(err)
			}
			if status != model.RSVPPending {
				if err := db.AnswerInvitation(ctx, m.ID, id, status, "外出", "wechat"); err != nil {
					t.Fatal(err)
				}
			}
		}
		s1, s2, s3 := w.meeting(t, "session", "一", day(1)), w.meeting(t, "session", "二", day(3)), w.meeting(t, "session", "三", day(5))
		answer(s1, oldTwice, model.RSVPLeave)
		answer(s2, oldTwice, model.RSVPLeave)
		answer(s3, oldTwice, model.RSVPPending)
		answer(s2, twice, model.RSVPLeave)
		answer(s3, twice, model.RSVPLeave)
		answer(s1, thenCame, model.RSVPLeave)
		answer(s2, thenCame, model.RSVPLeave)
		answer(s3, thenCame, model.RSVPAttend)
		answer(s3, once, model.RSVPLeave)
		// A research meeting declined does not count as a session.
		r := w.meeting(t, "research", "调研", day(6))
		answer(r, once, model.RSVPLeave)

		next := w.meeting(t, "session", "四", day(7))
		ps, err := proposals(w.svc.Propose(ctx, sitInStaff, next.ID, core.SitInRequest{N: 12, Term: w.termStart.Format(time.DateOnly)}))
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]model.Proposal{}
		for _, p := range ps {
			got[p.Deputy.ID] = p
		}
		if _, ok := got[twice]; ok || len(ps) != 11 {
			t.Fatalf("the deputy who declined the last two sessions is proposed (%d proposed)", len(ps))
		}
		for _, id := range []int64{thenCame, once, oldTwice, pendingLast} {
			if _, ok := got[id]; !ok {
				t.Errorf("deputy %d is skipped", id)
			}
		}
		if p := got[thenCame]; p.Sittings != 1 || !slices.Contains(p.Reasons, "本届已列席 1 次") || ps[len(ps)-1].Deputy.ID != thenCame {
			t.Errorf("the deputy who sat in once: %+v, want last", p)
		}
	})
}

func TestSitInReasonsScoresAndSpread(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := t.Context()
		mk := func(name, delegation, group string, grassroots bool) model.Deputy {
			d := model.Deputy{Name: name, Delegation: delegation, ProfessionalGroup: group, Grassroots: grassroots,
				Level: model.LevelProvincial}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		a := mk("甲", "济南市代表团", "教育科学文化卫生", true)
		b := mk("乙", "济南市代表团", "财政经济", false)
		c := mk("丙", "济南市代表团", "法制", true)
		e := mk("丁", "青岛市代表团", "法制", false)
		f := mk("己", "青岛市代表团", "农业农村", true)
		mk("庚", "烟台市代表团", "社会建设", false)
		gone := mk("戊", "青岛市代表团", "教育科学文化卫生", true)
		if err := db.TerminateDeputy(ctx, gone.ID, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "辞职"); err != nil {
			t.Fatal(err)
		}
		for i, title := range []string{"关于减轻中小学生负担的建议", "关于职业教育的建议", "关于道路建设的建议"} {
			s := model.Suggestion{Number: fmt.Sprint(i), Title: title, Summary: "", LeadDeputyID: a.ID}
			if i == 2 {
				s.Summary = "涉及农村中小学生上学路"
			}
			if err := db.CreateSuggestion(ctx, &s, []int64{b.ID}); err != nil {
				t.Fatal(err)
			}
		}
		svc := core.New(db, core.Options{Loc: time.UTC}).SitIn
		ms := model.Meeting{Kind: "research", Title: "职业教育专题调研", StartsAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
		ms.RSVPDeadline = ms.StartsAt
		if err := db.CreateMeeting(ctx, &ms); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, ms.ID, []int64{a.ID, c.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetAttendance(ctx, ms.ID, []int64{a.ID}, []int64{c.ID}); err != nil {
			t.Fatal(err)
		}
		session := model.Meeting{Kind: "session", Title: "常委会第十次会议", StartsAt: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)}
		session.RSVPDeadline = session.StartsAt
		if err := db.CreateMeeting(ctx, &session); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, session.ID, []int64{c.ID}); err != nil {
			t.Fatal(err)
		}
		ps, err := proposals(svc.Propose(ctx, sitInStaff, session.ID, core.SitInRequest{N: 2, Topics: []string{" 中小学 ", "教育", "教育"}}))
		if err != nil {
			t.Fatal(err)
		}
		// 乙 (score 3 for the suggestions seconded) ties with 己 (grassroots)
		// and has the lower id, but 济南 already has its cap: ⌊2 × 2 ÷ 5⌋ + 1.
		if len(ps) != 2 || ps[0].Deputy.ID != a.ID || ps[1].Deputy.ID != f.ID {
			t.Fatalf("proposed %v, want 甲 then 己", names(ps))
		}
		if got := ps[1].ReasonText(); got != "基层代表 · 本届未列席" {
			t.Errorf("己's reasons %q", got)
		}
		all, err := proposals(svc.Propose(ctx, sitInStaff, session.ID, core.SitInRequest{N: 10, Topics: []string{"教育"}}))
		if err != nil || len(all) != 5 || all[2].Deputy.ID != b.ID || all[3].Deputy.ID != e.ID {
			t.Fatalf("all in office and not invited: %v, %v", names(all), err)
		}
		if got, want := ps[0].ReasonText(), "基层代表 · 本届未列席 · 提出过相关建议 3 件 · 参加过相关调研视察 1 次 · 专业小组相关"; got != want {
			t.Errorf("reasons %q, want %q", got, want)
		}
		if ps[0].Score != 3+3+1+2 {
			t.Errorf("score %v", ps[0].Score)
		}
		if _, err := proposals(svc.Propose(ctx, sitInStaff, session.ID, core.SitInRequest{N: 0})); err == nil {
			t.Error("N = 0 is accepted")
		}
	})
}

func names(ps []model.Proposal) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Deputy.Name
	}
	return out
}

// sitInStaff proposes and invites: an administrator at the command line.
var sitInStaff = core.CLIActor(model.Account{}, "test")

// proposals is the list of a proposal.
func proposals(p model.SitInProposal, err error) ([]model.Proposal, error) { return p.Proposals, err }
