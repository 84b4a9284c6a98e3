package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// consoleDraft is a draft as staff paste it into the console.
const consoleDraft = "《XX省数据条例（草案）》\n第一章　总则\n第一条　为了规范数据处理活动，制定本条例。\n" +
	"第二条　本条例所称数据，是指任何以电子或者其他方式对信息的记录。\n第二章　附则\n第三条　本条例自2027年1月1日起施行。"

var digestRE = regexp.MustCompile(`name="confirm" value="([0-9a-f]+)"`)

func TestConsoleSolicitationSplitsThePastedDraftAfterConfirmation(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newAdminWorld(t, db, "")
		c := w.login(t, model.RoleStaff)
		closes := w.clock.Now().Add(240 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
		form := url.Values{"title": {"《XX省数据条例（草案）》征求意见"}, "draft": {consoleDraft}, "closes_at": {closes}}

		res := w.postForm(t, c, "/admin/solicitations", form)
		mustHave(t, res, http.StatusOK, "草案全文识别出 3 条", "第一条　为了规范数据处理活动，制定本条例。",
			"第三条　本条例自2027年1月1日起施行。", "确认保存")
		if sols, _ := core.NewOpinions(db).Solicitations(t.Context()); len(sols) != 0 {
			t.Fatal("a preview stored the solicitation")
		}
		m := digestRE.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatal("no confirmation digest on the preview")
		}

		changed := url.Values{"title": form["title"], "draft": {consoleDraft + "\n第四条　新增。"}, "closes_at": form["closes_at"], "confirm": {m[1]}}
		mustHave(t, w.postForm(t, c, "/admin/solicitations", changed), http.StatusOK, "草案全文识别出 4 条")

		bad := url.Values{"title": form["title"], "draft": {"没有条款的文字"}, "closes_at": form["closes_at"]}
		mustHave(t, w.postForm(t, c, "/admin/solicitations", bad), http.StatusUnprocessableEntity, "没有识别出条款")
		mismatch := url.Values{"title": form["title"], "draft": {consoleDraft}, "articles": {"60"}, "closes_at": form["closes_at"], "confirm": {m[1]}}
		mustHave(t, w.postForm(t, c, "/admin/solicitations", mismatch), http.StatusUnprocessableEntity, "与草案全文识别出的条数（3 条）不一致")

		form.Set("confirm", m[1])
		res = w.postForm(t, c, "/admin/solicitations", form)
		if res.status != http.StatusSeeOther {
			t.Fatalf("confirming: %d %s", res.status, res.body)
		}
		path := res.header.Get("Location")
		svc := core.NewOpinions(db)
		svc.SetClock(func() time.Time { return w.clock.Now().Add(time.Minute) })
		sols, _ := svc.Solicitations(t.Context())
		if len(sols) != 1 || sols[0].Articles != 3 || sols[0].Texts != 3 {
			t.Fatalf("stored %+v", sols)
		}
		sol := sols[0]
		if got := w.auditSummaries(t, "solicitation.create"); len(got) != 1 || !strings.Contains(got[0], "草案全文 3 条") {
			t.Fatalf("audit %v", got)
		}

		a := w.deputy(t, "王芳", "13800000001")
		b := w.deputy(t, "李强", "13800000002")
		var receipts []string
		for _, o := range []struct {
			dep     int64
			article string
			body    string
		}{{a.ID, "3", "施行日期宜推迟"}, {b.ID, "第二条", "数据的定义过宽"}, {a.ID, "", "总体赞成"}, {b.ID, "第2条", "建议列举数据类型"}} {
			r, err := svc.Submit(t.Context(), o.dep, model.Opinion{SolicitationID: sol.ID, Article: o.article, Body: o.body})
			if err != nil {
				t.Fatal(err)
			}
			receipts = append(receipts, r)
		}
		adopted, _ := svc.ByReceipt(t.Context(), receipts[1])
		if _, _, err := svc.AdoptAs(t.Context(), core.CLIActor(model.Account{}, "test"), adopted.ID, ""); err != nil {
			t.Fatal(err)
		}

		t.Run("the page groups opinions by article with its text, in order", func(t *testing.T) {
			res := w.get(t, c, path)
			mustHave(t, res, http.StatusOK, "涉及 2 个条款", "<summary>条文</summary><p>本条例所称数据", "导出意见汇总（供法工委）")
			i0, i2, i3 := strings.Index(res.body, "总体意见（未注明条款）"), strings.Index(res.body, "第二条 <span"), strings.Index(res.body, "第三条 <span")
			if i0 < 0 || i2 < i0 || i3 < i2 || !strings.Contains(res.body, `第二条 <span class="muted">2 条`) {
				t.Fatalf("grouping %d %d %d", i0, i2, i3)
			}
		})

		t.Run("the export for the legislative affairs committee follows the article order", func(t *testing.T) {
			res := w.get(t, c, path+"/export")
			if res.status != http.StatusOK {
				t.Fatalf("%d %s", res.status, res.body)
			}
			f, err := excelize.OpenReader(strings.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, _ := f.GetRows("代表意见")
			if len(rows) != 5 || strings.Join(rows[0], ",") != "条款,条文,意见,代表,代表团,提交时间,是否采纳" {
				t.Fatalf("rows %v", rows)
			}
			var got []string
			for _, r := range rows[1:] {
				got = append(got, r[0]+"|"+r[2]+"|"+r[3]+"|"+r[4]+"|"+r[6])
			}
			want := []string{"总体意见（未注明条款）|总体赞成|王芳|济南市代表团|否", "第二条|数据的定义过宽|李强|济南市代表团|是",
				"第二条|建议列举数据类型|李强|济南市代表团|否", "第三条|施行日期宜推迟|王芳|济南市代表团|否"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if rows[2][1] != "本条例所称数据，是指任何以电子或者其他方式对信息的记录。" || rows[1][1] != "" {
				t.Fatalf("article text column: %q / %q", rows[2][1], rows[1][1])
			}
			if w.auditActions(t)["solicitation.export_opinions"] != 1 {
				t.Fatal("the export is not audited")
			}
			if res := w.get(t, w.login(t, model.RoleReadonly), path+"/export"); res.status != http.StatusForbidden {
				t.Fatalf("read-only export: %d", res.status)
			}
		})

		t.Run("the draft's text can be replaced, keeping the articles opinions name", func(t *testing.T) {
			mustHave(t, w.get(t, c, path+"/articles"), http.StatusOK, "第三条　本条例自2027年1月1日起施行。")
			short := url.Values{"draft": {"第一条　甲。\n第二条　乙。"}}
			res := w.postForm(t, c, path+"/articles", short)
			mustHave(t, res, http.StatusOK, "识别出 2 条")
			short.Set("confirm", digestRE.FindStringSubmatch(res.body)[1])
			mustHave(t, w.postForm(t, c, path+"/articles", short), http.StatusUnprocessableEntity, receipts[0]+"（第三条）")
			longer := url.Values{"draft": {consoleDraft + "\n第四条　新增。"}}
			res = w.postForm(t, c, path+"/articles", longer)
			longer.Set("confirm", digestRE.FindStringSubmatch(res.body)[1])
			if res := w.postForm(t, c, path+"/articles", longer); res.status != http.StatusSeeOther {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if got, _ := svc.Solicitation(t.Context(), sol.ID); got.Articles != 4 || got.Texts != 4 {
				t.Fatalf("after replacing %+v", got)
			}
		})

		t.Run("the API returns the articles and takes a draft's text", func(t *testing.T) {
			res := w.apiJSON(t, model.RoleReadonly, http.MethodGet, fmt.Sprintf("/api/v1/solicitations/%d", sol.ID), "")
			var got struct {
				Texts       int
				ArticleList []struct {
					Number        int
					Heading, Text string
				} `json:"article_list"`
				Groups []struct{ Article, Text string }
			}
			if err := json.Unmarshal([]byte(res.body), &got); err != nil || got.Texts != 4 || len(got.ArticleList) != 4 ||
				got.ArticleList[1].Heading != "第二条" || len(got.Groups) != 3 || !strings.HasPrefix(got.Groups[1].Text, "本条例所称数据") {
				t.Fatalf("%+v %v\n%s", got, err, res.body)
			}
			body := `{"title":"《YY条例（草案）》征求意见","text":"第一条　甲。\n第二条　乙。\n第四条　丁。","closes_at":"2026-03-31T10:00:00Z"}`
			wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/solicitations", body), http.StatusCreated,
				`"articles":2`, `"texts":2`, `缺少第三条`)
			wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPost, "/api/v1/solicitations",
				`{"title":"x","text":"无条款","closes_at":"2026-03-31T10:00:00Z"}`), http.StatusUnprocessableEntity, `"text"`)
			wantStatus(t, w.apiJSON(t, model.RoleStaff, http.MethodPut, fmt.Sprintf("/api/v1/solicitations/%d/articles", sol.ID),
				`{"text":"第一条　甲。"}`), http.StatusUnprocessableEntity, receipts[0])
			res = w.api(t, model.RoleStaff, http.MethodGet, fmt.Sprintf("/api/v1/solicitations/%d/export", sol.ID), "", nil)
			if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("API export: %d %s", res.status, res.header.Get("Content-Type"))
			}
		})
	})
}
