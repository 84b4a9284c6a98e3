package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestTheLedgerShowsAttemptsAndReclaims: deliveries taken back twice from
// dispatchers that died mid-send show their reclaims beside their
// attempts on the campaign page, in the API's delivery JSON and in the
// Excel export.
func TestTheLedgerShowsAttemptsAndReclaims(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	campaignDeputies(t, w)
	c := w.login(t, model.RoleStaff)
	id := createCampaign(t, w, c, composeForm("崩溃重领统计"))
	expandCampaigns(t, w)
	// Three dispatchers claim the two bound deputies' deliveries and die,
	// each after its lease: the second and third claims are reclaims.
	ctx := context.Background()
	var claimed int64
	for i := range 3 {
		ds, err := db.ClaimDue(ctx, fmt.Sprintf("dead-%d", i), w.clock.Now(), 10, time.Minute, false)
		if err != nil || len(ds) != 2 {
			t.Fatalf("claim %d: %v %v", i, ds, err)
		}
		claimed = ds[0].ID
		w.clock.Advance(2 * time.Minute)
	}
	path := "/admin/campaigns/" + strconv.FormatInt(id, 10)

	res := w.get(t, c, path)
	if res.status != http.StatusOK || !strings.Contains(res.body, ">中断重发</th>") {
		t.Fatalf("the page has no reclaims column: %d %s", res.status, res.body)
	}
	if n := strings.Count(res.body, "<td>0</td><td>2</td>"); n != 2 {
		t.Errorf("the page shows 0 attempts and 2 reclaims %d times, want for both deliveries:\n%s", n, res.body)
	}

	api := w.api(t, model.RoleReadonly, http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/deliveries", id), "", nil)
	page := decode[struct {
		Deliveries []struct {
			ID       int64 `json:"id"`
			Attempts *int  `json:"attempts"`
			Reclaims *int  `json:"reclaims"`
		} `json:"deliveries"`
	}](t, api)
	found := false
	for _, d := range page.Deliveries {
		if d.Reclaims == nil || d.Attempts == nil {
			t.Fatalf("delivery JSON without attempts or reclaims: %s", api.body)
		}
		if d.ID == claimed {
			found = *d.Reclaims == 2 && *d.Attempts == 0
		}
	}
	if !found {
		t.Errorf("the API does not give delivery %d 2 reclaims and 0 attempts: %s", claimed, api.body)
	}

	x := w.get(t, c, path+"/export")
	f, err := excelize.OpenReader(strings.NewReader(x.body))
	if err != nil {
		t.Fatalf("export: %d %v", x.status, err)
	}
	defer f.Close()
	rows, err := f.GetRows("推送明细")
	if err != nil || len(rows) < 2 {
		t.Fatalf("export rows %v %v", rows, err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "中断重发" {
			col = i
		}
	}
	if col < 0 || rows[0][col-1] != "尝试次数" {
		t.Fatalf("export header %v: want 中断重发 after 尝试次数", rows[0])
	}
	var reclaims []string
	for _, r := range rows[1:] {
		reclaims = append(reclaims, r[col])
	}
	if strings.Join(reclaims, ",") != "2,2,0" {
		t.Errorf("the export's reclaims column: %v, want 2,2,0 (the bound deputies' deliveries reclaimed twice)", reclaims)
	}
}
