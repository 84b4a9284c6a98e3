package h5_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestH5StationPageTakesAnOpinionFromAnyFollower(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newOAuthWorld(t, db)
		ctx := context.Background()
		svc := core.New(db, core.Options{Now: w.clock.Now})
		st, err := svc.Stations.Create(ctx, core.CLIActor(model.Account{}, "test"), core.StationInput{Name: "历下区代表联络站",
			Address: "济南市历下区泺源大街 1 号", Deputies: "王建国"})
		if err != nil {
			t.Fatal(err)
		}
		path := "/h5/stations/" + strconv.FormatInt(st.ID, 10)
		citizen := w.phone(t, "oid-citizen") // follows the account, is no deputy
		r, at := browse(t, citizen, "GET", w.srv.URL+path, nil)
		mustContain(t, r, http.StatusOK, "历下区代表联络站", "泺源大街", "王建国", "提交意见")
		if at.Path != path {
			t.Fatalf("landed on %s", at)
		}
		form := url.Values{"category": {"traffic"}, "body": {"<script>alert(1)</script>建议增设过街天桥"}, "name": {"刘先生"},
			"phone": {"13912345678"}}
		r, at = browse(t, citizen, "POST", w.srv.URL+path+"/opinions", form)
		mustContain(t, r, http.StatusOK, "已收到您的意见，编号 <b>QY2026-00001</b>")
		if !strings.HasPrefix(at.RawQuery, "done=") {
			t.Fatalf("after posting at %s", at)
		}
		// Someone else opening that address sees no receipt, nor the opinion.
		r, _ = browse(t, w.phone(t, "oid-other"), "GET", at.String(), nil)
		mustNotContain(t, r, "QY2026-00001")
		mustNotContain(t, r, "过街天桥")
		if _, err := svc.PublicOpinions.Route(ctx, core.CLIActor(model.Account{}, "test"), 1,
			core.RouteInput{Action: core.RouteToUnit, Unit: "历下区交通运输局"}); err != nil {
			t.Fatal(err)
		}
		r, _ = browse(t, citizen, "GET", w.srv.URL+path, nil)
		mustContain(t, r, http.StatusOK, "我在本站提出的意见", "QY2026-00001", "已转交历下区交通运输局办理",
			"&lt;script&gt;alert(1)&lt;/script&gt;建议增设过街天桥")
		o, err := svc.PublicOpinions.OfSender(ctx, core.PublicActor("oid-citizen", core.ViaH5), 1)
		if err != nil || o.Body != "<script>alert(1)</script>建议增设过街天桥" || o.Name != "刘先生" {
			t.Fatalf("stored %+v %v", o, err)
		}
		tooLong, tooLongMsg := securityRefusal(t, "station-opinion-too-long")
		r, _ = browse(t, citizen, "POST", w.srv.URL+path+"/opinions", url.Values{"category": {"traffic"}, "body": {strings.Repeat("长", 2001)}})
		mustContain(t, r, tooLong, tooLongMsg)
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"category": {"traffic"}, "body": {"x\xffy"}}, "乱码"},
			{url.Values{"body": {"没有类别"}}, "请选择意见类别"},
		} {
			r, _ = browse(t, citizen, "POST", w.srv.URL+path+"/opinions", bad.form)
			if r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
				t.Fatalf("%v: %d", bad.form, r.status)
			}
			if r.status == http.StatusUnprocessableEntity {
				mustContain(t, r, http.StatusUnprocessableEntity, bad.want)
			}
		}
		for i := 0; i < 4; i++ {
			r, _ = browse(t, citizen, "POST", w.srv.URL+path+"/opinions", url.Values{"category": {"other"}, "body": {"再提一条"}, "anonymous": {"1"}})
			mustContain(t, r, http.StatusOK, "已收到您的意见")
		}
		r, _ = browse(t, citizen, "POST", w.srv.URL+path+"/opinions", url.Values{"category": {"other"}, "body": {"第六条"}})
		limit, limitMsg := securityRefusal(t, "station-opinion-limit")
		mustContain(t, r, limit, limitMsg, "第六条")
		if _, n, _ := db.ListPublicOpinions(ctx, model.PublicOpinionFilter{}); n != 5 {
			t.Fatalf("%d opinions stored, want 5", n)
		}
		r, _ = browse(t, w.phone(t, "oid-citizen"), "GET", w.srv.URL+"/h5/stations/999", nil)
		if r.status != http.StatusNotFound {
			t.Fatalf("an unknown station: %d", r.status)
		}
		r, _ = browse(t, noFollow(w.phone(t, "oid-x")), "POST", w.srv.URL+path+"/opinions", form)
		if r.status != http.StatusForbidden {
			t.Fatalf("a post without the follower cookie: %d", r.status)
		}
	})
}

// securityRefusal returns the status and message docs/security.md gives
// for the refusal id.
func securityRefusal(t *testing.T, id string) (int, string) {
	t.Helper()
	doc, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(doc), "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 5 || strings.TrimSpace(cols[1]) != id {
			continue
		}
		status, err := strconv.Atoi(strings.TrimSpace(cols[3]))
		if err != nil {
			t.Fatalf("docs/security.md, %s: status %q", id, cols[3])
		}
		_, rest, _ := strings.Cut(cols[4], "`")
		msg, _, _ := strings.Cut(rest, "`")
		return status, msg
	}
	t.Fatalf("docs/security.md does not document %q", id)
	return 0, ""
}
