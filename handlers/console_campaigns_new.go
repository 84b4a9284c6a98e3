package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/campaigns/new", editors, campaignNew)
	consoleRoute(http.MethodPost, "/admin/campaigns", editors, campaignCreate)
}

// campaignComposeView is the compose page: the form as typed, the message
// beside each field at fault, and after a preview the count and what the
// deputy will see.
type campaignComposeView struct {
	Form        campaignForm
	Errors      fieldErrors
	Kinds       []campaignOption
	Delegations []string
	Tags        []string
	Count       *campaignAudienceCount
	Preview     *campaignNoticePreview
	Meeting     *model.Meeting // when the audience is a meeting's invitees
}

// campaignNoticePreview is a notice as the deputy sees it: the template message on
// the phone, then the detail page it opens.
type campaignNoticePreview struct {
	Title, Body, Link string
	Phone             campaignPhonePreview
}

// campaignAudienceChoices fills the builder's lists: delegations and tags.
func (s *server) campaignAudienceChoices(r *http.Request) (dels, tags []string, err error) {
	ds, err := s.d.DB.ListDelegations(r.Context())
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		dels = append(dels, d.Name)
	}
	tags, err = s.d.DB.ListTags(r.Context())
	return dels, tags, err
}

func (s *server) renderCampaignCompose(w http.ResponseWriter, r *http.Request, me model.Account, status int, v campaignComposeView) error {
	var err error
	if v.Delegations, v.Tags, err = s.campaignAudienceChoices(r); err != nil {
		return err
	}
	v.Kinds = campaignNoticeKinds()
	if id := v.Form.Aud.MeetingID; id > 0 {
		if m, err := s.d.DB.GetMeeting(r.Context(), id); err == nil {
			v.Meeting = &m
		}
	}
	s.render(w, r, status, "campaign_form", page{Title: "撰写通知", Nav: "campaigns", Me: me, Data: v})
	return nil
}

func campaignNew(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	f := campaignForm{Kind: "general_notice", When: "now",
		SendAt: s.d.Now().In(s.d.Loc).Add(time.Hour).Truncate(time.Hour).Format("2006-01-02T15:04")}
	if id, err := strconv.ParseInt(r.URL.Query().Get("meeting"), 10, 64); err == nil && id > 0 {
		m, err := s.d.DB.GetMeeting(r.Context(), id)
		if err != nil {
			return err
		}
		f.Aud.MeetingID, f.Title = m.ID, m.Title
	}
	return s.renderCampaignCompose(w, r, me, http.StatusOK, campaignComposeView{Form: f})
}

// campaignCreate previews, sends a test, or creates the campaign,
// depending on the button pressed.
func campaignCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	if !parseSmallForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	ctx := r.Context()
	f := parseCampaignForm(r.PostForm)
	in, a, errs := f.input(s.d.Loc)
	action := oneOf(r.PostFormValue("action"), "preview", "test", "send")
	v := campaignComposeView{Form: f}
	if action == "test" {
		return s.sendCampaignTest(w, r, me, v, in)
	}
	aerrs, err := s.checkCampaignAudience(ctx, a)
	if err != nil {
		return err
	}
	errs = append(append(errs, in.check(s.d.Now())...), aerrs...)
	if action == "" || action == "preview" {
		return s.showCampaignPreview(w, r, me, v, in, a, errs)
	}
	var c model.Campaign
	var n model.Notice
	err = errs
	if len(errs) == 0 {
		c, n, err = s.createCampaign(ctx, me, in, a, false)
	}
	if fe, ok := campaignErrors(err); ok {
		v.Errors = fe
		return s.renderCampaignCompose(w, r, me, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	when := "立即发送"
	if !in.SendAt.IsZero() {
		when = "定时于 " + s.fmtTime(c.SendAt) + " 发送"
	}
	s.audit(r, me, "campaign.create", campaignObject(c.ID), fmt.Sprintf("通知“%s”（%s），对象：%s，%s",
		n.Title, noticeKindLabelOf(n.Kind), campaignAudienceSummary(a), when))
	s.flash(r, "通知已创建，"+when+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", c.ID), http.StatusSeeOther)
	return nil
}

// showCampaignPreview renders the form with the count and what the phone shows.
func (s *server) showCampaignPreview(w http.ResponseWriter, r *http.Request, me model.Account, v campaignComposeView,
	in campaignNoticeInput, a model.Audience, errs core.ValidationError) error {
	status := http.StatusOK
	if len(errs) > 0 {
		v.Errors, _ = campaignErrors(errs)
		status = http.StatusUnprocessableEntity
	} else {
		c, err := s.countCampaignAudience(r.Context(), a)
		if err != nil {
			return err
		}
		v.Count = &c
	}
	if in.Title != "" {
		n := in.notice(me, s.d.Loc, s.d.Now())
		v.Preview = &campaignNoticePreview{Title: n.Title, Body: n.Body, Link: n.Link, Phone: s.previewCampaignTemplate(n)}
	}
	return s.renderCampaignCompose(w, r, me, status, v)
}

// sendCampaignTest sends the notice now to one deputy, as a test: staff accounts
// have no WeChat of their own, so staff pick a deputy record (their own,
// or a colleague's test record) to receive it.
func (s *server) sendCampaignTest(w http.ResponseWriter, r *http.Request, me model.Account, v campaignComposeView, in campaignNoticeInput) error {
	in.SendAt = time.Time{}
	var errs core.ValidationError
	id, err := strconv.ParseInt(strings.TrimSpace(v.Form.TestDeputy), 10, 64)
	if err != nil || id <= 0 {
		errs = append(errs, &core.FieldError{Key: "test_deputy", Label: "测试代表", Value: v.Form.TestDeputy, Msg: "请填写接收测试的代表编号"})
	}
	var c model.Campaign
	var n model.Notice
	err = error(errs)
	if len(errs) == 0 {
		c, n, err = s.createCampaign(r.Context(), me, in, model.Audience{DeputyIDs: []int64{id}}, true)
	}
	if fe, ok := campaignErrors(err); ok {
		if msg, bad := fe["deputy_ids"]; bad {
			fe["test_deputy"] = msg
			delete(fe, "deputy_ids")
		}
		v.Errors = fe
		return s.renderCampaignCompose(w, r, me, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	s.audit(r, me, "campaign.test", campaignObject(c.ID), fmt.Sprintf("测试通知“%s”发给代表 #%d", n.Title, id))
	s.flash(r, fmt.Sprintf("测试通知已发给代表 #%d，可在下方查看送达情况。", id))
	http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", c.ID), http.StatusSeeOther)
	return nil
}

func noticeKindLabelOf(kind string) string { return orDefault(noticeKindLabel(kind), kind) }
