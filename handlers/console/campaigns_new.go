package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// campaignComposeView is the compose page: the form as typed, the message
// beside each field at fault, and after a preview the count and what the
// deputy will see.
type campaignComposeView struct {
	Form        campaignForm
	Errors      fieldErrors
	Kinds       []option
	Delegations []string
	Tags        []string
	Count       *core.AudienceCount
	Preview     *campaignNoticePreview
	Meeting     *model.Meeting // when the audience is a meeting's invitees
	MyWeChat    bool           // the signed-in account has its WeChat bound
	Sent        string         // a test just sent to the account's own WeChat
}

// campaignNoticePreview is a notice as the deputy sees it: the template
// message on the phone, then the detail page it opens.
type campaignNoticePreview struct {
	Title, Body, Link string
	Phone             core.PhonePreview
}

func (s *server) renderCampaignCompose(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v campaignComposeView) error {
	var err error
	if v.Delegations, v.Tags, err = s.core.Campaigns.AudienceChoices(r.Context(), by); err != nil {
		return err
	}
	v.Kinds = campaignKinds()
	if st, err := s.core.Staff.WeChatAs(r.Context(), by, by.Account.ID); err == nil {
		v.MyWeChat = st.Bound()
	}
	if v.Form.TestTo == "" {
		v.Form.TestTo = "deputy"
		if v.MyWeChat {
			v.Form.TestTo = "me"
		}
	}
	if id := v.Form.Aud.MeetingID; id > 0 {
		if m, err := s.core.Meetings.Get(r.Context(), by, id); err == nil {
			v.Meeting = &m
		}
	}
	s.render(w, r, status, "campaign_form", page{Title: "撰写通知", Nav: "campaigns", Me: by.Account, Data: v})
	return nil
}

// campaignNew shows an empty compose form, or one to a meeting's invitees
// (?meeting=).
func campaignNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f := campaignForm{Kind: model.KindGeneral, When: "now", SendAt: s.defaultSendAt()}
	if id, err := strconv.ParseInt(r.URL.Query().Get("meeting"), 10, 64); err == nil && id > 0 {
		m, err := s.core.Meetings.Get(r.Context(), by, id)
		if err != nil {
			return err
		}
		f.Aud.MeetingID, f.Title = m.ID, m.Title
	}
	return s.renderCampaignCompose(w, r, by, http.StatusOK, campaignComposeView{Form: f})
}

// campaignCreate previews, sends a test, or creates the campaign,
// depending on the button pressed.
func campaignCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := parseCampaignForm(r.PostForm)
	v := campaignComposeView{Form: f}
	in, err := f.input()
	action := oneOf(r.PostFormValue("action"), "preview", "test", "send")
	if action == "test" {
		return s.campaignTest(w, r, by, v, in)
	}
	if err != nil {
		// Show the form's other problems beside the unreadable ids.
		_, more := s.core.Campaigns.Preview(r.Context(), by, in)
		err = withFieldErrors(err, more)
	}
	switch action {
	case "send":
		if err == nil {
			var c core.CampaignDetail
			if c, err = s.core.Campaigns.Create(r.Context(), by, in); err == nil {
				when := "立即发送"
				if in.Scheduled {
					when = "定时于 " + s.fmtTime(c.SendAt) + " 发送"
				}
				s.flash(r, "通知已创建，"+when+"。")
				http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", c.ID), http.StatusSeeOther)
				return nil
			}
		}
	default:
		var p core.CampaignPreview
		if err == nil {
			p, err = s.core.Campaigns.Preview(r.Context(), by, in)
		}
		if p.Notice.Title != "" {
			v.Preview = &campaignNoticePreview{Title: p.Notice.Title, Body: p.Notice.Body, Link: p.Notice.Link, Phone: p.Phone}
		}
		if err == nil {
			v.Count = p.Count
			return s.renderCampaignCompose(w, r, by, http.StatusOK, v)
		}
	}
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderCampaignCompose(w, r, by, http.StatusUnprocessableEntity, v)
	}
	return err
}

// withFieldErrors adds the field errors of more to those of err, the
// field err names first; any other error of more wins.
func withFieldErrors(err, more error) error {
	have, _ := core.Fields(err)
	extra, ok := core.Fields(more)
	if !ok {
		if more != nil {
			return more
		}
		return err
	}
	out := slices.Clone(have)
	for _, e := range extra {
		if !slices.ContainsFunc(have, func(h *core.FieldError) bool { return h.Key == e.Key }) {
			out = append(out, e)
		}
	}
	return out
}

// campaignTest sends the notice now, as a test, to the signed-in account's
// own WeChat or to the deputy named.
func (s *server) campaignTest(w http.ResponseWriter, r *http.Request, by core.Actor, v campaignComposeView, in core.CampaignInput) error {
	to := core.TestRecipient{Me: v.Form.TestTo == "me", Deputy: v.Form.TestDeputy}
	sent, err := s.core.Campaigns.Test(r.Context(), by, in, to)
	if fe, ok := fieldErrorsOf(err); ok {
		v.Errors = fe
		return s.renderCampaignCompose(w, r, by, http.StatusUnprocessableEntity, v)
	} else if err != nil {
		return err
	}
	if sent.ID == 0 {
		v.Sent = "测试通知已发往" + sent.To + "的微信，请在手机上查看。"
		return s.renderCampaignCompose(w, r, by, http.StatusOK, v)
	}
	s.flash(r, fmt.Sprintf("测试通知已发给代表 %s，可在下方查看送达情况。", sent.To))
	http.Redirect(w, r, fmt.Sprintf("/admin/campaigns/%d", sent.ID), http.StatusSeeOther)
	return nil
}

// audienceCount answers the compose and invite pages' live count with
// JSON: the audience builder's fields in the query.
func audienceCount(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	a, err := parseCampaignAudienceForm(r.URL.Query()).audience()
	var c core.AudienceCount
	if err == nil {
		c, err = s.core.Campaigns.CountAudience(r.Context(), by, a)
	}
	if verr, ok := core.Fields(err); ok {
		msgs := make([]string, len(verr))
		for i, e := range verr {
			msgs[i] = e.Msg
		}
		httpkit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": strings.Join(msgs, "；")})
		return nil
	} else if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"total": c.Total, "reachable": c.Reachable,
		"unreachable": c.Unreachable, "text": c.Text(), "confirm": c.ConfirmText()})
	return nil
}
