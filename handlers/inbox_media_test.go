package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/templates"
	"deputybot/testkit"
	"deputybot/wechatsim"
)

// TestAPhotoSentInTheChatIsSeenWithItsMessage: a photo a deputy sends
// outside any flow is fetched from (simulated) WeChat into the files
// service; GET /api/v1/messages/{id} lists it and the console shows it.
func TestAPhotoSentInTheChatIsSeenWithItsMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		ctx := context.Background()
		d := w.deputy(t, "拍照代表", "13866660101")
		if err := db.BindDeputy(ctx, d.ID, "o-photo-deputy"); err != nil {
			t.Fatal(err)
		}
		sim := wechatsim.New(wechatsim.Config{AppID: "wxmedia", AppSecret: "sec", Token: "tok", Mode: wechatsim.ModePlain})
		t.Cleanup(sim.Close)
		api := httptest.NewServer(sim.Handler())
		t.Cleanup(api.Close)
		client, err := bot.NewClient(bot.ClientConfig{AppID: "wxmedia", AppSecret: "sec", APIBase: api.URL}, db)
		if err != nil {
			t.Fatal(err)
		}
		router := bot.NewRouter(w.svc, db, templates.Default(), slog.New(slog.DiscardHandler), time.Hour)
		router.Media = client
		png := testkit.PNG()
		reply, err := router.Handle(ctx, bot.Inbound{FromUserName: "o-photo-deputy", MsgType: "image",
			MediaID: sim.AddMedia(png, "image/png"), MsgID: 880001, CreateTime: time.Now().Unix()})
		if err != nil || !strings.Contains(reply, "已收到您的图片留言（编号 LY") {
			t.Fatalf("the photo answered %q %v", reply, err)
		}

		res := w.api(t, model.RoleReadonly, "GET", "/api/v1/messages?sender=deputy", "", nil)
		var page struct{ Messages []struct{ ID int64 } }
		if err := json.Unmarshal([]byte(res.body), &page); err != nil || len(page.Messages) != 1 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		id := page.Messages[0].ID
		res = w.api(t, model.RoleReadonly, "GET", fmt.Sprintf("/api/v1/messages/%d", id), "", nil)
		var raw struct {
			Kind        string `json:"kind"`
			Attachments []struct {
				ID          int64  `json:"id"`
				ContentType string `json:"content_type"`
				URL         string `json:"url"`
				Size        int64  `json:"size"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal([]byte(res.body), &raw); err != nil || res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if raw.Kind != model.MessageImage || len(raw.Attachments) != 1 || raw.Attachments[0].ContentType != model.FilePNG ||
			raw.Attachments[0].Size != int64(len(png)) {
			t.Fatalf("the message at the API: %s", res.body)
		}
		file := w.api(t, model.RoleReadonly, "GET", raw.Attachments[0].URL, "", nil)
		if file.status != 200 || file.body != string(png) {
			t.Fatalf("the photo at %s: %d, %d bytes", raw.Attachments[0].URL, file.status, len(file.body))
		}

		ro := w.login(t, model.RoleReadonly)
		page2 := w.get(t, ro, fmt.Sprintf("/admin/messages/%d", id))
		if want := fmt.Sprintf(`<img src="/admin/files/%d"`, raw.Attachments[0].ID); !strings.Contains(page2.body, want) {
			t.Fatalf("the console's message page lacks the photo %s", want)
		}
	})
}
