package api

import (
	"math"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// course is a course (学习班) as the API shows it.
type course struct {
	ID          int64                     `json:"id"`
	Title       string                    `json:"title"`
	Summary     string                    `json:"summary"`
	Required    int                       `json:"required"`
	Available   int                       `json:"available"`
	Deadline    time.Time                 `json:"deadline"`
	Status      string                    `json:"status"`
	StatusLabel string                    `json:"status_label"`
	Audience    model.Audience            `json:"audience"`
	Materials   []courseMaterial          `json:"materials"`
	Sessions    []core.CourseSessionInput `json:"sessions"`
	CreatedBy   string                    `json:"created_by"`
	CreatedAt   time.Time                 `json:"created_at"`
	PublishedAt *time.Time                `json:"published_at"`
	Enrolled    *int                      `json:"enrolled,omitempty"`
	Finished    *int                      `json:"finished,omitempty"`
}

type courseMaterial struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

func courseOf(c model.Course) course {
	out := course{ID: c.ID, Title: c.Title, Summary: c.Summary, Required: c.Required, Available: c.Available(),
		Deadline: c.Deadline.UTC(), Status: c.Status, StatusLabel: model.CourseStatusLabel(c.Status), Audience: c.Audience,
		Materials: []courseMaterial{}, Sessions: []core.CourseSessionInput{}, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC(),
		PublishedAt: nullTime(c.PublishedAt)}
	for _, m := range c.Materials {
		out.Materials = append(out.Materials, courseMaterial{ID: m.MaterialID, Title: m.Title, Status: m.Status})
	}
	for _, s := range c.Sessions {
		out.Sessions = append(out.Sessions, core.CourseSessionInput{MeetingID: s.MeetingID, Hours: s.Hours})
	}
	return out
}

// courseInput is the body of POST /api/v1/courses and PUT …/{id}.
type courseInput struct {
	Title       string                    `json:"title"`
	Summary     string                    `json:"summary"`
	Required    int                       `json:"required"`
	Deadline    string                    `json:"deadline"`
	MaterialIDs []int64                   `json:"material_ids"`
	Sessions    []core.CourseSessionInput `json:"sessions"`
	Audience    model.Audience            `json:"audience"`
}

func (in courseInput) core() core.CourseInput {
	return core.CourseInput{Title: in.Title, Summary: in.Summary, Required: in.Required, Deadline: in.Deadline,
		MaterialIDs: in.MaterialIDs, Sessions: in.Sessions, Audience: in.Audience}
}

// coursesList lists courses, the latest deadline first; status filters,
// q searches their titles and summaries.
func coursesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	st := q.Get("status")
	if st != "" && st != model.CourseDraft && st != model.CoursePublished && st != model.CourseArchived {
		return badRequest("status 应为 draft、published 或 archived")
	}
	per, err := perPageOf(q, 50, 200)
	if err != nil {
		return err
	}
	pg := pageOf(q)
	rows, total, err := s.core.Courses.List(r.Context(), by, st, q.Get("q"), per, (pg-1)*per)
	if err != nil {
		return err
	}
	out := struct {
		Total   int      `json:"total"`
		Page    int      `json:"page"`
		PerPage int      `json:"per_page"`
		Courses []course `json:"courses"`
	}{total, pg, per, []course{}}
	for _, c := range rows {
		j := courseOf(c.Course)
		j.Enrolled, j.Finished = &c.Enrolled, &c.Finished
		out.Courses = append(out.Courses, j)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// courseCreate stores a draft course: 201 with it.
func courseCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in courseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.core.Courses.Create(r.Context(), by, in.core())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/courses/"+itoa(c.ID))
	httpkit.WriteJSON(w, http.StatusCreated, courseOf(c))
	return nil
}

// courseGet shows one course with its materials and sessions.
func courseGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	c, err := s.core.Courses.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, courseOf(c))
	return nil
}

// courseUpdate rewrites a course.
func courseUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in courseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.core.Courses.Update(r.Context(), by, id, in.core())
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, courseOf(c))
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
	httpkit.WriteJSON(w, http.StatusOK, struct {
		Enrolled int `json:"enrolled"`
	}{n})
	return nil
}

// courseArchive archives a course.
func courseArchive(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	c, err := s.core.Courses.Archive(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, courseOf(c))
	return nil
}

type courseDeputy struct {
	DeputyID   int64  `json:"deputy_id"`
	Name       string `json:"name"`
	Delegation string `json:"delegation"`
	Studied    int    `json:"studied"`
	Attended   int    `json:"attended"`
	Done       int    `json:"done"`
	Finished   bool   `json:"finished"`
}

type delegationCompletion struct {
	Delegation string  `json:"delegation"`
	Enrolled   int     `json:"enrolled"`
	Finished   int     `json:"finished"`
	Rate       float64 `json:"rate"`
}

// courseProgress reports each enrolled deputy's hours and the completion
// overall and by delegation; ?unfinished=1 lists only those not finished.
func courseProgress(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	rep, err := s.core.Courses.Progress(r.Context(), by, id)
	if err != nil {
		return err
	}
	only := r.URL.Query().Get("unfinished") == "1"
	out := struct {
		CourseID     int64                  `json:"course_id"`
		Required     int                    `json:"required"`
		Enrolled     int                    `json:"enrolled"`
		Finished     int                    `json:"finished"`
		Rate         float64                `json:"rate"`
		ByDelegation []delegationCompletion `json:"by_delegation"`
		Deputies     []courseDeputy         `json:"deputies"`
	}{CourseID: rep.Course.ID, Required: rep.Course.Required, Enrolled: rep.Enrolled, Finished: rep.Finished,
		Rate: round3(rep.Rate()), ByDelegation: []delegationCompletion{}, Deputies: []courseDeputy{}}
	for _, d := range rep.ByDelegation {
		out.ByDelegation = append(out.ByDelegation, delegationCompletion{d.Delegation, d.Enrolled, d.Finished, round3(d.Rate())})
	}
	for _, d := range rep.Deputies {
		if only && d.Finished {
			continue
		}
		out.Deputies = append(out.Deputies, courseDeputy(d))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// courseProgressExport downloads the progress as Excel.
func courseProgressExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return httpkit.ExportByID(w, r, by, s.core.Courses.ExportProgress)
}

// courseRemind pushes a reminder now to those who have not finished.
func courseRemind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	n, err := s.core.Courses.Remind(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		Reminded int `json:"reminded"`
	}{n})
	return nil
}

type courseSettings struct {
	ReminderDays int `json:"reminder_days"`
}

// courseSettingsGet shows how many days before a deadline the unfinished
// are reminded.
func courseSettingsGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := by.Require(core.Viewers...); err != nil {
		return err
	}
	n, err := s.core.Courses.ReminderDays(r.Context())
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, courseSettings{n})
	return nil
}

// courseSettingsPut sets it.
func courseSettingsPut(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in courseSettings
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.core.Courses.SetReminderDays(r.Context(), by, in.ReminderDays); err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, in)
	return nil
}
