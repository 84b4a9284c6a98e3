package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

func TestATemplateSavedInTheDatabaseIsTheOneSent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, notify.Config{}, 5*time.Second)
		ctx := context.Background()
		openids := r.population(t, 2, 0, 0, 0)
		err := db.SaveTemplateSettings(ctx, map[string]model.TemplateSetting{
			model.KindGeneral: {ID: "TPL_OVERRIDE", Fields: map[string]string{"thing7": "title", "time8": "time"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.out.CreateCampaign(ctx, general("关于召开代表座谈会的通知"), model.Audience{All: true}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		r.drain(t)
		for _, o := range openids {
			var sent []wechatsim.Message
			for _, m := range r.sim.Messages(o) {
				if m.Kind == wechatsim.KindTemplate {
					sent = append(sent, m)
				}
			}
			if len(sent) != 1 || sent[0].TemplateID != "TPL_OVERRIDE" || sent[0].Fields["thing7"] != "关于召开代表座谈会的通知" ||
				sent[0].Fields["time8"] == "" {
				t.Fatalf("%s received %+v, want one message with the saved template", o, sent)
			}
		}
	})
}

func TestTheTemplateSourceIsReadAtMostEveryThirtySeconds(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	clk := &clock{t: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)}
	out := notify.New(db, notify.Config{Templates: map[string]notify.Template{
		model.KindGeneral:  {ID: "CFG_GENERAL"},
		model.KindMaterial: {ID: "CFG_MATERIAL"},
	}}, quiet)
	out.SetClock(clk.Now)
	reads, id, fail := 0, "DB_1", false
	out.SetTemplateSource(func(context.Context) (map[string]notify.Template, error) {
		reads++
		if fail {
			return nil, errors.New("database down")
		}
		return map[string]notify.Template{model.KindGeneral: {ID: id}}, nil
	})
	want := func(kind, wantID string, wantReads int) {
		t.Helper()
		got, ok := out.Template(kind)
		if !ok || got.ID != wantID || reads != wantReads {
			t.Fatalf("%s: %q (found %v) after %d reads, want %q after %d", kind, got.ID, ok, reads, wantID, wantReads)
		}
	}
	want(model.KindGeneral, "DB_1", 1)
	want(model.KindMaterial, "CFG_MATERIAL", 1) // no override: as configured
	id = "DB_2"
	clk.Add(29 * time.Second)
	want(model.KindGeneral, "DB_1", 1)
	clk.Add(2 * time.Second)
	want(model.KindGeneral, "DB_2", 2)
	fail = true
	clk.Add(31 * time.Second)
	want(model.KindGeneral, "DB_2", 3) // a failed read keeps the last mapping
	want(model.KindGeneral, "DB_2", 3) // and is not retried on every lookup
	fail = false
	out.ReloadTemplates()
	want(model.KindGeneral, "DB_2", 4)
	out.SetTemplateSource(nil)
	want(model.KindGeneral, "CFG_GENERAL", 4)
}
