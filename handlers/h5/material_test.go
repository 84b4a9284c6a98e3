package h5_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// TestH5MaterialPageRecordsReading: the page a push links to records that
// the deputy opened it, counts the seconds it reports visible (a report at
// most 120 s, a material at most two hours), shows the course the
// material belongs to with the deputy's progress, serves its PDF with its
// type, sanitizes its Markdown, and 学完 moves the course's progress.
func TestH5MaterialPageRecordsReading(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		ctx := context.Background()
		svc := core.New(db, core.Options{Now: w.clock.Now})
		staff := core.CLIActor(model.Account{}, "tester")
		pdf, err := svc.Files.Upload(ctx, staff, "预算法.pdf", bytes.NewReader(core.SamplePDF("budget")))
		if err != nil {
			t.Fatal(err)
		}
		m, err := svc.Materials.Create(ctx, staff, core.MaterialInput{Title: "预算法解读",
			Body: "预算应当公开。<script>alert(1)</script>[点我](javascript:alert(2))<img src=x onerror=alert(3)>", AttachmentIDs: []int64{pdf.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Materials.Publish(ctx, staff, m.ID, core.PublishInput{}); err != nil {
			t.Fatal(err)
		}
		c, err := svc.Courses.Create(ctx, staff, core.CourseInput{Title: "预算审查学习班", Required: 1,
			Deadline: w.clock.Now().Add(10 * 24 * time.Hour).Format("2006-01-02"), MaterialIDs: []int64{m.ID},
			Audience: model.Audience{DeputyIDs: []int64{w.deputy.ID}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Courses.Publish(ctx, staff, c.ID); err != nil {
			t.Fatal(err)
		}
		_, link := w.deliver(t, model.Notice{Kind: model.KindMaterial, Title: m.Title, RefKind: "material", RefID: m.ID})

		page := w.get(t, link)
		mustContain(t, page, http.StatusOK, "预算应当公开。", "预算审查学习班</strong>：已完成 0/1 学时", ">学完</button>", "预算法.pdf")
		mustNotContain(t, page, "<script>alert", "javascript:", "onerror")
		if st, _ := svc.Materials.Stats(ctx, staff, m.ID); st.Opened != 1 {
			t.Fatalf("opening the page: stats %+v", st)
		}

		readURL := html.UnescapeString(regexp.MustCompile(`data-read-url="([^"]+)"`).FindStringSubmatch(page.body)[1])
		report := func(path string, seconds string) int {
			return w.do(t, "POST", path, url.Values{"seconds": {seconds}}, nil).status
		}
		t.Run("visible seconds count, capped", func(t *testing.T) {
			if s := report(readURL, "30"); s != http.StatusNoContent {
				t.Fatalf("30 s: %d", s)
			}
			if st, _ := svc.Materials.Stats(ctx, staff, m.ID); st.AvgReadSeconds != 30 {
				t.Fatalf("after 30 s: %+v", st)
			}
			for _, bad := range []string{"0", "121", "abc"} {
				if s := report(readURL, bad); s != http.StatusUnprocessableEntity {
					t.Fatalf("%s s: %d", bad, s)
				}
			}
			if s := report(strings.Replace(readURL, "t=", "t=9", 1), "30"); s == http.StatusNoContent {
				t.Fatal("a tampered link counted")
			}
			for range 61 {
				report(readURL, "120")
			}
			if st, _ := svc.Materials.Stats(ctx, staff, m.ID); st.AvgReadSeconds != 2*60*60 {
				t.Fatalf("capped at two hours: %+v", st)
			}
		})
		t.Run("the PDF is served with its type", func(t *testing.T) {
			href := html.UnescapeString(regexp.MustCompile(`href="(/h5/files/[^"]+)"`).FindStringSubmatch(page.body)[1])
			req, _ := http.NewRequest("GET", w.srv.URL+href, nil)
			resp, err := w.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != model.FilePDF ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
				t.Fatalf("%d %v", resp.StatusCode, resp.Header)
			}
		})
		t.Run("学完 completes the course", func(t *testing.T) {
			_, done := w.post(t, postPath(link, "studied"), url.Values{})
			mustContain(t, done, http.StatusOK, "已记录：您已学习《预算法解读》", "已完成 1/1 学时，已达标", "您已阅读 120 分钟")
		})
	})
}
