package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

type campaignPage struct {
	Total     int        `json:"total"`
	Page      int        `json:"page"`
	PerPage   int        `json:"per_page"`
	Campaigns []campaign `json:"campaigns"`
}

// campaignsList pages through campaigns, newest first; status filters.
func campaignsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 200)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(model.CampaignStates, status) {
		return badRequest("status 应为 scheduled、sending、paused、done 或 cancelled")
	}
	pg := pageOf(q)
	title := strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(title) > 100 {
		return badRequest("q 最多 100 个字")
	}
	cs, total, err := s.core.Campaigns.List(r.Context(), by, model.CampaignFilter{Status: status, Title: title,
		Tests: q.Get("tests") == "true", Limit: per, Offset: (pg - 1) * per})
	if err != nil {
		return err
	}
	out := campaignPage{Total: total, Page: pg, PerPage: per, Campaigns: []campaign{}}
	for _, c := range cs {
		a := campaignBase(c.Campaign, c.Counts)
		a.Kind, a.KindLabel, a.Title, a.Urgent, a.CreatedBy = c.Kind, orDefault(model.KindLabels[c.Kind], c.Kind), c.Title, c.Urgent, c.CreatedBy
		a.Test = core.IsTestTitle(c.Title)
		out.Campaigns = append(out.Campaigns, a)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// campaignGet is one campaign with its notice and counts.
func campaignGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	c, err := s.core.Campaigns.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, campaignOf(c))
	return nil
}

// campaignCreate stores a campaign: sent now, at send_at, or with test,
// now to one deputy and marked as a test.
func campaignCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var body campaignInput
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	in := body.input()
	var c core.CampaignDetail
	var err error
	switch {
	case body.Test && body.TestTo == "me":
		sent, err := s.core.Campaigns.Test(r.Context(), by, in, core.TestRecipient{Me: true})
		if err != nil {
			return err
		}
		httpkit.WriteJSON(w, http.StatusAccepted, map[string]any{"test": true, "to": sent.To, "title": sent.Notice.Title})
		return nil
	case body.Test:
		if len(in.Audience.DeputyIDs) != 1 {
			return &core.FieldError{Key: "test_deputy", Label: "测试代表", Msg: "发送测试时 audience.deputy_ids 应恰好包含一位代表，或 test_to 为 me"}
		}
		var sent core.TestSent
		sent, err = s.core.Campaigns.Test(r.Context(), by, in, core.TestRecipient{DeputyID: in.Audience.DeputyIDs[0]})
		c = sent.CampaignDetail
	default:
		c, err = s.core.Campaigns.Create(r.Context(), by, in)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/campaigns/%d", c.ID))
	httpkit.WriteJSON(w, http.StatusCreated, campaignOf(c))
	return nil
}

// audienceCount counts an audience before sending to it.
func audienceCount(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var a model.Audience
	if err := decodeJSON(w, r, &a); err != nil {
		return err
	}
	c, err := s.core.Campaigns.CountAudience(r.Context(), by, a)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"total": c.Total, "reachable": c.Reachable,
		"unreachable": c.Unreachable, "text": c.Text()})
	return nil
}

// campaignControl pauses, resumes or cancels a campaign and answers with
// it; a campaign in the wrong state is a 409.
func campaignControl(verb string) handlerFunc {
	return func(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
		id, err := httpkit.PathID(r)
		if err != nil {
			return err
		}
		switch verb {
		case "pause":
			_, err = s.core.Campaigns.Pause(r.Context(), by, id, "")
		case "resume":
			_, err = s.core.Campaigns.Resume(r.Context(), by, id)
		case "cancel":
			_, err = s.core.Campaigns.Cancel(r.Context(), by, id)
		}
		if err != nil {
			return err
		}
		c, err := s.core.Campaigns.Get(r.Context(), by, id)
		if err != nil {
			return err
		}
		httpkit.WriteJSON(w, http.StatusOK, campaignOf(c))
		return nil
	}
}

type deliveryPage struct {
	Total      *int       `json:"total,omitempty"` // left out when paging by after_id
	Page       int        `json:"page,omitempty"`
	PerPage    int        `json:"per_page"`
	NextAfter  int64      `json:"next_after_id,omitempty"`
	Deliveries []delivery `json:"deliveries"`
}

// campaignDeliveries pages through a campaign's deliveries by id:
// page/per_page, or after_id to read them all in order.
func campaignDeliveries(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 1000)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && !slices.Contains(model.DeliveryStates, status) {
		return badRequest("status 不是已知的推送状态")
	}
	f := model.CampaignDeliveryFilter{CampaignID: id, Status: status, Limit: per}
	pg := 0
	byID := q.Get("after_id") != ""
	if byID {
		if f.AfterID, err = strconv.ParseInt(q.Get("after_id"), 10, 64); err != nil || f.AfterID < 0 {
			return badRequest("after_id 应为非负整数")
		}
	} else {
		pg = pageOf(q)
		f.Offset = (pg - 1) * per
	}
	dls, total, err := s.core.Campaigns.Deliveries(r.Context(), by, f)
	if err != nil {
		return err
	}
	out := deliveryPage{Page: pg, PerPage: per, Deliveries: []delivery{}}
	if !byID {
		out.Total = &total
	}
	for _, d := range dls {
		out.Deliveries = append(out.Deliveries, deliveryOf(d))
	}
	if len(dls) == per {
		out.NextAfter = dls[len(dls)-1].ID
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// campaignDeliveriesExport downloads the campaign's deliveries (?status=)
// as Excel.
func campaignDeliveriesExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if !slices.Contains(model.DeliveryStates, status) {
		status = ""
	}
	f, err := s.core.Campaigns.ExportDeliveries(r.Context(), by, id, status)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

// campaignProgress is where the campaign's sending stands: counts by
// outcome, the rate and the time remaining.
func campaignProgress(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	p, err := s.core.Campaigns.Progress(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, p)
	return nil
}
