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

// TestAPhotoSentInTheChatIsSeenWithItsMessageOrOpinion: a photo a deputy
// sends outside any flow is fetched from (simulated) WeChat into the files
// service; GET /api/v1/messages/{id} lists it and the console shows it.
// One sent while writing an opinion is shown with the opinion.
func TestAPhotoSentInTheChatIsSeenWithItsMessageOrOpinion(t *testing.T) {
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

		// A photo sent while writing an opinion goes with the opinion.
		send := func(in bot.Inbound) string {
			t.Helper()
			in.FromUserName, in.CreateTime = "o-photo-deputy", time.Now().Unix()
			reply, err := router.Handle(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return reply
		}
		for _, text := range []string{"意见", "社情民意"} {
			send(bot.Inbound{MsgType: "text", Content: text})
		}
		if got := send(bot.Inbound{MsgType: "image", MediaID: sim.AddMedia(png, "image/png")}); !strings.Contains(got, "已收到照片") {
			t.Fatalf("the photo in the opinion answered %q", got)
		}
		send(bot.Inbound{MsgType: "text", Content: "城东路口坑洼，见照片。"})
		send(bot.Inbound{MsgType: "text", Content: "完成"})
		if got := send(bot.Inbound{MsgType: "text", Content: "是"}); !strings.Contains(got, "附 1 个附件") {
			t.Fatalf("the opinion's receipt: %q", got)
		}
		ops, err := db.OpinionsOfDeputy(ctx, d.ID, 1)
		if err != nil || len(ops) != 1 {
			t.Fatalf("opinions %+v %v", ops, err)
		}
		res = w.api(t, model.RoleReadonly, "GET", fmt.Sprintf("/api/v1/opinions/%d", ops[0].ID), "", nil)
		var op struct {
			Attachments []struct {
				ID          int64  `json:"id"`
				ContentType string `json:"content_type"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal([]byte(res.body), &op); err != nil || len(op.Attachments) != 1 || op.Attachments[0].ContentType != model.FilePNG {
			t.Fatalf("the opinion at the API: %d %s", res.status, res.body)
		}
		page3 := w.get(t, ro, fmt.Sprintf("/admin/opinions/%d", ops[0].ID))
		if want := fmt.Sprintf(`<img src="/admin/files/%d"`, op.Attachments[0].ID); !strings.Contains(page3.body, want) {
			t.Fatalf("the console's opinion page lacks the photo %s", want)
		}
	})
}
