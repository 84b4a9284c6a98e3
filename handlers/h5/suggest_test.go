package h5_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

func TestH5SuggestionFormKeepsADraftSubmitsItAndRefusesBadCosigners(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newOAuthWorld(t, db)
		ctx := context.Background()
		svc := core.New(db, core.Options{Now: w.clock.Now})
		wang := w.phone(t, "oid-wang")
		r, _ := browse(t, wang, "GET", w.srv.URL+"/h5/suggest", nil)
		mustContain(t, r, http.StatusOK, "新写一条建议", "交通运输", `action="/h5/suggest"`)

		form := url.Values{"title": {"关于增加农村公交班次的建议"}, "content": {""}, "category": {""}, "cosigners": {""}, "action": {"save"}}
		r, _ = browse(t, wang, "POST", w.srv.URL+"/h5/suggest", form)
		mustContain(t, r, http.StatusOK, "已存为草稿", "关于增加农村公交班次的建议", "草稿")
		drafts, err := svc.Suggestions.DraftsOf(ctx, core.DeputyActor(w.deputy, core.ViaH5))
		if err != nil || len(drafts) != 1 || drafts[0].Status != model.SuggestionDraft {
			t.Fatalf("drafts: %+v %v", drafts, err)
		}
		id := strconv.FormatInt(drafts[0].ID, 10)
		r, _ = browse(t, wang, "GET", w.srv.URL+"/h5/suggest?id="+id, nil)
		mustContain(t, r, http.StatusOK, "修改建议", `value="`+id+`"`, "上传附件")
		upload := func(name string, data []byte) h5Resp {
			t.Helper()
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", name)
			_, _ = fw.Write(data)
			_ = mw.Close()
			req, _ := http.NewRequest("POST", w.srv.URL+"/h5/suggest/"+id+"/files", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			res, err := wang.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return h5Resp{status: res.StatusCode, body: string(b)}
		}
		mustContain(t, upload("路面坑洼.png", testkit.PNG()), http.StatusOK, "附件已保存", "路面坑洼.png")
		mustContain(t, upload("病毒.exe", []byte("MZ not allowed")), http.StatusUnprocessableEntity, "文件")

		before := drafts[0].UpdatedAt
		for _, c := range []struct{ cosigner, says string }{
			{"王五", "不是代表名册中的代表"}, {"王建国", "领衔代表不能附议自己的建议"},
		} {
			bad := url.Values{"id": {id}, "title": {"关于增加农村公交班次的建议"}, "content": {"建议增加班次。"},
				"category": {"交通运输"}, "cosigners": {c.cosigner}, "action": {"submit"}}
			r, _ = browse(t, wang, "POST", w.srv.URL+"/h5/suggest", bad)
			mustContain(t, r, http.StatusUnprocessableEntity, c.says, "建议增加班次。")
		}
		if sg, _ := svc.Suggestions.Get(ctx, drafts[0].ID); sg.Status != model.SuggestionDraft || !sg.UpdatedAt.Equal(before) {
			t.Fatalf("a refused submission changed the draft: %+v", sg)
		}
		good := url.Values{"id": {id}, "title": {"关于增加农村公交班次的建议"}, "content": {"建议增加早晚高峰班次。"},
			"category": {"交通运输"}, "cosigners": {"李秀英"}, "action": {"submit"}}
		r, _ = browse(t, wang, "POST", w.srv.URL+"/h5/suggest", good)
		mustContain(t, r, http.StatusOK, "已提交", "待审查")
		sub, err := svc.Suggestions.SubmissionAs(ctx, core.DeputyActor(w.deputy, core.ViaH5), drafts[0].ID)
		if err != nil || sub.Status != model.SuggestionSubmitted || len(sub.Cosigners) != 1 || sub.Cosigners[0].State != model.CosignInvited {
			t.Fatalf("after submitting: %+v %v", sub, err)
		}
		r, _ = browse(t, wang, "POST", w.srv.URL+"/h5/suggest", good)
		mustContain(t, r, http.StatusConflict, "不能再修改")
		// Another deputy cannot open it.
		li := w.phone(t, "oid-li")
		browse(t, li, "GET", w.srv.URL+"/h5/suggest", nil) // signs in
		r, _ = browse(t, li, "GET", w.srv.URL+"/h5/suggest?id="+id, nil)
		if r.status != http.StatusNotFound || strings.Contains(r.body, "早晚高峰") {
			t.Fatalf("another deputy opened the suggestion: %d", r.status)
		}
	})
}
