package h5_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"deputybot/core"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestAUnitNoticeOpensItsPage: the link of a notice to a unit's bound
// staff member (who is no deputy) opens a page with the whole notice, and
// opening it marks the delivery read. A suggestion without a deadline of
// its own shows the one in force (three months after assignment).
func TestAUnitNoticeOpensItsPage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := newH5World(t, db, h5.OAuth{})
		svc := core.New(db, core.Options{Now: w.clock.Now})
		svc.Staff.HashCost = bcrypt.MinCost
		a, _, err := svc.Staff.Create(ctx, core.NewAccount{Username: "jtt", Name: "陈晨", Role: model.RoleUnit, Unit: "省交通运输厅"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.BindStaffWeChat(ctx, a.ID, "o-chen"); err != nil {
			t.Fatal(err)
		}
		sg := model.Suggestion{Number: "第0101号", Title: "关于增加农村公交班次的建议", HostUnit: "省交通运输厅", LeadDeputyID: w.deputy.ID}
		if err := svc.Suggestions.Create(ctx, &sg, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := db.ClaimDue(ctx, "test", w.clock.Now(), 100, time.Minute, false)
		if err != nil || len(rows) != 1 || rows[0].OpenID != "o-chen" || rows[0].DeputyID != 0 {
			t.Fatalf("claimed %+v %v", rows, err)
		}
		id := rows[0].ID
		if err := db.FinishDeliveries(ctx, w.clock.Now().Format("2006-01-02"),
			[]model.Outcome{{ID: id, Status: model.DeliverySent, MsgID: 9001, Channel: "template"}}); err != nil {
			t.Fatal(err)
		}
		res := w.get(t, w.link(id, 0))
		if res.status != http.StatusOK || !strings.Contains(res.body, "新交办建议：第0101号") ||
			!strings.Contains(res.body, "《关于增加农村公交班次的建议》") || !strings.Contains(res.body, "主办单位：省交通运输厅") ||
			!strings.Contains(res.body, "办理期限：2026年6月2日") {
			t.Fatalf("page: %d %s", res.status, res.body)
		}
		del, err := db.GetDelivery(ctx, id)
		if err != nil || del.Status != model.DeliveryRead {
			t.Fatalf("delivery %+v %v", del, err)
		}
	})
}
