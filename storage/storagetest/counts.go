package storagetest

import (
	"context"
	"testing"

	"deputybot/storage"
)

// CampaignCountsRight fails t unless the kept counts of campaigns'
// deliveries are those a GROUP BY over the deliveries gives.
func CampaignCountsRight(t testing.TB, db *storage.DB) {
	t.Helper()
	ok, diff, err := db.KeptCampaignCountsRight(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("kept campaign counts differ from a recount: %s", diff)
	}
}
