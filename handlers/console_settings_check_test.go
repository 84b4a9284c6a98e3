package handlers

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"deputybot/bot"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestTemplateIDsAreCheckedAgainstTheAccountsList(t *testing.T) {
	sim := wechatsim.New(wechatsim.Config{AppID: "wxtpl", AppSecret: "sec", Token: "tok"})
	defer sim.Close()
	sim.SetTemplates("TPL_MEETING", "TPL_PROGRESS")
	api := httptest.NewServer(sim.Handler())
	defer api.Close()
	client, err := bot.NewClient(bot.ClientConfig{AppID: "wxtpl", AppSecret: "sec", APIBase: api.URL, Timeout: 5 * time.Second},
		storagetest.Open(t, storage.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	SetTemplateLister(client.TemplateIDs)
	defer SetTemplateLister(nil)
	ctx := context.Background()
	errs, note := checkTemplateIDs(ctx, map[string]model.TemplateSetting{
		"meeting_invitation":  {ID: "TPL_MEETING"},
		"suggestion_progress": {ID: "TPL_TYPO"},
	})
	if note != "" || len(errs) != 1 || errs[0].Label != "suggestion_progress.id" || !strings.Contains(errs[0].Msg, "我的模板") {
		t.Fatalf("errors %v, note %q", errs, note)
	}
	sim.AddFault(wechatsim.Fault{Path: "/cgi-bin/template/get_all_private_template", ErrCode: -1})
	if errs, note := checkTemplateIDs(ctx, map[string]model.TemplateSetting{"survey": {ID: "X"}}); len(errs) != 0 || note == "" {
		t.Fatalf("with WeChat unreachable: errors %v, note %q", errs, note)
	}
}
