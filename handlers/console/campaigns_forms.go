package console

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// What the campaign pages share: the compose form as typed and the lines
// of the lists.

// campaignsPageSize is the length of a page of campaigns and of deliveries.
const campaignsPageSize = 50

// campaignAudienceForm is the compose page's audience builder: the invite
// page's, and the invitees of a meeting.
type campaignAudienceForm struct {
	audienceForm
	MeetingID int64
}

func parseCampaignAudienceForm(v url.Values) campaignAudienceForm {
	f := campaignAudienceForm{audienceForm: parseAudienceForm(v)}
	f.MeetingID, _ = strconv.ParseInt(v.Get("meeting_id"), 10, 64)
	return f
}

func (f campaignAudienceForm) audience() (model.Audience, error) {
	a, err := f.audienceForm.audience()
	a.MeetingID = f.MeetingID
	return a, err
}

// campaignForm is the compose form as typed.
type campaignForm struct {
	Kind, Title, Body, Link string
	Urgent                  bool
	FieldTime, FieldNote    string // template keyword values
	When                    string // "now" or "later"
	SendAt                  string // 2006-01-02T15:04, local time
	TestTo                  string // "me" or "deputy"
	TestDeputy              string // a deputy's name or id
	Aud                     campaignAudienceForm
}

func parseCampaignForm(v url.Values) campaignForm {
	f := campaignForm{Kind: v.Get("kind"), Title: strings.TrimSpace(v.Get("title")), Body: strings.TrimSpace(v.Get("body")),
		Link: strings.TrimSpace(v.Get("link")), Urgent: v.Get("urgent") != "",
		FieldTime: strings.TrimSpace(v.Get("field_time")), FieldNote: strings.TrimSpace(v.Get("field_note")),
		When: oneOf(v.Get("when"), "now", "later"), SendAt: strings.TrimSpace(v.Get("send_at")),
		TestTo: oneOf(v.Get("test_to"), "me", "deputy"), TestDeputy: strings.TrimSpace(v.Get("test_deputy")), Aud: parseCampaignAudienceForm(v)}
	if f.When == "" {
		f.When = "now"
	}
	return f
}

// input is the form as core takes it; deputy ids that are not numbers are
// the one problem found here.
func (f campaignForm) input() (core.CampaignInput, error) {
	in := core.CampaignInput{Kind: f.Kind, Title: f.Title, Body: f.Body, Link: f.Link, Urgent: f.Urgent,
		Fields: map[string]string{"time": f.FieldTime, "note": f.FieldNote}}
	if f.When == "later" {
		in.Scheduled, in.SendAt = true, f.SendAt
	}
	var err error
	in.Audience, err = f.Aud.audience()
	return in, err
}

// campaignKinds lists the kinds staff choose from: the common ones first.
func campaignKinds() []option {
	var out []option
	for _, k := range core.NoticeKinds() {
		out = append(out, option{k, model.KindLabels[k]})
	}
	return out
}

// deliveryStateCount is the number of deliveries in one state.
type deliveryStateCount struct {
	State, Label string
	N            int
	Link         string
}

// deliveryCounts lists the non-zero counts in the dashboard's order.
func deliveryCounts(counts map[string]int, link func(state string) string) []deliveryStateCount {
	var out []deliveryStateCount
	for _, st := range model.DeliveryStates {
		if n := counts[st]; n > 0 {
			sc := deliveryStateCount{State: st, Label: core.DeliveryStatusLabel(st), N: n}
			if link != nil {
				sc.Link = link(st)
			}
			out = append(out, sc)
		}
	}
	return out
}

// defaultSendAt is the compose form's proposed time: the next full hour.
func (s *server) defaultSendAt() string {
	return s.core.Now().In(s.core.Location()).Add(time.Hour).Truncate(time.Hour).Format("2006-01-02T15:04")
}

// campaignCanPause and friends say which controls a campaign in a status offers.
func campaignCanPause(st string) bool {
	return st == model.CampaignScheduled || st == model.CampaignSending
}
func campaignCanResume(st string) bool { return st == model.CampaignPaused }
func campaignCanCancel(st string) bool { return campaignCanPause(st) || st == model.CampaignPaused }
