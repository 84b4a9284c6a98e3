package console

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// The course (学习班) pages: list, create and edit, progress.

type courseLine struct {
	ID                        int64
	Title, Status, Deadline   string
	Required, Items           int
	Enrolled, Finished, Ratio int // Ratio: percent finished
}

// coursesList lists the courses, the latest deadline first.
func coursesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	rows, _, err := s.core.Courses.List(r.Context(), by, "", "", 0, 0)
	if err != nil {
		return err
	}
	var lines []courseLine
	for _, c := range rows {
		l := courseLine{ID: c.ID, Title: c.Title, Status: model.CourseStatusLabel(c.Status), Deadline: s.fmtTime(c.Deadline),
			Required: c.Required, Items: len(c.Materials) + len(c.Sessions), Enrolled: c.Enrolled, Finished: c.Finished}
		if c.Enrolled > 0 {
			l.Ratio = c.Finished * 100 / c.Enrolled
		}
		lines = append(lines, l)
	}
	days, err := s.core.Courses.ReminderDays(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "courses", page{Title: "学习班", Nav: "materials", Me: by.Account,
		Data: coursesView{Courses: lines, ReminderDays: days}})
	return nil
}

type coursesView struct {
	Courses      []courseLine
	ReminderDays int
}

// courseSettingsSave sets how many days before a deadline the unfinished
// are reminded.
func courseSettingsSave(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("reminder_days")))
	if err != nil {
		n = 0
	}
	if err := s.core.Courses.SetReminderDays(r.Context(), by, n); err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已保存：截止前 %d 天提醒未完成的学员。", n))
	http.Redirect(w, r, "/admin/courses", http.StatusSeeOther)
	return nil
}

// courseFormView is the create and edit form.
type courseFormView struct {
	ID          int64
	Form        courseForm
	Errors      fieldErrors
	Materials   []option // published and draft materials
	Sessions    []option // meetings of kind study
	Delegations []string
	Tags        []string
}

// courseForm is the form as typed.
type courseForm struct {
	Title, Summary, Required, Deadline string
	MaterialIDs                        []int64
	Hours                              map[int64]string // session meeting -> hours typed
	Aud                                audienceForm
}

// HasMaterial and HasSession keep the choices on a form shown again.
func (f courseForm) HasMaterial(id string) bool {
	for _, m := range f.MaterialIDs {
		if strconv.FormatInt(m, 10) == id {
			return true
		}
	}
	return false
}

func (f courseForm) HoursOf(id string) string {
	n, _ := strconv.ParseInt(id, 10, 64)
	return f.Hours[n]
}

func (s *server) renderCourseForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v courseFormView) error {
	ctx := r.Context()
	mats, _, err := s.core.Materials.List(ctx, by, model.MaterialFilter{Limit: 500})
	if err != nil {
		return err
	}
	for _, m := range mats {
		if m.Status != model.MaterialArchived {
			label := m.Title
			if m.Status == model.MaterialDraft {
				label += "（草稿）"
			}
			v.Materials = append(v.Materials, option{strconv.FormatInt(m.ID, 10), label})
		}
	}
	ms, _, err := s.core.Meetings.List(ctx, by, model.MeetingFilter{Kind: model.MeetingStudy, Limit: 200})
	if err != nil {
		return err
	}
	for _, m := range ms {
		v.Sessions = append(v.Sessions, option{strconv.FormatInt(m.ID, 10), m.Title + "（" + s.fmtTime(m.StartsAt) + "）"})
	}
	if v.Delegations, v.Tags, err = s.core.Materials.AudienceChoices(ctx, by); err != nil {
		return err
	}
	title := "新建学习班"
	if v.ID != 0 {
		title = "编辑学习班"
	}
	s.render(w, r, status, "course_form", page{Title: title, Nav: "materials", Me: by.Account, Data: v})
	return nil
}

// courseNew shows the empty form.
func courseNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderCourseForm(w, r, by, http.StatusOK, courseFormView{Form: courseForm{Required: "1", Aud: audienceForm{All: true}}})
}

// courseEdit shows the form of a course.
func courseEdit(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	c, err := s.core.Courses.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	in := core.CourseInputOf(c, s.core.Location())
	f := courseForm{Title: in.Title, Summary: in.Summary, Required: strconv.Itoa(in.Required), Deadline: strings.Replace(in.Deadline, " ", "T", 1),
		MaterialIDs: in.MaterialIDs, Hours: map[int64]string{}, Aud: audienceFormOf(c.Audience)}
	for _, se := range in.Sessions {
		f.Hours[se.MeetingID] = strconv.Itoa(se.Hours)
	}
	return s.renderCourseForm(w, r, by, http.StatusOK, courseFormView{ID: id, Form: f})
}

// audienceFormOf is the builder showing an audience.
func audienceFormOf(a model.Audience) audienceForm {
	f := audienceForm{All: a.All, Delegations: a.Delegations, Levels: a.Levels, Grassroots: a.GrassrootsOnly, Tags: a.Tags,
		Groups: strings.Join(a.Groups, "，")}
	var ids []string
	for _, id := range a.DeputyIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	f.DeputyIDs = strings.Join(ids, ", ")
	return f
}

// courseCreate stores the form's course as a draft.
func courseCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.saveCourse(w, r, by, 0)
}

// courseUpdate saves the edit of a course.
func courseUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.saveCourse(w, r, by, id)
}

func (s *server) saveCourse(w http.ResponseWriter, r *http.Request, by core.Actor, id int64) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := r.PostForm
	f := courseForm{Title: plainText(v.Get("title")), Summary: strings.TrimSpace(v.Get("summary")), Required: plainText(v.Get("required")),
		Deadline: plainText(v.Get("deadline")), Hours: map[int64]string{}, Aud: parseAudienceForm(v)}
	in := core.CourseInput{Title: f.Title, Summary: f.Summary, Deadline: strings.Replace(f.Deadline, "T", " ", 1)}
	var errs core.ValidationError
	if n, err := strconv.Atoi(f.Required); err == nil {
		in.Required = n
	} else {
		errs = append(errs, &core.FieldError{Key: "required", Label: "要求学时", Msg: "应为正整数"})
	}
	ids, ok := parseIDs(v["material"])
	if !ok {
		return badInput("学习材料的选择无法识别，请刷新后重试。")
	}
	f.MaterialIDs, in.MaterialIDs = ids, ids
	sessions, ok := parseIDs(v["session"])
	if !ok {
		return badInput("线下学习的选择无法识别，请刷新后重试。")
	}
	for _, mid := range sessions {
		h := plainText(v.Get("hours_" + strconv.FormatInt(mid, 10)))
		f.Hours[mid] = h
		n, err := strconv.Atoi(orDefault(h, "1"))
		if err != nil {
			errs = append(errs, &core.FieldError{Key: "sessions", Label: "线下学习", Msg: "学时应为正整数"})
			n = 1
		}
		in.Sessions = append(in.Sessions, core.CourseSessionInput{MeetingID: mid, Hours: n})
	}
	a, err := f.Aud.audience()
	if err != nil {
		fe, _ := core.Fields(err)
		errs = append(errs, fe...)
	}
	in.Audience = a
	var c model.Course
	if len(errs) == 0 {
		if id == 0 {
			c, err = s.core.Courses.Create(r.Context(), by, in)
		} else {
			c, err = s.core.Courses.Update(r.Context(), by, id, in)
		}
	} else {
		err = errs
	}
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderCourseForm(w, r, by, http.StatusUnprocessableEntity, courseFormView{ID: id, Form: f, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "已保存。确认材料均已发布后，点“发布”为学员报名并通知他们。")
	http.Redirect(w, r, fmt.Sprintf("/admin/courses/%d", c.ID), http.StatusSeeOther)
	return nil
}

// courseView is a course's page: what it holds and how its deputies stand.
type courseView struct {
	Course                model.Course
	Status, Deadline      string
	Draft, Open, Archived bool
	Audience              string
	Report                model.CourseReport
	Rate                  string
	Unfinished            []model.CourseDeputy
	Chart                 chart
	ChartHeight           int
	Materials             []courseMaterialLine
	Sessions              []courseSessionLine
}

type courseMaterialLine struct {
	N, ID     int64
	Title     string
	Published bool
}

type courseSessionLine struct {
	ID          int64
	Title, When string
	Hours       int
}

// chart is the JSON an ECharts element draws (see web/admin/static/charts.js).
type chart struct {
	Kind       string        `json:"kind"`
	Categories []string      `json:"categories"`
	Series     []chartSeries `json:"series"`
	Percent    bool          `json:"percent,omitempty"`
}

type chartSeries struct {
	Name string    `json:"name"`
	Data []float64 `json:"data"`
}

// courseShow shows a course with its completion by delegation and the
// deputies who have not finished.
func courseShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	rep, err := s.core.Courses.Progress(r.Context(), by, id)
	if err != nil {
		return err
	}
	c := rep.Course
	v := courseView{Course: c, Status: model.CourseStatusLabel(c.Status), Deadline: s.fmtTime(c.Deadline),
		Draft: c.Status == model.CourseDraft, Open: c.OpenAt(s.core.Now()), Archived: c.Status == model.CourseArchived,
		Audience: core.AudienceText(c.Audience), Report: rep, Rate: fmt.Sprintf("%.1f%%", rep.Rate()*100),
		Chart: chart{Kind: "hbar", Percent: true, Categories: []string{}, Series: []chartSeries{{Name: "完成率", Data: []float64{}}}}}
	for i, m := range c.Materials {
		v.Materials = append(v.Materials, courseMaterialLine{N: int64(i + 1), ID: m.MaterialID, Title: m.Title,
			Published: m.Status == model.MaterialPublished})
	}
	v.ChartHeight = 80 + 36*len(rep.ByDelegation)
	for _, se := range c.Sessions {
		v.Sessions = append(v.Sessions, courseSessionLine{ID: se.MeetingID, Title: se.Title, When: s.fmtTime(se.StartsAt), Hours: se.Hours})
	}
	for _, d := range rep.ByDelegation {
		v.Chart.Categories = append(v.Chart.Categories, orDefault(d.Delegation, "（未填代表团）"))
		v.Chart.Series[0].Data = append(v.Chart.Series[0].Data, math.Round(d.Rate()*1000)/10)
	}
	for _, d := range rep.Deputies {
		if !d.Finished {
			v.Unfinished = append(v.Unfinished, d)
		}
	}
	s.render(w, r, http.StatusOK, "course", page{Title: c.Title, Nav: "materials", Me: by.Account, Data: v})
	return nil
}

// coursePublish enrols the audience and tells them.
func coursePublish(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	n, err := s.core.Courses.Publish(r.Context(), by, id)
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("已发布，%d 位代表报名，学习班通知已进入发送队列。", n))
	http.Redirect(w, r, fmt.Sprintf("/admin/courses/%d", id), http.StatusSeeOther)
	return nil
}

// courseArchive closes a course.
func courseArchive(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.core.Courses.Archive(r.Context(), by, id); err != nil {
		return err
	}
	s.flash(r, "已归档。")
	http.Redirect(w, r, fmt.Sprintf("/admin/courses/%d", id), http.StatusSeeOther)
	return nil
}

// courseRemind reminds those who have not finished, now.
func courseRemind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	n, err := s.core.Courses.Remind(r.Context(), by, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已提醒 %d 位未完成的代表。", n)
	if n == 0 {
		msg = "学员都已完成，无需提醒。"
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/courses/%d", id), http.StatusSeeOther)
	return nil
}

// courseExport downloads the progress as Excel.
func courseExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Courses.ExportProgress)
}
