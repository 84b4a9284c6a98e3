package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// Limits of a study material.
const (
	maxMaterialTitle       = 200
	maxMaterialSummary     = 500
	maxMaterialBody        = 100000
	maxMaterialAttachments = 20
	maxCategory            = 20
	maxCategories          = 30
	// maxReadPing is the most one report of visible reading may add; a
	// page reports every few seconds, so more means a clock gone wrong.
	maxReadPing = 120
	// maxReadSeconds caps one deputy's reading time of one material.
	maxReadSeconds = 2 * 60 * 60
)

// Materials manages study materials (学习材料): staff write them in
// Markdown, publish them (now or at a set time, with a push to an
// audience) and archive them; deputies read, search and mark them studied.
type Materials struct{ *env }

// NewMaterials returns the materials service over db, on its own clock.
func NewMaterials(db *storage.DB) *Materials { return &Materials{newEnv(db)} }

// SetClock replaces the clock that decides what is published (tests).
func (s *Materials) SetClock(now func() time.Time) { s.clock.Store(&now) }

// MaterialInput is a material as typed in the console's form or sent to
// the API.
type MaterialInput struct {
	Title, Summary, Body, Category, Link, VideoLink string
	AttachmentIDs                                   []int64
}

// InputOf is the input that writes m again (the form of an edit).
func MaterialInputOf(m model.Material) MaterialInput {
	return MaterialInput{Title: m.Title, Summary: m.Summary, Body: m.Body, Category: m.Category, Link: m.Link,
		VideoLink: m.VideoLink, AttachmentIDs: m.AttachmentIDs()}
}

// Create stores a draft material; nothing is shown to deputies until it
// is published.
func (s *Materials) Create(ctx context.Context, by Actor, in MaterialInput) (model.Material, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Material{}, err
	}
	var m model.Material
	err := s.tx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.materialOf(ctx, in, model.Material{}); err != nil {
			return err
		}
		m.Status, m.CreatedBy, m.PublishedAt = model.MaterialDraft, by.handle(), s.now()
		if err := s.db.CreateMaterial(ctx, &m); err != nil {
			return err
		}
		return s.audit(ctx, by, "material.create", m.Object(), fmt.Sprintf("新建学习材料“%s”（草稿）", m.Title))
	})
	return m, err
}

// Update rewrites a material's content; an archived material cannot be
// changed. A published one changes for deputies at once.
func (s *Materials) Update(ctx context.Context, by Actor, id int64, in MaterialInput) (model.Material, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Material{}, err
	}
	var m model.Material
	err := s.tx(ctx, func(ctx context.Context) error {
		old, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if old.Status == model.MaterialArchived {
			return Conflict("学习材料“%s”已归档，不能修改。", old.Title)
		}
		if m, err = s.materialOf(ctx, in, old); err != nil {
			return err
		}
		if m.Status == model.MaterialPublished {
			if err := checkPublishable(m); err != nil {
				return err
			}
		}
		if err := s.db.UpdateMaterial(ctx, &m); err != nil {
			return err
		}
		return s.audit(ctx, by, "material.update", m.Object(), fmt.Sprintf("修改学习材料“%s”", m.Title))
	})
	return m, err
}

// materialOf reads and checks a typed material over base, every problem at once.
func (s *Materials) materialOf(ctx context.Context, in MaterialInput, base model.Material) (model.Material, error) {
	t := strings.TrimSpace
	m := base
	m.Title, m.Summary, m.Body, m.Category, m.Link, m.VideoLink = t(in.Title), t(in.Summary), t(in.Body), t(in.Category), t(in.Link), t(in.VideoLink)
	var errs ValidationError
	bad := func(key, label, msg string) { errs = append(errs, &FieldError{Key: key, Label: label, Msg: msg}) }
	switch n := utf8.RuneCountInString(m.Title); {
	case n == 0:
		bad("title", "标题", "不能为空")
	case n > maxMaterialTitle:
		bad("title", "标题", fmt.Sprintf("过长（最多 %d 字）", maxMaterialTitle))
	}
	if utf8.RuneCountInString(m.Summary) > maxMaterialSummary {
		bad("summary", "摘要", fmt.Sprintf("过长（最多 %d 字）", maxMaterialSummary))
	}
	if n := utf8.RuneCountInString(m.Body); n > maxMaterialBody {
		bad("body", "正文", fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", maxMaterialBody, n))
	}
	if m.Link != "" && !isWebLink(m.Link) {
		errs = append(errs, &FieldError{Key: "link", Label: "原文链接", Value: m.Link, Msg: "应为 http:// 或 https:// 开头的网址"})
	}
	if m.VideoLink != "" && !isWebLink(m.VideoLink) {
		errs = append(errs, &FieldError{Key: "video_link", Label: "视频链接", Value: m.VideoLink, Msg: "应为 http:// 或 https:// 开头的网址"})
	}
	if m.Category != "" {
		cats, err := s.db.MaterialCategories(ctx)
		if err != nil {
			return m, err
		}
		if !slices.Contains(cats, m.Category) {
			errs = append(errs, &FieldError{Key: "category", Label: "分类", Value: m.Category, Msg: "请从列表中选择（" + strings.Join(cats, "、") + "）"})
		}
	}
	var ids []int64
	for _, id := range in.AttachmentIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxMaterialAttachments {
		bad("attachment_ids", "附件", fmt.Sprintf("最多 %d 个", maxMaterialAttachments))
	} else {
		files, err := s.db.GetFiles(ctx, ids)
		if err != nil {
			return m, err
		}
		if len(files) != len(ids) {
			var missing []string
			for _, id := range ids {
				if !slices.ContainsFunc(files, func(f model.File) bool { return f.ID == id }) {
					missing = append(missing, strconv.FormatInt(id, 10))
				}
			}
			bad("attachment_ids", "附件", "没有这些编号的文件："+strings.Join(missing, "、")+"，请先上传")
		}
		m.Attachments = files
	}
	if len(errs) > 0 {
		return m, errs
	}
	return m, nil
}

// checkPublishable refuses a material deputies could not read: it needs a
// body, a link or an attachment.
func checkPublishable(m model.Material) error {
	if m.Body == "" && m.Link == "" && m.VideoLink == "" && len(m.Attachments) == 0 {
		return &FieldError{Key: "body", Label: "正文", Msg: "发布前请填写正文，或提供原文链接、视频链接或附件"}
	}
	return nil
}

// PublishInput says to whom a publication is pushed and when: Audience
// nil publishes without a push (deputies find it under 学习, and the
// study series pushes it later); SendAt, RFC 3339 or 2006-01-02 15:04 in
// the committee's zone, schedules both; empty means now.
type PublishInput struct {
	Audience *model.Audience
	SendAt   string
}

// Published is what a publication did: the material, and the campaign
// pushing it (0 without a push).
type Published struct {
	Material   model.Material
	CampaignID int64
}

// Publish publishes a draft (or pushes a published material to more
// deputies): from SendAt on deputies see it, and when an audience is
// given a campaign of kind study_material pushes it to them then, through
// the outbox. An archived material, one with nothing to read, an audience
// that names no one or reaches no deputy are refused.
func (s *Materials) Publish(ctx context.Context, by Actor, id int64, in PublishInput) (Published, error) {
	if err := by.Require(Editors...); err != nil {
		return Published{}, err
	}
	var out Published
	err := s.tx(ctx, func(ctx context.Context) error {
		m, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if m.Status == model.MaterialArchived {
			return Conflict("学习材料“%s”已归档，不能发布。如需再次推送，请新建一份材料。", m.Title)
		}
		if err := checkPublishable(m); err != nil {
			return err
		}
		now := s.now()
		at := now
		var errs ValidationError
		if v := strings.TrimSpace(in.SendAt); v != "" {
			t, ok := parseMeetingTime(v, s.loc)
			switch {
			case !ok:
				errs = append(errs, &FieldError{Key: "send_at", Label: "发布时间", Value: v, Msg: "请填写日期和时间，如 2026-03-05 09:00"})
			case t.Before(now.Add(-time.Minute)):
				errs = append(errs, &FieldError{Key: "send_at", Label: "发布时间", Msg: "不能早于当前时间；立即发布请留空"})
			case t.After(now):
				at = t
			}
		}
		if in.Audience != nil {
			if errs, err = (&Meetings{s.env}).checkInviteAudience(ctx, *in.Audience, errs); err != nil {
				return err
			}
			if len(errs) == 0 {
				total, _, err := s.db.AudienceCount(ctx, *in.Audience)
				if err != nil {
					return err
				}
				if total == 0 {
					errs = append(errs, &FieldError{Key: "audience", Label: "发送对象", Msg: "所选条件下没有代表，请调整发送对象"})
				}
			}
		}
		if len(errs) > 0 {
			return errs
		}
		first := m.Status == model.MaterialDraft
		if first || m.PublishedAt.After(at) {
			m.Status, m.PublishedAt = model.MaterialPublished, at
			if err := s.db.UpdateMaterial(ctx, &m); err != nil {
				return err
			}
		}
		what := fmt.Sprintf("发布学习材料“%s”", m.Title)
		if !first {
			what = fmt.Sprintf("推送学习材料“%s”", m.Title)
		}
		if at.After(now) {
			what += "，定时 " + at.In(s.loc).Format("2006-01-02 15:04")
		}
		if in.Audience != nil {
			n := s.notice(ctx, by, m)
			c := model.Campaign{Audience: *in.Audience, SendAt: at}
			if err := s.db.CreateCampaign(ctx, &n, &c); err != nil {
				return err
			}
			out.CampaignID = c.ID
			what += "，推送对象：" + inviteAudienceText(*in.Audience)
		} else {
			what += "，不推送"
		}
		out.Material = m
		return s.audit(ctx, by, "material.publish", m.Object(), what)
	})
	return out, err
}

// notice is the push announcing a material: its title, the summary on
// the page the push links to, and the deadline of an open course the
// material belongs to.
func (s *Materials) notice(ctx context.Context, by Actor, m model.Material) model.Notice {
	fields := map[string]string{"title": m.Title, "time": m.PublishedAt.In(s.loc).Format("2006-01-02"),
		"category": orText(m.Category, "学习材料"), "note": "点击查看全文，学完请点“学完”"}
	if deadline, ok := s.courseDeadline(ctx, m.ID); ok {
		fields["deadline"] = deadline.In(s.loc).Format("2006-01-02")
	}
	return model.Notice{Kind: model.KindMaterial, Title: m.Title, Body: m.Summary, RefKind: "material", RefID: m.ID,
		Fields: fields, CreatedBy: by.handle()}
}

// courseDeadline is the nearest deadline of an open course holding the
// material, if any.
func (s *Materials) courseDeadline(ctx context.Context, materialID int64) (time.Time, bool) {
	t, err := s.db.CourseDeadlineOf(ctx, materialID, s.now())
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Archive withdraws a material: deputies no longer see it in lists, its
// studies stay on record.
func (s *Materials) Archive(ctx context.Context, by Actor, id int64) (model.Material, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Material{}, err
	}
	var m model.Material
	err := s.tx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = s.get(ctx, id); err != nil {
			return err
		}
		if m.Status == model.MaterialArchived {
			return Conflict("学习材料“%s”已归档。", m.Title)
		}
		m.Status = model.MaterialArchived
		m.ArchivedAt.Time, m.ArchivedAt.Valid = s.now(), true
		if err := s.db.UpdateMaterial(ctx, &m); err != nil {
			return err
		}
		return s.audit(ctx, by, "material.archive", m.Object(), fmt.Sprintf("归档学习材料“%s”", m.Title))
	})
	return m, err
}

// Get returns a material with its attachments: any to staff, a published
// one to a deputy.
func (s *Materials) Get(ctx context.Context, by Actor, id int64) (model.Material, error) {
	if by.Deputy.ID == 0 {
		if err := by.Require(Viewers...); err != nil {
			return model.Material{}, err
		}
		return s.get(ctx, id)
	}
	m, err := s.get(ctx, id)
	if err == nil && !m.VisibleAt(s.now()) {
		return model.Material{}, NotFound("学习材料不存在或尚未发布。")
	}
	return m, err
}

func (s *Materials) get(ctx context.Context, id int64) (model.Material, error) {
	m, err := s.db.GetMaterial(ctx, id)
	return m, withNotFoundText(err, "学习材料不存在或已被删除。")
}

// List returns one page of the materials f selects, with how many studied
// each, and how many match in all.
func (s *Materials) List(ctx context.Context, by Actor, f model.MaterialFilter) ([]model.MaterialRow, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && f.Status != "scheduled" && !slices.Contains(model.MaterialStatuses, f.Status) {
		return nil, 0, &FieldError{Key: "status", Label: "状态", Value: f.Status, Msg: "应为 draft、published、scheduled 或 archived"}
	}
	return s.db.ListMaterials(ctx, f, s.now())
}

// Stats counts a material's pushes sent, page opens, studies and the
// average reading time.
func (s *Materials) Stats(ctx context.Context, by Actor, id int64) (model.MaterialStats, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.MaterialStats{}, err
	}
	if _, err := s.get(ctx, id); err != nil {
		return model.MaterialStats{}, err
	}
	return s.db.MaterialStats(ctx, id)
}

// Categories lists the categories a material may have, in order.
func (s *Materials) Categories(ctx context.Context, by Actor) ([]string, error) {
	if err := by.Require(Everyone...); err != nil {
		return nil, err
	}
	return s.db.MaterialCategories(ctx)
}

// SetCategories replaces the list of categories; materials keep the
// category they have.
func (s *Materials) SetCategories(ctx context.Context, by Actor, names []string) ([]string, error) {
	if err := by.Require(Editors...); err != nil {
		return nil, err
	}
	var clean []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			continue
		case utf8.RuneCountInString(n) > maxCategory:
			return nil, &FieldError{Key: "categories", Label: "分类", Value: n, Msg: fmt.Sprintf("过长（最多 %d 字）", maxCategory)}
		case !slices.Contains(clean, n):
			clean = append(clean, n)
		}
	}
	switch {
	case len(clean) == 0:
		return nil, &FieldError{Key: "categories", Label: "分类", Msg: "至少保留一个分类"}
	case len(clean) > maxCategories:
		return nil, &FieldError{Key: "categories", Label: "分类", Msg: fmt.Sprintf("最多 %d 个", maxCategories)}
	}
	err := s.tx(ctx, func(ctx context.Context) error {
		if err := s.db.SetMaterialCategories(ctx, clean); err != nil {
			return err
		}
		return s.audit(ctx, by, "material.categories", "material_categories", "学习材料分类改为："+strings.Join(clean, "、"))
	})
	return clean, err
}

// The deputy's side.

// requireDeputy refuses anyone but a deputy acting for themselves.
func requireDeputy(by Actor) error {
	if by.Deputy.ID == 0 {
		return Forbidden("只有代表本人可以学习材料")
	}
	return nil
}

// Latest returns the n most recently published materials, newest first,
// each with whether the deputy studied it: the list the chat numbers 1…n.
func (s *Materials) Latest(ctx context.Context, deputyID int64, n int) ([]model.DeputyMaterial, error) {
	return s.db.LatestMaterials(ctx, deputyID, n)
}

// ForDeputy returns up to n published materials holding q (the latest
// when q is empty), title matches first, with the acting deputy's study
// marks: what 学习 and 学习 关键词 list, and the H5 list.
func (s *Materials) ForDeputy(ctx context.Context, by Actor, q string, n int) ([]model.DeputyMaterial, error) {
	if err := requireDeputy(by); err != nil {
		return nil, err
	}
	return s.db.DeputyMaterials(ctx, by.Deputy.ID, q, n)
}

// Read returns a published material as the acting deputy sees it, with
// their study mark and reading time, and records that they opened it.
func (s *Materials) Read(ctx context.Context, by Actor, id int64) (model.DeputyMaterial, error) {
	if err := requireDeputy(by); err != nil {
		return model.DeputyMaterial{}, err
	}
	if _, err := s.Get(ctx, by, id); err != nil {
		return model.DeputyMaterial{}, err
	}
	if err := s.db.RecordMaterialOpen(ctx, id, by.Deputy.ID); err != nil {
		return model.DeputyMaterial{}, err
	}
	return s.db.DeputyMaterial(ctx, by.Deputy.ID, id)
}

// AddReading adds seconds the material's page was visible to the acting
// deputy (at most two minutes a report, two hours a material) and returns
// the total.
func (s *Materials) AddReading(ctx context.Context, by Actor, id int64, seconds int) (int, error) {
	if err := requireDeputy(by); err != nil {
		return 0, err
	}
	if seconds <= 0 || seconds > maxReadPing {
		return 0, &FieldError{Key: "seconds", Label: "阅读时长", Msg: fmt.Sprintf("每次应为 1–%d 秒", maxReadPing)}
	}
	if _, err := s.Get(ctx, by, id); err != nil {
		return 0, err
	}
	return s.db.AddMaterialReading(ctx, id, by.Deputy.ID, seconds, maxReadSeconds)
}

// Study records that the acting deputy studied the material; first is
// false when it was recorded before (it counts once).
func (s *Materials) Study(ctx context.Context, by Actor, id int64) (mat model.Material, first bool, err error) {
	if err := requireDeputy(by); err != nil {
		return model.Material{}, false, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if mat, err = s.Get(ctx, by, id); err != nil {
			return err
		}
		if first, err = s.db.MarkStudied(ctx, id, by.Deputy.ID); err != nil {
			return withNotFoundText(err, "学习材料不存在或尚未发布。")
		}
		if !first {
			return nil
		}
		return s.audit(ctx, by, "material.study", mat.Object(), fmt.Sprintf("学完“%s”", mat.Title))
	})
	if err != nil {
		return model.Material{}, false, err
	}
	return mat, first, nil
}

// StudyNth records that the acting deputy studied the nth (1-based)
// entry of the list the chat showed (ForDeputy with q, listLen long). An n
// outside it is a FieldError listing the valid numbers.
func (s *Materials) StudyNth(ctx context.Context, by Actor, q string, nth, listLen int) (mat model.Material, first bool, err error) {
	list, err := s.ForDeputy(ctx, by, q, listLen)
	if err != nil {
		return model.Material{}, false, err
	}
	switch {
	case len(list) == 0:
		return model.Material{}, false, &FieldError{Key: "n", Label: "序号", Msg: "暂无学习材料"}
	case nth < 1 || nth > len(list):
		return model.Material{}, false, &FieldError{Key: "n", Label: "序号", Value: strconv.Itoa(nth), Msg: validNumbers(len(list))}
	}
	return s.Study(ctx, by, list[nth-1].ID)
}

// validNumbers says which numbers a list of n answers to.
func validNumbers(n int) string {
	if n == 1 {
		return "请回复“已学1”"
	}
	return fmt.Sprintf("请回复“已学”加 1–%d 中的一个序号，如“已学1”", n)
}

// IsBadNumber reports whether err is StudyNth's refusal of a number.
func IsBadNumber(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Key == "n"
}

// CountAudience counts the deputies a publication's push would reach,
// after the same checks Publish makes.
func (s *Materials) CountAudience(ctx context.Context, by Actor, a model.Audience) (AudienceCount, error) {
	if err := by.Require(Editors...); err != nil {
		return AudienceCount{}, err
	}
	errs, err := (&Meetings{s.env}).checkInviteAudience(ctx, a, nil)
	if err != nil || len(errs) > 0 {
		return AudienceCount{}, cmpErr(errs, err)
	}
	total, reachable, err := s.db.AudienceCount(ctx, a)
	if err != nil {
		return AudienceCount{}, err
	}
	return AudienceCount{Total: total, Reachable: reachable, Unreachable: total - reachable}, nil
}

// AudienceChoices lists the delegations and tags the audience builder offers.
func (s *Materials) AudienceChoices(ctx context.Context, by Actor) (delegations, tags []string, err error) {
	return (&Meetings{s.env}).AudienceChoices(ctx, by)
}
