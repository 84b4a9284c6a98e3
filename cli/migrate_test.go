package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
)

// migrate recount repairs the kept suggestion and campaign counts after
// writes that bypassed storage, and finds nothing to repair the second
// time.
func TestMigrateRecountRepairsKeptCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite")
	env := []string{"DEPUTYBOT_DATABASE_DSN=" + path, "DEPUTYBOT_LOG_LEVEL=warn"}
	if code, out, errs := run(t, env, "import", "deputies", filepath.Join("..", "testdata", "deputies-sample.xlsx")); code != exitOK {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO suggestions (number, title, summary, session, lead_deputy_id, host_unit,
		co_units, status, reply_category, reply_text, rehandle_reason, created_at, updated_at)
		VALUES ('第0001号', '手写的建议', '', '十四届人大三次会议', (SELECT MIN(id) FROM deputies), '省水利厅', '', 'assigned', '', '', '', ?, ?)`, now, now)
	if err == nil {
		n, c := model.Notice{Kind: "general_notice", Title: "通知"}, model.Campaign{Audience: model.Audience{All: true}}
		if err = db.CreateCampaign(ctx, &n, &c); err == nil {
			_, err = db.SQL().ExecContext(ctx, `INSERT INTO deliveries (source, campaign_id, notice_id, deputy_id, status, next_at, created_at)
				VALUES ('手写', ?, ?, (SELECT MIN(id) FROM deputies), 'sent', ?, ?)`, c.ID, n.ID, now, now)
		}
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, env, "migrate", "recount"); code != exitOK || !strings.Contains(out, "suggestion counts: 1 row(s) corrected") ||
		!strings.Contains(out, "campaign counts: 1 row(s) corrected") {
		t.Fatalf("recount: %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, env, "migrate", "recount"); code != exitOK || !strings.Contains(out, "0 row(s) corrected") {
		t.Fatalf("second recount: %d %q %q", code, out, errs)
	}
}
