package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// Limits of a course.
const (
	maxCourseTitle     = 200
	maxCourseSummary   = 2000
	maxCourseMaterials = 100
	maxCourseSessions  = 20
	maxSessionHours    = 40
	// CourseReminderDays is how many days before its deadline the
	// reminder job reminds those who have not finished a course, by default.
	CourseReminderDays = 3
)

// Courses manages courses (学习班 / 专题学习): an ordered set of study
// materials and offline sessions from which each enrolled deputy must earn
// the study hours (学时) required by a deadline.
type Courses struct{ *env }

// CourseSessionInput is an offline session of a course: a meeting of kind
// study, and the hours attending it earns (default 1).
type CourseSessionInput struct {
	MeetingID int64 `json:"meeting_id"`
	Hours     int   `json:"hours"`
}

// CourseInput is a course as typed in the console's form or sent to the
// API. Deadline is RFC 3339, or 2006-01-02 15:04 (or a bare date, meaning
// its end) in the committee's zone.
type CourseInput struct {
	Title, Summary string
	Required       int
	Deadline       string
	MaterialIDs    []int64
	Sessions       []CourseSessionInput
	Audience       model.Audience
}

// CourseInputOf is the input that writes c again (the form of an edit).
func CourseInputOf(c model.Course, loc *time.Location) CourseInput {
	in := CourseInput{Title: c.Title, Summary: c.Summary, Required: c.Required, Audience: c.Audience,
		Deadline: c.Deadline.In(loc).Format("2006-01-02 15:04")}
	for _, m := range c.Materials {
		in.MaterialIDs = append(in.MaterialIDs, m.MaterialID)
	}
	for _, s := range c.Sessions {
		in.Sessions = append(in.Sessions, CourseSessionInput{MeetingID: s.MeetingID, Hours: s.Hours})
	}
	return in
}

// Create stores a draft course; nobody is enrolled until it is published.
func (s *Courses) Create(ctx context.Context, by Actor, in CourseInput) (model.Course, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Course{}, err
	}
	var c model.Course
	err := s.tx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.courseOf(ctx, in, model.Course{}); err != nil {
			return err
		}
		c.Status, c.CreatedBy = model.CourseDraft, by.handle()
		if err := s.db.CreateCourse(ctx, &c); err != nil {
			return err
		}
		return s.audit(ctx, by, "course.create", c.Object(), fmt.Sprintf("新建学习班“%s”（草稿），%d 份材料，需 %d 学时",
			c.Title, len(c.Materials), c.Required))
	})
	return c, err
}

// Update rewrites a course that is not archived. A published course
// keeps its enrolment: a wider audience is enrolled on the next publish.
func (s *Courses) Update(ctx context.Context, by Actor, id int64, in CourseInput) (model.Course, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Course{}, err
	}
	var c model.Course
	err := s.tx(ctx, func(ctx context.Context) error {
		old, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if old.Status == model.CourseArchived {
			return Conflict("学习班“%s”已归档，不能修改。", old.Title)
		}
		if c, err = s.courseOf(ctx, in, old); err != nil {
			return err
		}
		if err := s.db.UpdateCourse(ctx, &c); err != nil {
			return err
		}
		return s.audit(ctx, by, "course.update", c.Object(), fmt.Sprintf("修改学习班“%s”", c.Title))
	})
	return c, err
}

// courseOf reads and checks a typed course over base, every problem at once.
func (s *Courses) courseOf(ctx context.Context, in CourseInput, base model.Course) (model.Course, error) {
	c := base
	c.Title, c.Summary, c.Required, c.Audience = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary), in.Required, in.Audience
	var errs ValidationError
	bad := func(key, label, msg string) { errs = append(errs, &FieldError{Key: key, Label: label, Msg: msg}) }
	switch n := utf8.RuneCountInString(c.Title); {
	case n == 0:
		bad("title", "名称", "不能为空")
	case n > maxCourseTitle:
		bad("title", "名称", fmt.Sprintf("过长（最多 %d 字）", maxCourseTitle))
	}
	if utf8.RuneCountInString(c.Summary) > maxCourseSummary {
		bad("summary", "简介", fmt.Sprintf("过长（最多 %d 字）", maxCourseSummary))
	}
	deadline := strings.TrimSpace(in.Deadline)
	if t, err := time.ParseInLocation(time.DateOnly, deadline, s.loc); err == nil {
		c.Deadline = t.Add(24*time.Hour - time.Second) // the whole day
	} else if t, ok := parseMeetingTime(deadline, s.loc); ok {
		c.Deadline = t
	} else if deadline == "" {
		bad("deadline", "截止时间", "不能为空")
	} else {
		errs = append(errs, &FieldError{Key: "deadline", Label: "截止时间", Value: deadline, Msg: "请填写日期，如 2026-06-30"})
	}
	if !c.Deadline.IsZero() && c.Deadline.Before(s.now()) && c.Status != model.CoursePublished {
		bad("deadline", "截止时间", "不能早于当前时间")
	}
	c.Materials = nil
	if len(in.MaterialIDs) > maxCourseMaterials {
		bad("material_ids", "学习材料", fmt.Sprintf("最多 %d 份", maxCourseMaterials))
	}
	for _, id := range in.MaterialIDs {
		if slices.ContainsFunc(c.Materials, func(m model.CourseMaterial) bool { return m.MaterialID == id }) {
			continue
		}
		m, err := s.db.GetMaterial(ctx, id)
		switch {
		case IsNotFound(err):
			bad("material_ids", "学习材料", fmt.Sprintf("没有编号为 %d 的学习材料", id))
			continue
		case err != nil:
			return c, err
		case m.Status == model.MaterialArchived:
			bad("material_ids", "学习材料", fmt.Sprintf("“%s”已归档，不能加入学习班", m.Title))
		}
		c.Materials = append(c.Materials, model.CourseMaterial{MaterialID: m.ID, Title: m.Title, Status: m.Status})
	}
	c.Sessions = nil
	if len(in.Sessions) > maxCourseSessions {
		bad("sessions", "线下学习", fmt.Sprintf("最多 %d 次", maxCourseSessions))
	}
	for _, si := range in.Sessions {
		if slices.ContainsFunc(c.Sessions, func(x model.CourseSession) bool { return x.MeetingID == si.MeetingID }) {
			continue
		}
		if si.Hours == 0 {
			si.Hours = 1
		}
		m, err := s.db.GetMeeting(ctx, si.MeetingID)
		switch {
		case IsNotFound(err):
			bad("sessions", "线下学习", fmt.Sprintf("没有编号为 %d 的会议活动", si.MeetingID))
			continue
		case err != nil:
			return c, err
		case m.Kind != model.MeetingStudy:
			bad("sessions", "线下学习", fmt.Sprintf("“%s”不是学习班类型的会议活动", m.Title))
		case si.Hours < 1 || si.Hours > maxSessionHours:
			bad("sessions", "线下学习", fmt.Sprintf("“%s”的学时应为 1–%d", m.Title, maxSessionHours))
		}
		c.Sessions = append(c.Sessions, model.CourseSession{MeetingID: m.ID, Title: m.Title, StartsAt: m.StartsAt, Hours: si.Hours})
	}
	if len(c.Materials)+len(c.Sessions) == 0 {
		bad("material_ids", "学习材料", "请至少选择一份学习材料或一次线下学习")
	}
	switch {
	case c.Required < 1:
		bad("required", "要求学时", "应为正整数")
	case c.Required > c.Available() && len(c.Materials)+len(c.Sessions) > 0:
		bad("required", "要求学时", fmt.Sprintf("不能多于学习班提供的 %d 学时（每份材料 1 学时，线下学习按所填学时）", c.Available()))
	}
	var err error
	if errs, err = (&Meetings{s.env}).checkInviteAudience(ctx, c.Audience, errs); err != nil {
		return c, err
	}
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// IsNotFound reports whether err says something does not exist.
func IsNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }

// Publish opens a draft course: every deputy of its audience in office is
// enrolled and told by a push of kind study_material. Its materials must
// be published first, its deadline still ahead. Publishing again enrols
// those who joined the audience since, without telling the others again.
func (s *Courses) Publish(ctx context.Context, by Actor, id int64) (enrolled int, err error) {
	if err := by.Require(Editors...); err != nil {
		return 0, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		c, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case c.Status == model.CourseArchived:
			return Conflict("学习班“%s”已归档，不能发布。", c.Title)
		case c.Deadline.Before(now):
			return &FieldError{Key: "deadline", Label: "截止时间", Msg: "已过，请先修改截止时间"}
		}
		var drafts []string
		for _, m := range c.Materials {
			if m.Status != model.MaterialPublished {
				drafts = append(drafts, "“"+m.Title+"”")
			}
		}
		if len(drafts) > 0 {
			return &FieldError{Key: "material_ids", Label: "学习材料", Msg: strings.Join(drafts, "、") + "尚未发布，请先发布这些材料"}
		}
		var after int64
		var newIDs []int64
		for {
			ids, err := s.db.AudienceIDs(ctx, c.Audience, after, inviteBatch)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			added, err := s.db.EnrolInCourse(ctx, c.ID, ids)
			if err != nil {
				return err
			}
			newIDs = append(newIDs, added...)
			after = ids[len(ids)-1]
		}
		enrolled = len(newIDs)
		if c.Status == model.CourseDraft && enrolled == 0 {
			return &FieldError{Key: "audience", Label: "学员", Msg: "所选条件下没有在任代表，请调整学员范围"}
		}
		first := c.Status == model.CourseDraft
		if first {
			c.Status, c.PublishedAt.Time, c.PublishedAt.Valid = model.CoursePublished, now, true
			if err := s.db.UpdateCourse(ctx, &c); err != nil {
				return err
			}
		}
		if len(newIDs) > 0 {
			// Those enrolled before this call were told before.
			if err := s.db.Enqueue(ctx, fmt.Sprintf("course-%d-%d", c.ID, now.Unix()),
				model.Push{Notice: s.announcement(c, by), DeputyIDs: newIDs}); err != nil {
				return err
			}
		}
		return s.audit(ctx, by, "course.publish", c.Object(), fmt.Sprintf("发布学习班“%s”，新报名 %d 位代表（%s）",
			c.Title, enrolled, inviteAudienceText(c.Audience)))
	})
	return enrolled, err
}

// announcement is the push telling an enrolled deputy of a course.
func (s *Courses) announcement(c model.Course, by Actor) model.Notice {
	deadline := c.Deadline.In(s.loc).Format("2006-01-02")
	var b strings.Builder
	if c.Summary != "" {
		b.WriteString(c.Summary + "\n\n")
	}
	fmt.Fprintf(&b, "请于 %s 前完成 %d 学时。", deadline, c.Required)
	for i, m := range c.Materials {
		fmt.Fprintf(&b, "\n%d. %s", i+1, m.Title)
	}
	for _, se := range c.Sessions {
		fmt.Fprintf(&b, "\n线下：%s（%s，%d 学时）", se.Title, se.StartsAt.In(s.loc).Format("1月2日 15:04"), se.Hours)
	}
	b.WriteString("\n\n回复“学习”查看进度和材料。")
	return model.Notice{Kind: model.KindMaterial, Title: "学习班：" + c.Title, Body: b.String(), RefKind: "course", RefID: c.ID,
		Fields: map[string]string{"title": c.Title, "deadline": deadline, "time": deadline, "category": "学习班",
			"note": fmt.Sprintf("需完成 %d 学时", c.Required)}, CreatedBy: by.handle()}
}

// Archive closes a course: it no longer shows to deputies, its record stays.
func (s *Courses) Archive(ctx context.Context, by Actor, id int64) (model.Course, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Course{}, err
	}
	var c model.Course
	err := s.tx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.get(ctx, id); err != nil {
			return err
		}
		if c.Status == model.CourseArchived {
			return Conflict("学习班“%s”已归档。", c.Title)
		}
		c.Status = model.CourseArchived
		if err := s.db.UpdateCourse(ctx, &c); err != nil {
			return err
		}
		return s.audit(ctx, by, "course.archive", c.Object(), fmt.Sprintf("归档学习班“%s”", c.Title))
	})
	return c, err
}

// Get returns a course with its materials and sessions.
func (s *Courses) Get(ctx context.Context, by Actor, id int64) (model.Course, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.Course{}, err
	}
	return s.get(ctx, id)
}

func (s *Courses) get(ctx context.Context, id int64) (model.Course, error) {
	c, err := s.db.GetCourse(ctx, id)
	return c, withNotFoundText(err, "学习班不存在或已被删除。")
}

// List returns one page of courses (of a status, or all; whose title or
// summary holds q, when given), the latest deadline first, with enrolment
// and completion, and how many there are.
func (s *Courses) List(ctx context.Context, by Actor, status, q string, limit, offset int) ([]model.CourseRow, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	rows, total, err := s.db.ListCourses(ctx, status, q, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		if rows[i].Enrolled == 0 {
			continue
		}
		ds, err := s.db.CourseDeputies(ctx, rows[i].ID)
		if err != nil {
			return nil, 0, err
		}
		for _, d := range ds {
			if d.Studied+d.Attended >= rows[i].Required {
				rows[i].Finished++
			}
		}
	}
	return rows, total, nil
}

// Progress reports every enrolled deputy's hours, the completion overall
// and by delegation (the fewest finished first).
func (s *Courses) Progress(ctx context.Context, by Actor, id int64) (model.CourseReport, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.CourseReport{}, err
	}
	return s.progress(ctx, id)
}

func (s *Courses) progress(ctx context.Context, id int64) (model.CourseReport, error) {
	c, err := s.get(ctx, id)
	if err != nil {
		return model.CourseReport{}, err
	}
	ds, err := s.db.CourseDeputies(ctx, id)
	if err != nil {
		return model.CourseReport{}, err
	}
	rep := model.CourseReport{Course: c, Deputies: ds, Enrolled: len(ds)}
	byDel := map[string]*model.DelegationCompletion{}
	for i := range rep.Deputies {
		d := &rep.Deputies[i]
		d.Done = d.Studied + d.Attended
		d.Finished = d.Done >= c.Required
		dc := byDel[d.Delegation]
		if dc == nil {
			dc = &model.DelegationCompletion{Delegation: d.Delegation}
			byDel[d.Delegation] = dc
		}
		dc.Enrolled++
		if d.Finished {
			dc.Finished++
			rep.Finished++
		}
	}
	for _, dc := range byDel {
		rep.ByDelegation = append(rep.ByDelegation, *dc)
	}
	sort.Slice(rep.ByDelegation, func(i, j int) bool {
		a, b := rep.ByDelegation[i], rep.ByDelegation[j]
		if a.Rate() != b.Rate() {
			return a.Rate() < b.Rate()
		}
		return a.Delegation < b.Delegation
	})
	return rep, nil
}

// ExportProgress exports the course's progress as Excel: every enrolled
// deputy, their hours and whether they finished (unfinished first).
func (s *Courses) ExportProgress(ctx context.Context, by Actor, id int64) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		rep, err := s.progress(ctx, id)
		if err != nil {
			return err
		}
		sh, err := newSheetWriter("学习进度", []sheetColumn{{"姓名", 14}, {"代表团", 22}, {"已学材料", 10},
			{"线下学时", 10}, {"已完成学时", 12}, {"要求学时", 10}, {"是否完成", 10}})
		if err != nil {
			return err
		}
		rows := slices.Clone(rep.Deputies)
		sort.SliceStable(rows, func(i, j int) bool { return !rows[i].Finished && rows[j].Finished })
		for _, d := range rows {
			done := "未完成"
			if d.Finished {
				done = "已完成"
			}
			if err := sh.add(excelize.RowOpts{}, d.Name, d.Delegation, strconv.Itoa(d.Studied), strconv.Itoa(d.Attended),
				strconv.Itoa(d.Done), strconv.Itoa(rep.Course.Required), done); err != nil {
				_, _ = sh.bytes()
				return err
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("学习进度-%s-%s.xlsx", rep.Course.Title, s.now().In(s.loc).Format("20060102"))
		return s.audit(ctx, by, "course.export", rep.Course.Object(), fmt.Sprintf("导出学习班“%s”的学习进度（%d 位代表）",
			rep.Course.Title, len(rows)))
	})
	return out, err
}

// Remind pushes a reminder now to the enrolled deputies who have not
// finished the open course, and returns how many; each call is its own send.
func (s *Courses) Remind(ctx context.Context, by Actor, id int64) (int, error) {
	if err := by.Require(Editors...); err != nil {
		return 0, err
	}
	n := 0
	err := s.tx(ctx, func(ctx context.Context) error {
		rep, err := s.progress(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if !rep.Course.OpenAt(now) {
			return Conflict("学习班“%s”未在进行中，不能提醒。", rep.Course.Title)
		}
		ids := unfinished(rep, nil)
		if len(ids) == 0 {
			return nil
		}
		if err := s.db.Enqueue(ctx, fmt.Sprintf("course-remind-%d-%d", id, now.Unix()),
			model.Push{Notice: s.reminder(rep.Course), DeputyIDs: ids}); err != nil {
			return err
		}
		n = len(ids)
		return s.audit(ctx, by, "course.remind", rep.Course.Object(), fmt.Sprintf("提醒学习班“%s”的 %d 位未完成代表", rep.Course.Title, n))
	})
	return n, err
}

// unfinished lists the enrolled deputies of rep who have not finished
// (and, when only is given, are in it).
func unfinished(rep model.CourseReport, only map[int64]bool) []int64 {
	var ids []int64
	for _, d := range rep.Deputies {
		if !d.Finished && (only == nil || only[d.DeputyID]) {
			ids = append(ids, d.DeputyID)
		}
	}
	return ids
}

func (s *Courses) reminder(c model.Course) model.Notice {
	d := c.Deadline.In(s.loc).Format("1月2日")
	return model.Notice{Kind: model.KindReminder, Title: "学习班即将截止", RefKind: "course", RefID: c.ID,
		Body:   fmt.Sprintf("“%s”将于 %s 截止，您尚未完成 %d 学时。回复“学习”查看进度和材料。", c.Title, d, c.Required),
		Fields: map[string]string{"time": d, "deadline": d, "note": c.Title}}
}

// RemindDue is the reminder job: for each open course whose deadline is
// within days, it pushes once to each enrolled deputy who has not finished
// it; it returns how many were reminded.
func (s *Courses) RemindDue(ctx context.Context, by Actor, days int) (int, error) {
	if err := requireJob(by); err != nil {
		return 0, err
	}
	if days <= 0 {
		days = CourseReminderDays
	}
	now := s.now()
	courses, err := s.db.CoursesDue(ctx, now, now.Add(time.Duration(days)*24*time.Hour))
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range courses {
		err := s.tx(ctx, func(ctx context.Context) error {
			rep, err := s.progress(ctx, c.ID)
			if err != nil {
				return err
			}
			todo, err := s.db.UnremindedEnrolments(ctx, c.ID)
			if err != nil {
				return err
			}
			ids := unfinished(rep, todo)
			if len(ids) == 0 {
				return nil
			}
			// One source per course: the outbox's key (source, deputy)
			// keeps it to once per deputy even if a run repeats.
			if err := s.db.Enqueue(ctx, fmt.Sprintf("course-due-%d", c.ID), model.Push{Notice: s.reminder(rep.Course), DeputyIDs: ids}); err != nil {
				return err
			}
			if err := s.db.MarkCourseReminded(ctx, c.ID, ids); err != nil {
				return err
			}
			total += len(ids)
			return s.audit(ctx, by, "course.remind", c.Object(), fmt.Sprintf("截止前提醒学习班“%s”的 %d 位未完成代表", c.Title, len(ids)))
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// OpenForDeputy returns the acting deputy's open courses with their
// progress, the soonest deadline first.
func (s *Courses) OpenForDeputy(ctx context.Context, by Actor) ([]model.CourseProgress, error) {
	if err := requireDeputy(by); err != nil {
		return nil, err
	}
	return s.db.DeputyCourses(ctx, by.Deputy.ID, s.now(), 0)
}

// OfMaterial returns the acting deputy's open courses holding the
// material, with their progress.
func (s *Courses) OfMaterial(ctx context.Context, by Actor, materialID int64) ([]model.CourseProgress, error) {
	if err := requireDeputy(by); err != nil {
		return nil, err
	}
	return s.db.DeputyCourses(ctx, by.Deputy.ID, s.now(), materialID)
}

// AudienceText says in words whom an audience reaches: 全体代表, or its
// conditions.
func AudienceText(a model.Audience) string { return inviteAudienceText(a) }
