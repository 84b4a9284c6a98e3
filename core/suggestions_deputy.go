package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// Suggestions a deputy writes (代表建议): the deputy drafts one (title,
// content, category, attachments, co-signers), keeps it as a draft and
// submits it; each co-signer is asked in the chat and confirms or
// declines; staff review it: accept and assign it to its handling units
// (主办, 协办), return it with a reason (the deputy edits and resubmits),
// or merge it into another suggestion. The deputy is told at each step,
// and an accepted suggestion then runs the handling, rating and 回头看
// lifecycle of every suggestion.

// FlowCosign is the conversation in which a deputy asked to co-sign
// answers; the invitation leaves a pending ask with this flow.
const FlowCosign = "cosign"

// Limits of a deputy's suggestion.
const (
	MaxSuggestionTitle   = 100
	MaxSuggestionContent = 5000
	MaxCosigners         = 20
	MaxSuggestionFiles   = 9
	maxReviewReason      = 500
	maxReviewUnits       = 10
	maxUnitName          = 100
)

// SuggestionDraft is what a deputy writes: a new draft (ID 0) or changes
// to their own draft or returned suggestion.
type SuggestionDraft struct {
	ID       int64
	Title    string
	Content  string
	Category string // one of model.SuggestionCategories
	// Cosigners names the deputies asked to co-sign (附议), as the deputy
	// types them: 张三, or 张三（济南市代表团） for namesakes.
	Cosigners []string
	// Files are the attachments, in order; nil keeps those attached.
	Files []int64
}

// suggestionDraftKeys are the keys of the draft's fields.
var suggestionDraftKeys = map[string]string{"标题": "title", "建议内容": "content", "类别": "category",
	"附议代表": "cosigners", "附件": "files"}

// ReviewAction is staff's decision on a submitted suggestion.
type ReviewAction struct {
	Action string   // "accept", "return" or "merge"
	Units  []string // accept: the host unit (主办) first, then the co-handling units (协办)
	Reason string   // return: why, told to the deputy
	Into   int64    // merge: the suggestion it joins
}

// Review actions.
const (
	ReviewAccept = "accept"
	ReviewReturn = "return"
	ReviewMerge  = "merge"
)

// SuggestionCategoryChoices are the categories, for forms and the chat.
func SuggestionCategoryChoices() []Choice {
	out := make([]Choice, len(model.SuggestionCategories))
	for i, c := range model.SuggestionCategories {
		out[i] = Choice{Value: c, Label: c}
	}
	return out
}

// SuggestionStageLabel names a status of a deputy's suggestion before or
// in handling (草稿, 待审查, 已退回, 已并案, 已交办 …).
func SuggestionStageLabel(status string) string { return model.SuggestionStatusLabel(status) }

func checkText(errs *ValidationError, key, label, v string, max int, required bool) string {
	if !utf8.ValidString(v) {
		*errs = append(*errs, &FieldError{Key: key, Label: label, Msg: "含有无法识别的字符（乱码），请删去后重试"})
		return ""
	}
	v = strings.TrimSpace(strings.ReplaceAll(v, "\x00", ""))
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		*errs = append(*errs, &FieldError{Key: key, Label: label, Msg: "不能为空"})
	case n > max:
		*errs = append(*errs, &FieldError{Key: key, Label: label, Msg: fmt.Sprintf("最多 %d 字，现有 %d 字，请精简", max, n)})
	}
	return v
}

// ResolveCosigners finds the deputies named to co-sign a suggestion by
// author: each must be a deputy in office other than the author. The
// refusals are keyed cosigners, in Chinese, one per name.
func (s *Suggestions) ResolveCosigners(ctx context.Context, author model.Deputy, names []string) ([]int64, error) {
	var ids []int64
	var errs ValidationError
	bad := func(name, msg string) {
		errs = append(errs, &FieldError{Key: "cosigners", Label: "附议代表", Value: name, Msg: msg})
	}
	seen := map[string]bool{}
	for _, raw := range names {
		ref := strings.TrimSpace(raw)
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		if !utf8.ValidString(ref) || utf8.RuneCountInString(ref) > 40 {
			bad("", "姓名无法识别，请只写代表姓名")
			continue
		}
		name, delegation := splitDelegation(ref)
		ds, err := s.db.FindDeputiesByName(ctx, name)
		if err != nil {
			return nil, err
		}
		if delegation != "" {
			ds = slices.DeleteFunc(ds, func(d model.Deputy) bool { return d.Delegation != delegation })
		}
		var active []model.Deputy
		for _, d := range ds {
			if d.Status != model.StatusEnded {
				active = append(active, d)
			}
		}
		switch {
		case len(ds) == 0:
			bad(ref, "不是代表名册中的代表，不能附议。请核对姓名")
		case len(ds) == 1 && ds[0].ID == author.ID:
			bad(ref, "是您本人：领衔代表不能附议自己的建议")
		case len(active) == 0:
			bad(ref, "代表资格已终止，不能附议")
		case len(active) > 1:
			var dels []string
			for _, d := range active {
				dels = append(dels, orNoDelegation(d.Delegation))
			}
			bad(ref, fmt.Sprintf("有 %d 位同名代表（%s），请写成“%s（代表团）”", len(active), strings.Join(dels, "、"), name))
		case active[0].ID == author.ID:
			bad(ref, "是您本人：领衔代表不能附议自己的建议")
		default:
			if !slices.Contains(ids, active[0].ID) {
				ids = append(ids, active[0].ID)
			}
		}
	}
	if len(ids) > MaxCosigners {
		bad("", fmt.Sprintf("最多邀请 %d 位代表附议", MaxCosigners))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return ids, nil
}

// checkDraft validates in for by; complete requires every field, as a
// submission does (a draft may be saved unfinished, with its title).
func (s *Suggestions) checkDraft(ctx context.Context, author model.Deputy, in *SuggestionDraft, complete bool) ([]int64, error) {
	var errs ValidationError
	in.Title = checkText(&errs, "title", "标题", in.Title, MaxSuggestionTitle, true)
	in.Content = checkText(&errs, "content", "建议内容", in.Content, MaxSuggestionContent, complete)
	in.Category = strings.TrimSpace(in.Category)
	switch {
	case in.Category == "" && complete:
		errs = append(errs, &FieldError{Key: "category", Label: "类别", Msg: "请选择类别"})
	case in.Category != "" && !slices.Contains(model.SuggestionCategories, in.Category):
		errs = append(errs, &FieldError{Key: "category", Label: "类别", Value: in.Category,
			Msg: "应为 " + strings.Join(model.SuggestionCategories, "、") + " 之一"})
	}
	if len(in.Files) > MaxSuggestionFiles {
		errs = append(errs, &FieldError{Key: "files", Label: "附件", Msg: fmt.Sprintf("最多 %d 个附件", MaxSuggestionFiles)})
	}
	ids, err := s.ResolveCosigners(ctx, author, in.Cosigners)
	if verr, ok := Fields(err); ok {
		errs = append(errs, verr...)
	} else if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return ids, nil
}

// authorOf refuses an actor who is no deputy, and a deputy whose term has
// ended (their drafts are kept, but nothing more is sent).
func authorOf(by Actor) (model.Deputy, error) {
	if by.Deputy.ID == 0 {
		return model.Deputy{}, Forbidden("只有代表本人可以提出建议")
	}
	if by.Deputy.Status == model.StatusEnded {
		return model.Deputy{}, Forbidden("您的代表资格已终止，不能再提交建议或附议；已保存的草稿仍然保留。如有疑问，请联系人大常委会代表工作机构。")
	}
	return by.Deputy, nil
}

// own returns the deputy's own suggestion id, refusing another's and one
// they may no longer edit.
func (s *Suggestions) own(ctx context.Context, author model.Deputy, id int64) (model.Suggestion, error) {
	sg, err := s.db.GetSuggestion(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && (sg.LeadDeputyID != author.ID || sg.Source != model.SourceDeputy)) {
		return model.Suggestion{}, NotFound("没有找到这条建议草稿。")
	}
	if err != nil {
		return sg, err
	}
	if !model.Editable(sg.Status) {
		return sg, Conflict("这条建议%s，不能再修改。", SuggestionStageLabel(sg.Status))
	}
	return sg, nil
}

// write stores in as the author's draft (new, or changes to their own),
// inside the caller's transaction.
func (s *Suggestions) write(ctx context.Context, author model.Deputy, in SuggestionDraft, cosigners []int64) (model.Suggestion, error) {
	sg := model.Suggestion{ID: in.ID, Title: in.Title, Summary: in.Content, Category: in.Category, LeadDeputyID: author.ID}
	files := in.Files
	if in.ID == 0 {
		return sg, s.db.CreateSuggestionDraft(ctx, &sg, cosigners, files)
	}
	cur, err := s.own(ctx, author, in.ID)
	if err != nil {
		return sg, err
	}
	if files == nil {
		attached, err := s.db.SuggestionFiles(ctx, in.ID)
		if err != nil {
			return sg, err
		}
		for _, f := range attached {
			files = append(files, f.ID)
		}
	}
	sg.Number, sg.Status, sg.Source = cur.Number, cur.Status, cur.Source
	err = s.db.UpdateSuggestionDraft(ctx, &sg, cosigners, files)
	if errors.Is(err, model.ErrConflict) {
		return sg, Conflict("这条建议刚刚已提交或被处理，不能再修改。")
	}
	return sg, err
}

// SaveDraftAs keeps the deputy's suggestion as a draft (a new one when
// in.ID is 0): only the title is required. Terminated deputies keep
// their drafts but may not write more.
func (s *Suggestions) SaveDraftAs(ctx context.Context, by Actor, in SuggestionDraft) (model.Suggestion, error) {
	author, err := authorOf(by)
	if err != nil {
		return model.Suggestion{}, err
	}
	cosigners, err := s.checkDraft(ctx, author, &in, false)
	if err != nil {
		return model.Suggestion{}, err
	}
	var out model.Suggestion
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if out, err = s.write(ctx, author, in, cosigners); err != nil {
			return err
		}
		return s.env.audit(ctx, by, "suggestion.draft", suggestionObject(out.ID), fmt.Sprintf("保存建议草稿 %s", out.Number))
	})
	return out, err
}

// SubmitAs writes the deputy's suggestion (new, a draft, or one returned
// to them) and submits it for staff review, in one transaction: every
// field is required; each co-signer not yet confirmed is asked in the
// chat (an invitation with a pending ask); the history records the
// submission.
func (s *Suggestions) SubmitAs(ctx context.Context, by Actor, in SuggestionDraft) (model.Suggestion, error) {
	author, err := authorOf(by)
	if err != nil {
		return model.Suggestion{}, err
	}
	cosigners, err := s.checkDraft(ctx, author, &in, true)
	if err != nil {
		return model.Suggestion{}, err
	}
	var out model.Suggestion
	err = s.env.tx(ctx, func(ctx context.Context) error {
		sg, err := s.write(ctx, author, in, cosigners)
		if err != nil {
			return err
		}
		invited, err := s.db.ReviewSuggestion(ctx, storage.ReviewChange{ID: sg.ID,
			From: []string{model.SuggestionDraft, model.SuggestionReturned}, To: model.SuggestionSubmitted,
			Submitted: true, InviteCosign: true,
			Step: model.SuggestionStep{Kind: model.StepSubmitted, Actor: author.Name}})
		if errors.Is(err, model.ErrConflict) {
			return Conflict("这条建议刚刚已提交或被处理。")
		}
		if err != nil {
			return err
		}
		if len(invited) > 0 {
			source := fmt.Sprintf("cosign%d.%d", sg.ID, s.Now().UnixNano())
			if err := s.db.Enqueue(ctx, source, cosignInvitation(author, sg, invited)); err != nil {
				return err
			}
		}
		if out, err = s.db.GetSuggestion(ctx, sg.ID); err != nil {
			return err
		}
		summary := fmt.Sprintf("提交建议 %s 待审查", out.Number)
		if len(invited) > 0 {
			summary += fmt.Sprintf("，邀请 %d 位代表附议", len(invited))
		}
		return s.env.audit(ctx, by, "suggestion.submit", suggestionObject(out.ID), summary)
	})
	return out, err
}

func suggestionObject(id int64) string { return "suggestion/" + strconv.FormatInt(id, 10) }

// cosignInvitation asks each invited deputy to co-sign; the pending ask
// takes their one reply (同意 / 不同意).
func cosignInvitation(author model.Deputy, sg model.Suggestion, invited []int64) model.Push {
	body := fmt.Sprintf("%s代表邀请您附议建议《%s》（%s，%s）。\n%s\n\n同意附议请回复“同意”，不附议请回复“不同意”。",
		author.Name, sg.Title, sg.Number, sg.Category, Excerpt(sg.Summary, 300))
	return model.Push{DeputyIDs: invited,
		Notice: model.Notice{Kind: model.KindCosign, Title: "附议邀请：" + author.Name + "代表的建议", Body: body,
			Fields: map[string]string{"number": sg.Number, "title": sg.Title, "name": author.Name}},
		Ask: &model.Ask{Flow: FlowCosign, RefID: sg.ID, Title: "附议邀请：《" + sg.Title + "》"}}
}

// CosignAs records the answer of a deputy asked to co-sign: agree makes
// them a seconder (附议) once staff accept the suggestion. The author is
// told. A deputy not asked, or asked and already answered, is refused.
func (s *Suggestions) CosignAs(ctx context.Context, by Actor, id int64, agree bool) (model.Suggestion, error) {
	d, err := authorOf(by)
	if err != nil {
		return model.Suggestion{}, err
	}
	sg, err := s.db.GetSuggestion(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return sg, NotFound("没有找到这条建议。")
	}
	if err != nil {
		return sg, err
	}
	if sg.Status != model.SuggestionSubmitted {
		return sg, Conflict("建议《%s》%s，附议邀请已结束。", sg.Title, SuggestionStageLabel(sg.Status))
	}
	state, word := model.CosignDeclined, "不附议"
	if agree {
		state, word = model.CosignConfirmed, "同意附议"
	}
	tell := model.Push{DeputyIDs: []int64{sg.LeadDeputyID}, Notice: model.Notice{Kind: model.KindProgress,
		Title: d.Name + "代表" + word, Body: fmt.Sprintf("%s代表%s您的建议《%s》（%s）。", d.Name, word, sg.Title, sg.Number),
		Fields: progressFields(sg, word, s.Now()), RefKind: "suggestion", RefID: sg.ID}}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		err := s.db.AnswerCosign(ctx, id, d.ID, state, s.Now(), tell)
		switch {
		case errors.Is(err, model.ErrNotFound):
			return NotFound("您没有被邀请附议这条建议。")
		case errors.Is(err, model.ErrConflict):
			return Conflict("您已经回复过这条附议邀请。")
		case err != nil:
			return err
		}
		return s.env.audit(ctx, by, "suggestion.cosign", suggestionObject(sg.ID), fmt.Sprintf("%s 建议 %s", word, sg.Number))
	})
	return sg, err
}

func progressFields(sg model.Suggestion, status string, now time.Time) map[string]string {
	return map[string]string{"number": sg.Number, "unit": sg.HostUnit, "status": status, "time": now.Format("2006-01-02")}
}

// MineWithDrafts is what 我的建议 shows the acting deputy: the
// suggestions they are on (OfDeputy's list) and how many of their own are
// not handled yet (DraftsOf's count), read together.
func (s *Suggestions) MineWithDrafts(ctx context.Context, by Actor) ([]model.DeputySuggestion, int, error) {
	if by.Deputy.ID == 0 {
		return nil, 0, Forbidden("只有代表本人可以查看建议草稿")
	}
	return s.db.SuggestionsOfDeputyAndDrafts(ctx, by.Deputy.ID)
}

// DraftsOf lists the deputy's own suggestions not handled yet (drafts,
// submitted, returned), the latest changed first.
func (s *Suggestions) DraftsOf(ctx context.Context, by Actor) ([]model.Suggestion, error) {
	if by.Deputy.ID == 0 {
		return nil, Forbidden("只有代表本人可以查看建议草稿")
	}
	return s.db.SuggestionsByAuthor(ctx, by.Deputy.ID)
}

// SubmissionAs returns a deputy's suggestion with its co-signers and
// files: to its author (any status), or to staff once it is submitted
// (a draft stays the deputy's own).
func (s *Suggestions) SubmissionAs(ctx context.Context, by Actor, id int64) (model.SuggestionSubmission, error) {
	var out model.SuggestionSubmission
	sg, err := s.db.GetSuggestion(ctx, id)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return out, NotFound("没有找到这条建议。")
	case err != nil:
		return out, err
	case by.Deputy.ID != 0:
		if sg.LeadDeputyID != by.Deputy.ID {
			return out, NotFound("没有找到这条建议。")
		}
	default:
		if err := by.Require(Everyone...); err != nil {
			return out, err
		}
		if sg.Status == model.SuggestionDraft || !sees(by, sg) {
			return out, NotFound("没有找到这条建议。")
		}
	}
	out.Suggestion = sg
	for _, d := range sg.Deputies {
		if d.Role == model.RoleLead {
			out.AuthorName = d.Name
		}
	}
	if out.Cosigners, err = s.db.SuggestionCosigners(ctx, id); err != nil {
		return out, err
	}
	out.Files, err = s.db.SuggestionFiles(ctx, id)
	return out, err
}

// AttachAs stores a file the deputy sends (a photo in the chat, an
// upload on the H5 form) with their editable suggestion: the same types
// and size as every upload (see Files.Upload).
func (s *Suggestions) AttachAs(ctx context.Context, by Actor, id int64, name string, r io.Reader) (model.File, error) {
	author, err := authorOf(by)
	if err != nil {
		return model.File{}, err
	}
	if _, err := s.own(ctx, author, id); err != nil {
		return model.File{}, err
	}
	attached, err := s.db.SuggestionFiles(ctx, id)
	if err != nil {
		return model.File{}, err
	}
	if len(attached) >= MaxSuggestionFiles {
		return model.File{}, &FieldError{Key: "file", Label: "附件", Msg: fmt.Sprintf("最多 %d 个附件", MaxSuggestionFiles)}
	}
	f, data, err := readUpload(by, name, r)
	if err != nil {
		return model.File{}, err
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateFile(ctx, &f, data); err != nil {
			return err
		}
		err := s.db.AttachSuggestionFile(ctx, id, f.ID)
		if errors.Is(err, model.ErrConflict) {
			return Conflict("这条建议已提交或被处理，不能再添加附件。")
		}
		if err != nil {
			return err
		}
		return s.env.audit(ctx, by, "suggestion.attach", suggestionObject(id), fmt.Sprintf("为建议添加附件“%s”（%s，%s）",
			f.Name, model.FileTypeLabel(f.ContentType), f.SizeText()))
	})
	return f, err
}

// ReviewAs decides on a submitted suggestion (staff): accept and assign
// it to its units (r.Units: the host unit, then co-handling units),
// return it to the deputy with r.Reason, or merge it into suggestion
// r.Into. The deputy is told in the same transaction; an accepted
// suggestion takes its confirmed co-signers as seconders and its handling
// begins; a merged one adds its author and confirmed co-signers to the
// suggestion it joins as seconders.
func (s *Suggestions) ReviewAs(ctx context.Context, by Actor, id int64, r ReviewAction) (model.Suggestion, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Suggestion{}, err
	}
	sg, err := s.db.GetSuggestion(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && sg.Status == model.SuggestionDraft) {
		return model.Suggestion{}, NotFound("没有找到这条建议。")
	}
	if err != nil {
		return sg, err
	}
	if sg.Status != model.SuggestionSubmitted {
		return sg, Conflict("建议 %s %s，只能审查待审查的建议。", sg.Number, SuggestionStageLabel(sg.Status))
	}
	cosigners, err := s.db.SuggestionCosigners(ctx, id)
	if err != nil {
		return sg, err
	}
	var confirmed []int64
	for _, c := range cosigners {
		if c.State == model.CosignConfirmed {
			confirmed = append(confirmed, c.DeputyID)
		}
	}
	var summary string
	err = s.env.tx(ctx, func(ctx context.Context) error {
		switch strings.TrimSpace(r.Action) {
		case ReviewAccept:
			host, co, err := checkUnits(r.Units)
			if err != nil {
				return err
			}
			if err := s.assign(ctx, sg, host, co, confirmed); err != nil {
				return err
			}
			summary = fmt.Sprintf("建议 %s 审查通过，交办 主办 %s", sg.Number, host)
			if len(co) > 0 {
				summary += "，协办 " + strings.Join(co, "、")
			}
		case ReviewReturn:
			var errs ValidationError
			reason := checkText(&errs, "reason", "退回理由", r.Reason, maxReviewReason, true)
			if len(errs) > 0 {
				return errs
			}
			body := fmt.Sprintf("《%s》\n退回理由：%s\n请修改后重新提交：在对话框回复“提建议”即可修改。", sg.Title, reason)
			if err := s.review(ctx, storage.ReviewChange{ID: id, To: model.SuggestionReturned, Note: reason,
				Step:   model.SuggestionStep{Kind: model.StepReturned, Actor: by.handle(), Note: reason},
				Pushes: []model.Push{s.tell(sg, []int64{sg.LeadDeputyID}, "已退回", body)}}); err != nil {
				return err
			}
			summary = fmt.Sprintf("建议 %s 退回代表修改", sg.Number)
		case ReviewMerge:
			into, err := s.mergeTarget(ctx, sg, r.Into)
			if err != nil {
				return err
			}
			deputies := append([]int64{sg.LeadDeputyID}, confirmed...)
			body := fmt.Sprintf("《%s》已并入 %s《%s》一并办理，您和附议代表将作为附议代表收到其办理进展和满意度测评。",
				sg.Title, into.Number, into.Title)
			tell := s.tell(sg, deputies, "已并案", body)
			tell.Notice.RefID = into.ID
			if err := s.review(ctx, storage.ReviewChange{ID: id, To: model.SuggestionMerged, Merged: into.ID,
				Seconders: deputies, SecondersTo: into.ID,
				Step:   model.SuggestionStep{Kind: model.StepMerged, Actor: by.handle(), Note: "并入 " + into.Number},
				Pushes: []model.Push{tell}}); err != nil {
				return err
			}
			summary = fmt.Sprintf("建议 %s 并入 %s", sg.Number, into.Number)
		default:
			return &FieldError{Key: "action", Label: "审查结果", Value: r.Action, Msg: "应为 accept（交办）、return（退回）或 merge（并案）"}
		}
		return s.env.audit(ctx, by, "suggestion.review", suggestionObject(id), summary)
	})
	if err != nil {
		return model.Suggestion{}, err
	}
	return s.db.GetSuggestion(ctx, id)
}

// review applies one review change to a submitted suggestion.
func (s *Suggestions) review(ctx context.Context, c storage.ReviewChange) error {
	c.From = []string{model.SuggestionSubmitted}
	_, err := s.db.ReviewSuggestion(ctx, c)
	if errors.Is(err, model.ErrConflict) {
		return Conflict("这条建议刚刚已被他人审查，请刷新后查看。")
	}
	return err
}

// tell is the progress notice a review step sends the deputies.
func (s *Suggestions) tell(sg model.Suggestion, deputies []int64, status, body string) model.Push {
	return model.Push{DeputyIDs: deputies, Notice: model.Notice{Kind: model.KindProgress,
		Title: sg.Number + "建议" + status, Body: body, Fields: progressFields(sg, status, s.Now()),
		RefKind: "suggestion", RefID: sg.ID}}
}

// assign is the one place a submitted suggestion is assigned (交办) to
// its handling units: host (主办) and co (协办). It runs inside the
// reviewing action's transaction: the suggestion becomes assigned with an
// 'assigned' step, its confirmed co-signers join it as seconders, and its
// deputies are told, and so are the units' bound staff (assigned).
func (s *Suggestions) assign(ctx context.Context, sg model.Suggestion, host string, co []string, seconders []int64) error {
	sg.HostUnit = host
	units := "主办单位：" + host
	if len(co) > 0 {
		units += "；协办单位：" + strings.Join(co, "、")
	}
	deputies := append([]int64{sg.LeadDeputyID}, seconders...)
	body := fmt.Sprintf("《%s》已审查通过并交办。\n%s\n办理进展将推送给您。", sg.Title, units)
	if err := s.review(ctx, storage.ReviewChange{ID: sg.ID, To: model.SuggestionAssigned,
		HostUnit: host, CoUnits: strings.Join(co, "、"), Seconders: seconders,
		Step:   model.SuggestionStep{Kind: model.StepAssigned, Note: host},
		Pushes: []model.Push{s.tell(sg, deputies, "已交办", body)}}); err != nil {
		return err
	}
	now, err := s.db.GetSuggestion(ctx, sg.ID)
	if err != nil {
		return err
	}
	return s.assigned(ctx, nil, now)
}

// checkUnits reads the units of an acceptance: at least one, the first
// the host unit, no repeats.
func checkUnits(units []string) (string, []string, error) {
	var out []string
	for _, u := range units {
		for _, part := range SplitUnits(u) {
			if !utf8.ValidString(part) || utf8.RuneCountInString(part) > maxUnitName {
				return "", nil, &FieldError{Key: "units", Label: "承办单位", Msg: fmt.Sprintf("单位名称最多 %d 字", maxUnitName)}
			}
			if !slices.Contains(out, part) {
				out = append(out, part)
			}
		}
	}
	switch {
	case len(out) == 0:
		return "", nil, &FieldError{Key: "units", Label: "承办单位", Msg: "请至少填写一个承办单位（第一个为主办单位）"}
	case len(out) > maxReviewUnits:
		return "", nil, &FieldError{Key: "units", Label: "承办单位", Msg: fmt.Sprintf("最多 %d 个承办单位", maxReviewUnits)}
	}
	return out[0], out[1:], nil
}

// mergeTarget checks the suggestion a submitted one is merged into: it
// exists, is another, and is being handled.
func (s *Suggestions) mergeTarget(ctx context.Context, sg model.Suggestion, into int64) (model.Suggestion, error) {
	bad := func(msg string) error {
		return &FieldError{Key: "into", Label: "并入建议", Value: strconv.FormatInt(into, 10), Msg: msg}
	}
	if into <= 0 {
		return model.Suggestion{}, bad("请选择要并入的建议")
	}
	if into == sg.ID {
		return model.Suggestion{}, bad("不能并入建议本身")
	}
	t, err := s.db.GetSuggestion(ctx, into)
	if errors.Is(err, model.ErrNotFound) {
		return t, bad("不存在")
	}
	if err != nil {
		return t, err
	}
	if model.BeforeHandling(t.Status) {
		return t, bad("尚未交办：只能并入已交办的建议")
	}
	return t, nil
}
