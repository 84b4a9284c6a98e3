package h5_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestH5ActivitySignUpFillsThePlacesThenTheWaitingList(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newOAuthWorld(t, db)
		ctx := context.Background()
		now := w.clock.Now()
		svc := core.New(db, core.Options{Now: w.clock.Now})
		m := model.Meeting{Kind: model.MeetingInspection, Title: "年末集中视察", StartsAt: now.Add(96 * time.Hour),
			RSVPDeadline: now.Add(72 * time.Hour), Place: "济南"}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		wang, li := w.phone(t, "oid-wang"), w.phone(t, "oid-li")
		r, _ := browse(t, wang, "GET", w.srv.URL+"/h5/activities", nil)
		mustContain(t, r, http.StatusOK, "活动报名", "目前没有开放报名的活动")
		if _, err := svc.Meetings.OpenSignup(ctx, core.CLIActor(model.Account{}, "test"), m.ID,
			core.SignupInput{Capacity: "1", Deadline: now.Add(48 * time.Hour).Format(time.RFC3339)}); err != nil {
			t.Fatal(err)
		}
		base := w.srv.URL + "/h5/activities/" + strconv.FormatInt(m.ID, 10)
		r, _ = browse(t, wang, "GET", w.srv.URL+"/h5/activities", nil)
		mustContain(t, r, http.StatusOK, "年末集中视察", "1（剩余 1）", "未报名", `action="/h5/activities/`+strconv.FormatInt(m.ID, 10)+`/signup"`)
		r, _ = browse(t, wang, "POST", base+"/signup", nil)
		mustContain(t, r, http.StatusOK, "报名成功，已为您登记参加。", "1（剩余 0）", "已报名", "退出报名")
		r, _ = browse(t, li, "GET", w.srv.URL+"/h5/activities", nil)
		mustContain(t, r, http.StatusOK, "报名（进入候补）")
		r, _ = browse(t, li, "POST", base+"/signup", nil)
		mustContain(t, r, http.StatusOK, "名额已满，您已进入候补名单", "候补第 1 位")
		r, _ = browse(t, wang, "POST", base+"/withdraw", nil)
		mustContain(t, r, http.StatusOK, "已退出报名。", "已退出", "报名（进入候补）")
		if inv, err := db.GetInvitation(ctx, m.ID, w.other.ID); err != nil || inv.Status != model.RSVPAttend || inv.Channel != core.ViaH5 {
			t.Fatalf("the waiting deputy's invitation after the withdrawal: %+v %v", inv, err)
		}
		r, _ = browse(t, wang, "POST", base+"/withdraw", nil)
		mustContain(t, r, http.StatusConflict, "您没有报名“年末集中视察”，无需退出。")
		w.clock.Advance(49 * time.Hour)
		r, _ = browse(t, wang, "GET", w.srv.URL+"/h5/activities", nil) // a fresh session: the old one is 2 hours at most
		mustContain(t, r, http.StatusOK, "目前没有开放报名的活动")
		r, _ = browse(t, wang, "POST", base+"/signup", nil)
		mustContain(t, r, http.StatusConflict, "报名已于", "截止")
		r, _ = browse(t, w.phone(t, "oid-stranger"), "POST", base+"/signup", nil)
		if r.status != http.StatusForbidden {
			t.Fatalf("a post without a session: %d", r.status)
		}
	})
}
