package core_test

import (
	"context"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The simulator's first start has a meeting with open RSVPs, a suggestion
// awaiting its rating, an open survey, an open solicitation and a notice
// to send, on both databases.
func TestSeedDemoWorld(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.UpsertDeputies(ctx, core.DemoDeputies()); err != nil {
			t.Fatal(err)
		}
		svc := core.New(db, core.Options{})
		if err := svc.SeedDemoWorld(ctx, core.CLIActor(model.Account{}, "demo")); err != nil {
			t.Fatal(err)
		}
		lead, err := db.GetDeputyByPhone(ctx, core.DemoDeputies()[0].Phone)
		if err != nil {
			t.Fatal(err)
		}
		by := core.DeputyActor(lead, core.ViaWeChat)
		if invs, err := svc.Meetings.Upcoming(ctx, by, svc.Now()); err != nil || len(invs) != 1 || !invs[0].Meeting.RSVPOpenAt(svc.Now()) {
			t.Fatalf("the lead's upcoming invitations: %+v %v", invs, err)
		}
		if acts, err := svc.Meetings.OpenActivities(ctx, by); err != nil || len(acts) != 1 {
			t.Fatalf("activities open for sign-up: %+v %v", acts, err)
		}
		sgs, err := svc.Suggestions.OfDeputy(ctx, lead.ID)
		if err != nil || len(sgs) != 1 || !sgs[0].CanRate() || sgs[0].Rated {
			t.Fatalf("the lead's suggestions: %+v %v", sgs, err)
		}
		waiting, n, err := svc.Suggestions.ListAs(ctx, core.CLIActor(model.Account{}, "demo"), model.SuggestionFilter{
			Status: model.SuggestionSubmitted, Source: model.SourceDeputy})
		if err != nil || n != 1 || waiting[0].LeadDeputyID == lead.ID {
			t.Fatalf("a deputy's suggestion waiting for review: %+v %v", waiting, err)
		}
		if sub, err := svc.Suggestions.SubmissionAs(ctx, core.CLIActor(model.Account{}, "demo"), waiting[0].ID); err != nil ||
			len(sub.Cosigners) != 1 || sub.Cosigners[0].State != model.CosignConfirmed {
			t.Fatalf("its co-signer: %+v %v", sub.Cosigners, err)
		}
		if svs, err := svc.Surveys.OpenFor(ctx, lead.ID); err != nil || len(svs) != 1 {
			t.Fatalf("open surveys: %+v %v", svs, err)
		}
		if sols, err := svc.Opinions.OpenSolicitations(ctx); err != nil || len(sols) != 1 {
			t.Fatalf("open solicitations: %+v %v", sols, err)
		}
		if ms, err := svc.Messages.Mine(ctx, core.PublicActor("o-demo-citizen", core.ViaWeChat), 5); err != nil || len(ms) != 1 {
			t.Fatalf("the follower's messages: %+v %v", ms, err)
		}
		cs, _, err := db.ListCampaigns(ctx, model.CampaignFilter{})
		if err != nil || len(cs) < 3 {
			t.Fatalf("campaigns (the notice, the survey's and the solicitation's): %d %v", len(cs), err)
		}
	})
}
