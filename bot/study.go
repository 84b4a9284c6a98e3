package bot

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/model"
)

// latestStudy is how many materials 学习 lists.
const latestStudy = 5

type studyItem struct {
	Title, Category, Summary string
	Studied                  bool
}

type studyCourse struct {
	Title, Deadline string
	Done, Required  int
	Finished        bool
}

// studyCommand answers 学习 (the deputy's open courses and the latest
// materials, numbered), 学习 关键词 (a search) and 已学N / 已学 关键词 N
// (marks the nth of that list studied); ok is false for any other word.
func (r *Router) studyCommand(ctx context.Context, d model.Deputy, word string) (string, bool, error) {
	by := core.DeputyActor(d, core.ViaWeChat)
	switch {
	case word == "学习" || word == "学习材料":
		reply, err := r.study(ctx, by, "")
		return reply, true, err
	case strings.HasPrefix(word, "学习 "):
		reply, err := r.study(ctx, by, strings.TrimSpace(strings.TrimPrefix(word, "学习 ")))
		return reply, true, err
	case strings.HasPrefix(word, "已学"):
		q, n := studyNumber(strings.TrimPrefix(word, "已学"))
		reply, err := r.markStudied(ctx, by, q, n)
		return reply, true, err
	}
	return "", false, nil
}

// studyNumber reads what follows 已学: a number, after an optional search
// (已学 预算 1); n is 0 when there is no number.
func studyNumber(rest string) (q string, n int) {
	rest = strings.TrimSpace(foldDigits(rest))
	i := len(rest)
	for i > 0 && rest[i-1] >= '0' && rest[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(rest[i:])
	if err != nil {
		return strings.TrimSpace(rest), 0
	}
	return strings.TrimSpace(rest[:i]), n
}

// study lists the deputy's open courses and the latest materials holding
// q (all when empty), with their studied marks.
func (r *Router) study(ctx context.Context, by core.Actor, q string) (string, error) {
	if utf8.RuneCountInString(q) > 30 {
		q = string([]rune(q)[:30])
	}
	ms, err := r.Core.Materials.ForDeputy(ctx, by, q, latestStudy)
	if err != nil {
		return "", err
	}
	courses, err := r.studyCourses(ctx, by)
	if err != nil {
		return "", err
	}
	return r.studyList(q, ms, courses)
}

// studyList is 学习's answer: the courses and the materials holding q.
func (r *Router) studyList(q string, ms []model.DeputyMaterial, courses []studyCourse) (string, error) {
	if len(ms) == 0 && len(courses) == 0 {
		if q != "" {
			return r.say("study.not_found", map[string]any{"Query": q})
		}
		return r.say("study.none", nil)
	}
	items := make([]studyItem, len(ms))
	for i, m := range ms {
		items[i] = studyItem{Title: m.Title, Category: m.Category, Summary: shorten(m.Summary, 40), Studied: m.Studied()}
	}
	return r.say("study.list", map[string]any{"Items": items, "Query": q, "Courses": courses, "ListURL": r.materialsURL(q)})
}

// materialsURL is the H5 list of materials (searching q), or "" when the
// router knows no public address.
func (r *Router) materialsURL(q string) string {
	if r.PagesURL == "" {
		return ""
	}
	u := strings.TrimRight(r.PagesURL, "/") + "/h5/m/materials"
	if q != "" {
		u += "?q=" + url.QueryEscape(q)
	}
	return u
}

// studyCourses are the deputy's open courses with their progress.
func (r *Router) studyCourses(ctx context.Context, by core.Actor) ([]studyCourse, error) {
	cs, err := r.Core.Courses.OpenForDeputy(ctx, by)
	if err != nil {
		return nil, err
	}
	return r.courseLines(cs), nil
}

// courseLines are the courses as 学习 shows them.
func (r *Router) courseLines(cs []model.CourseProgress) []studyCourse {
	out := make([]studyCourse, len(cs))
	for i, c := range cs {
		out[i] = studyCourse{Title: c.Title, Deadline: c.Deadline.In(r.Core.Location()).Format("1月2日"), Done: c.Done,
			Required: c.Required, Finished: c.Finished()}
	}
	return out
}

// markStudied marks the nth of the list 学习 (with q) showed studied.
func (r *Router) markStudied(ctx context.Context, by core.Actor, q string, n int) (string, error) {
	if n == 0 && q != "" {
		// 已学abc: no number, and words that find nothing are no search
		// either; the valid numbers are those of 学习's own list.
		found, err := r.Core.Materials.ForDeputy(ctx, by, q, latestStudy)
		if err != nil {
			return "", err
		}
		if len(found) == 0 {
			q = ""
		}
	}
	m, _, err := r.Core.Materials.StudyNth(ctx, by, q, n, latestStudy)
	if core.IsBadNumber(err) {
		fe, _ := core.Fields(err)
		return r.say("study.bad_number", map[string]any{"N": n, "Hint": fe[0].Msg, "Query": q})
	}
	if err != nil {
		return "", err
	}
	ms, err := r.Core.Materials.ForDeputy(ctx, by, q, latestStudy)
	if err != nil {
		return "", err
	}
	left := 0
	for _, x := range ms {
		if !x.Studied() {
			left++
		}
	}
	return r.say("study.marked", map[string]any{"Title": m.Title, "Left": left})
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
