package handlers_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

type apiCampaignJSON struct {
	ID          int64          `json:"id"`
	Status      string         `json:"status"`
	Reason      string         `json:"reason"`
	Title       string         `json:"title"`
	Kind        string         `json:"kind"`
	Test        bool           `json:"test"`
	Counts      map[string]int `json:"counts"`
	Total       int            `json:"total"`
	AudienceSum string         `json:"audience_summary"`
	Audience    struct {
		DeputyIDs []int64 `json:"deputy_ids"`
	} `json:"audience"`
}

type apiMeetingJSON struct {
	ID          int64          `json:"id"`
	Title       string         `json:"title"`
	KindLabel   string         `json:"kind_label"`
	Invited     int            `json:"invited"`
	Counts      map[string]int `json:"counts"`
	Attended    int            `json:"attended"`
	Total       *int           `json:"invitations_total"`
	Invitations []struct {
		DeputyID int64  `json:"deputy_id"`
		Name     string `json:"name"`
		Status   string `json:"status"`
		Reason   string `json:"reason"`
		Attended *bool  `json:"attended"`
	} `json:"invitations"`
}

func TestTheCampaignAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ds := campaignDeputies(t, w)
		const jsonCT = "application/json"
		post := func(role, path, body string) result {
			return w.api(t, role, http.MethodPost, path, jsonCT, strings.NewReader(body))
		}

		t.Run("an invalid campaign gives 422 with the fields at fault", func(t *testing.T) {
			res := post(model.RoleStaff, "/api/v1/campaigns", `{"kind":"x","title":"","link":"ftp://a","audience":{"levels":["city"]}}`)
			e := decode[apiError](t, res)
			fields := map[string]bool{}
			for _, f := range e.Fields {
				fields[f.Field] = true
			}
			if res.status != http.StatusUnprocessableEntity || !fields["kind"] || !fields["title"] || !fields["link"] || !fields["levels"] {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res := post(model.RoleStaff, "/api/v1/campaigns", `{"kind":"general_notice","title":"通知"}`); res.status != http.StatusUnprocessableEntity ||
				!strings.Contains(res.body, `"field":"audience"`) {
				t.Fatalf("no audience: %d %s", res.status, res.body)
			}
			if res := post(model.RoleStaff, "/api/v1/campaigns", `{"kind":"general_notice","title":"通知","audience":{"all":true,"everyone":1}}`); res.status != http.StatusBadRequest {
				t.Fatalf("an unknown property: %d", res.status)
			}
		})

		res := post(model.RoleStaff, "/api/v1/audience/count", `{"delegations":["济南市代表团"]}`)
		if count := decode[struct{ Total, Reachable, Unreachable int }](t, res); res.status != http.StatusOK || count.Total != 3 || count.Reachable != 2 {
			t.Fatalf("audience count: %d %s", res.status, res.body)
		}
		if res := post(model.RoleStaff, "/api/v1/audience/count", `{}`); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("count of no one: %d", res.status)
		}

		res = post(model.RoleStaff, "/api/v1/campaigns", `{"kind":"general_notice","title":"全省代表学习班通知","body":"全文",
			"fields":{"note":"请准时参加"},"audience":{"delegations":["济南市代表团"]}}`)
		created := decode[apiCampaignJSON](t, res)
		if res.status != http.StatusCreated || created.ID == 0 || created.Status != model.CampaignScheduled ||
			res.header.Get("Location") != fmt.Sprintf("/api/v1/campaigns/%d", created.ID) {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		path := fmt.Sprintf("/api/v1/campaigns/%d", created.ID)
		expandCampaigns(t, w)

		res = w.api(t, model.RoleReadonly, http.MethodGet, path, "", nil)
		got := decode[apiCampaignJSON](t, res)
		if res.status != http.StatusOK || got.Status != model.CampaignSending || got.Total != 3 ||
			got.Counts[model.DeliveryQueued] != 2 || got.Counts[model.DeliverySkipped] != 1 {
			t.Fatalf("get: %d %s", res.status, res.body)
		}
		res = w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/campaigns?status=sending", "", nil)
		list := decode[struct {
			Total     int               `json:"total"`
			Campaigns []apiCampaignJSON `json:"campaigns"`
		}](t, res)
		if res.status != http.StatusOK || list.Total != 1 || list.Campaigns[0].Counts[model.DeliveryQueued] != 2 {
			t.Fatalf("list: %d %s", res.status, res.body)
		}

		t.Run("deliveries page by number and by id", func(t *testing.T) {
			type page struct {
				Total      *int  `json:"total"`
				NextAfter  int64 `json:"next_after_id"`
				Deliveries []struct {
					ID         int64  `json:"id"`
					DeputyName string `json:"deputy_name"`
					Status     string `json:"status"`
					Reason     string `json:"reason"`
				} `json:"deliveries"`
			}
			res := w.api(t, model.RoleReadonly, http.MethodGet, path+"/deliveries?status=skipped", "", nil)
			p := decode[page](t, res)
			if res.status != http.StatusOK || *p.Total != 1 || p.Deliveries[0].DeputyName != "赵敏" || p.Deliveries[0].Reason != "未绑定微信" {
				t.Fatalf("%d %s", res.status, res.body)
			}
			var names []string
			after := "0"
			for {
				res := w.api(t, model.RoleReadonly, http.MethodGet, path+"/deliveries?per_page=2&after_id="+after, "", nil)
				p := decode[page](t, res)
				for _, d := range p.Deliveries {
					names = append(names, d.DeputyName)
				}
				if p.NextAfter == 0 {
					break
				}
				after = strconv.FormatInt(p.NextAfter, 10)
			}
			if strings.Join(names, ",") != "王芳,李强,赵敏" {
				t.Fatalf("by id: %v", names)
			}
			if res := w.api(t, model.RoleReadonly, http.MethodGet, path+"/deliveries?status=lost", "", nil); res.status != http.StatusBadRequest {
				t.Fatalf("an unknown status: %d", res.status)
			}
			if res := w.api(t, model.RoleStaff, http.MethodGet, path+"/deliveries/export", "", nil); res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
				t.Fatalf("export: %d", res.status)
			}
		})

		t.Run("pause, resume and cancel", func(t *testing.T) {
			if res := post(model.RoleReadonly, path+"/pause", ""); res.status != http.StatusForbidden {
				t.Fatalf("read-only pause: %d", res.status)
			}
			res := post(model.RoleStaff, path+"/pause", "")
			if c := decode[apiCampaignJSON](t, res); res.status != http.StatusOK || c.Status != model.CampaignPaused || c.Counts[model.DeliveryHeld] != 2 {
				t.Fatalf("pause: %d %s", res.status, res.body)
			}
			if res := post(model.RoleStaff, path+"/pause", ""); res.status != http.StatusConflict {
				t.Fatalf("pause twice: %d", res.status)
			}
			if c := decode[apiCampaignJSON](t, post(model.RoleStaff, path+"/resume", "")); c.Status != model.CampaignSending {
				t.Fatalf("resume: %+v", c)
			}
			if c := decode[apiCampaignJSON](t, post(model.RoleStaff, path+"/cancel", "")); c.Status != model.CampaignCancelled || c.Counts[model.DeliveryCancelled] != 2 {
				t.Fatalf("cancel: %+v", c)
			}
			if res := post(model.RoleStaff, path+"/resume", ""); res.status != http.StatusConflict {
				t.Fatalf("resume a cancelled campaign: %d", res.status)
			}
			if res := post(model.RoleStaff, "/api/v1/campaigns/9999/pause", ""); res.status != http.StatusNotFound {
				t.Fatalf("a missing campaign: %d", res.status)
			}
		})

		t.Run("a test goes to one deputy", func(t *testing.T) {
			if res := post(model.RoleStaff, "/api/v1/campaigns", `{"kind":"general_notice","title":"测试","test":true,"audience":{"all":true}}`); res.status != http.StatusUnprocessableEntity {
				t.Fatalf("a test to everyone: %d %s", res.status, res.body)
			}
			res := post(model.RoleStaff, "/api/v1/campaigns", fmt.Sprintf(`{"kind":"general_notice","title":"会议通知","test":true,"audience":{"deputy_ids":[%d]}}`, ds[0].ID))
			c := decode[apiCampaignJSON](t, res)
			if res.status != http.StatusCreated || !c.Test || c.Title != "【测试】会议通知" || len(c.Audience.DeputyIDs) != 1 {
				t.Fatalf("%d %s", res.status, res.body)
			}
		})

		t.Run("a scheduled campaign waits for its time", func(t *testing.T) {
			at := w.clock.Now().Add(2 * time.Hour).Format(time.RFC3339)
			res := post(model.RoleStaff, "/api/v1/campaigns", `{"kind":"study_material","title":"学习材料","audience":{"all":true},"send_at":"`+at+`"}`)
			c := decode[apiCampaignJSON](t, res)
			if res.status != http.StatusCreated {
				t.Fatalf("%d %s", res.status, res.body)
			}
			expandCampaigns(t, w)
			if got := decode[apiCampaignJSON](t, w.api(t, model.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d", c.ID), "", nil)); got.Status != model.CampaignScheduled || got.Total != 0 {
				t.Fatalf("before its time: %+v", got)
			}
		})

		actions := w.auditActions(t)
		for _, a := range []string{"campaign.create", "campaign.pause", "campaign.resume", "campaign.cancel", "campaign.test", "campaign.export"} {
			if actions[a] == 0 {
				t.Errorf("no audit entry %s: %v", a, actions)
			}
		}
	})
}

func TestTheMeetingAPI(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ds := campaignDeputies(t, w)
		const jsonCT = "application/json"
		post := func(role, path, body string) result {
			return w.api(t, role, http.MethodPost, path, jsonCT, strings.NewReader(body))
		}
		res := post(model.RoleStaff, "/api/v1/meetings", `{"kind":"inspection","title":"","starts_at":"soon"}`)
		if e := decode[apiError](t, res); res.status != http.StatusUnprocessableEntity || len(e.Fields) != 2 {
			t.Fatalf("invalid: %d %s", res.status, res.body)
		}
		res = post(model.RoleStaff, "/api/v1/meetings", `{"kind":"inspection","title":"年末集中视察","starts_at":"2026-03-10T09:00:00+08:00",
			"place":"济南","rsvp_deadline":"2026-03-08 18:00"}`)
		m := decode[apiMeetingJSON](t, res)
		if res.status != http.StatusCreated || m.ID == 0 || m.KindLabel != "集中视察" {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)

		if res := post(model.RoleStaff, path+"/invite", `{"audience":{}}`); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("invite no one: %d", res.status)
		}
		res = post(model.RoleStaff, path+"/invite", `{"audience":{"tags":["教育"]}}`)
		if r := decode[struct{ Invited, AlreadyInvited int }](t, res); res.status != http.StatusOK || r.Invited != 3 {
			t.Fatalf("invite: %d %s", res.status, res.body)
		}
		res = post(model.RoleStaff, path+"/invite", fmt.Sprintf(`{"audience":{"deputy_ids":[%d]}}`, ds[0].ID))
		if !strings.Contains(res.body, `"invited":0,"already_invited":1`) {
			t.Fatalf("invite again: %s", res.body)
		}
		meetings := core.New(db, core.Options{Now: w.clock.Now}).Meetings
		if _, err := meetings.RSVP(t.Context(), core.DeputyActor(ds[1], core.ViaWeChat), m.ID, model.RSVPLeave, "住院"); err != nil {
			t.Fatal(err)
		}
		res = post(model.RoleStaff, path+"/remind", "")
		if res.status != http.StatusOK || !strings.Contains(res.body, `"reminded":2`) {
			t.Fatalf("remind: %d %s", res.status, res.body)
		}
		if res := post(model.RoleStaff, path+"/attendance", fmt.Sprintf(`{"attended":[%d]}`, ds[0].ID)); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "开始前不能保存签到") {
			t.Fatalf("attendance before the start: %d %s", res.status, res.body)
		}
		w.clock.Set(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)) // the inspection has started
		if res := post(model.RoleStaff, path+"/attendance", `{"attended":[9999]}`); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("an uninvited deputy: %d %s", res.status, res.body)
		}
		res = post(model.RoleStaff, path+"/attendance", fmt.Sprintf(`{"attended":[%d],"absent":[%d]}`, ds[0].ID, ds[1].ID))
		if res.status != http.StatusOK {
			t.Fatalf("attendance: %d %s", res.status, res.body)
		}

		res = w.api(t, model.RoleReadonly, http.MethodGet, path, "", nil)
		got := decode[apiMeetingJSON](t, res)
		if res.status != http.StatusOK || got.Invited != 3 || got.Counts["leave"] != 1 || got.Counts["pending"] != 2 ||
			got.Attended != 1 || *got.Total != 3 || len(got.Invitations) != 3 {
			t.Fatalf("get: %d %s", res.status, res.body)
		}
		for _, inv := range got.Invitations {
			if inv.DeputyID == ds[1].ID && (inv.Reason != "住院" || inv.Attended == nil || *inv.Attended) {
				t.Fatalf("the leave: %+v", inv)
			}
		}
		res = w.api(t, model.RoleReadonly, http.MethodGet, path+"?status=pending&per_page=1", "", nil)
		if got := decode[apiMeetingJSON](t, res); *got.Total != 2 || len(got.Invitations) != 1 {
			t.Fatalf("pending page: %s", res.body)
		}
		res = w.api(t, model.RoleReadonly, http.MethodGet, "/api/v1/meetings?kind=inspection", "", nil)
		if list := decode[struct {
			Total    int              `json:"total"`
			Meetings []apiMeetingJSON `json:"meetings"`
		}](t, res); res.status != http.StatusOK || list.Total != 1 || list.Meetings[0].Counts["leave"] != 1 {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		if res := w.api(t, model.RoleStaff, http.MethodGet, path+"/export", "", nil); res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
			t.Fatalf("export: %d", res.status)
		}
		if res := post(model.RoleReadonly, path+"/invite", `{"audience":{"all":true}}`); res.status != http.StatusForbidden {
			t.Fatalf("read-only invite: %d", res.status)
		}
		if res := w.api(t, model.RoleStaff, http.MethodGet, "/api/v1/meetings/9999", "", nil); res.status != http.StatusNotFound {
			t.Fatalf("a missing meeting: %d", res.status)
		}
	})
}
