package core_test

import (
	"errors"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// TestChatMediaIsKeptWholeOrNotAtAll: a message's photo is stored with
// the message in one transaction (a file that is no image or voice stores
// neither); an opinion takes only the files its own author sent.
func TestChatMediaIsKeptWholeOrNotAtAll(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newInboxWorld(t, db)
		ctx := t.Context()
		by := core.DeputyActor(w.deputy, core.ViaWeChat)

		_, err := w.svc.Messages.Record(ctx, by, core.MessageInput{Kind: model.MessageImage,
			Media: &core.ChatMedia{Name: "照片", Data: []byte("<html>not a photo</html>")}})
		if _, ok := core.Fields(err); !ok {
			t.Fatalf("a file that is no photo: %v", err)
		}
		if _, err := w.svc.Messages.Record(ctx, by, core.MessageInput{Kind: model.MessageImage}); err == nil {
			t.Fatal("an image message without its photo was stored")
		}
		if ms, n, err := db.ListMessages(ctx, model.MessageFilter{}); err != nil || n != 0 {
			t.Fatalf("refused photos left %d messages %+v (%v)", n, ms, err)
		}

		m, err := w.svc.Messages.Record(ctx, by, core.MessageInput{Kind: model.MessageImage,
			Media: &core.ChatMedia{Name: "照片", Data: testkit.PNG()}})
		if err != nil {
			t.Fatal(err)
		}
		th, err := w.svc.Messages.Get(ctx, w.byRead, m.ID)
		if err != nil || len(th.Files) != 1 || th.Files[0].ContentType != model.FilePNG || th.Message.Body == "" {
			t.Fatalf("the photo message %+v %v", th, err)
		}

		// The files a deputy sent while writing go with their opinion, and
		// only theirs.
		f, err := w.svc.Files.Receive(ctx, by, core.ChatMedia{Name: "语音", Data: append([]byte("#!AMR\n"), 1, 2, 3)})
		if err != nil || f.ContentType != model.FileAMR {
			t.Fatalf("received %+v %v", f, err)
		}
		other := model.Deputy{Name: "另一代表", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13800000102", OpenID: "o-inbox-other"}
		if err := db.CreateDeputy(ctx, &other); err != nil {
			t.Fatal(err)
		}
		o := model.Opinion{Category: model.OpinionOther, Body: "路口积水。"}
		if _, err := w.svc.Opinions.SubmitAs(ctx, core.DeputyActor(other, core.ViaWeChat), o, f.ID); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("another deputy's file was attached: %v", err)
		}
		receipt, err := w.svc.Opinions.SubmitAs(ctx, by, o, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.Opinions.ByReceipt(ctx, receipt)
		if err != nil {
			t.Fatal(err)
		}
		if got, err = w.svc.Opinions.GetAs(ctx, w.byRead, got.ID); err != nil || len(got.Files) != 1 || got.Files[0].ID != f.ID {
			t.Fatalf("the opinion's files %+v %v", got.Files, err)
		}
		if ops, _ := db.OpinionsOfDeputy(ctx, other.ID, 10); len(ops) != 0 {
			t.Fatalf("the refused opinion was stored: %+v", ops)
		}
	})
}
