package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"deputybot/core"
	"deputybot/model"
)

// TestBrowserH5ShowsWhatWasAnswered: the survey page after submitting
// shows the answers given and that they can be changed until the close;
// 我的回执 待回复 is not shown in the colour of an answer (green); the
// console's opinion page names a deputy's other opinions without a
// pronoun that may be wrong.
func TestBrowserH5ShowsWhatWasAnswered(t *testing.T) {
	ctx, j := startJourney(t, true)

	// cardLink waits for the template card whose text has title and
	// returns its link, relative to the server.
	cardLink := func(t *testing.T, title string) string {
		t.Helper()
		j.waitBot(t, 0, title, 30*time.Second)
		card := `[...document.querySelectorAll('#chat .card')].filter(c => c.innerText.includes(` + jsString(title) + `)).pop()`
		href := eval[string](t, j.phone, `(`+card+`).querySelector('.ft a').href`)
		if !strings.Contains(href, "/h5/") {
			t.Fatalf("the card %q links to %q, want an H5 page", title, href)
		}
		return strings.TrimPrefix(href, j.srv.URL)
	}

	steps := []step{
		{"staff logs in", j.login},
		{"staff import deputies", j.importDeputies},
		{"a deputy binds on the phone", j.bindOnPhone},
		{"after submitting a survey its page shows the answers and that they can be changed", func(t *testing.T, ctx context.Context) {
			sv := model.Survey{Title: "履职服务满意度调查", Intro: "请根据实际情况作答。",
				OpensAt: time.Now().Add(-time.Minute), ClosesAt: time.Now().Add(72 * time.Hour),
				Questions: []model.SurveyQuestion{
					{Kind: model.QuestionSingle, Text: "您参加过几次代表培训？", Options: []string{"没有", "1 次", "2 次及以上"}},
					{Kind: model.QuestionMulti, Text: "您希望学习哪些内容？", Options: []string{"宪法法律", "预算审查", "调查研究"}},
					{Kind: model.QuestionScale, Text: "您对本年度履职服务的评价"},
					{Kind: model.QuestionText, Text: "其他意见", Optional: true},
				}}
			if err := core.NewSurveys(j.db).Create(ctx, &sv); err != nil {
				t.Fatal(err)
			}
			got, err := j.db.GetSurvey(ctx, sv.ID)
			if err != nil {
				t.Fatal(err)
			}
			q := got.Questions
			h := j.h5
			h.open(t, cardLink(t, "履职服务满意度调查"))
			h.pageHas(t, "您参加过几次代表培训")
			pick := func(qid int64, value string) string {
				return fmt.Sprintf(`document.querySelector('input[name="q%d"][value="%s"]').checked = true;`, qid, value)
			}
			eval[bool](t, h, `(() => {`+pick(q[0].ID, "2")+pick(q[1].ID, "1")+pick(q[1].ID, "3")+pick(q[2].ID, "4")+`
				document.querySelector('textarea[name="q`+fmt.Sprint(q[3].ID)+`"]').value = '希望多组织调研';
				return true })()`)
			h.submit(t, chromedp.Click(chromedp.CSS(`form.h5-form button[type=submit]`)))
			h.pageHas(t, "问卷已提交")
			mine := h.text(t, "#my-answers")
			for _, want := range []string{"您参加过几次代表培训？", "1 次", "宪法法律、调查研究", "4 分", "希望多组织调研"} {
				if !strings.Contains(mine, want) {
					t.Fatalf("the answers shown %q lack %q", mine, want)
				}
			}
			if note := h.text(t, "#change-note"); !strings.Contains(note, "前可以修改") {
				t.Fatalf("the page does not say the answers can be changed: %q", note)
			}
			// The form starts from the answers given.
			if !eval[bool](t, h, fmt.Sprintf(`document.querySelector('input[name="q%d"][value="2"]').checked`, q[0].ID)) {
				t.Fatal("the form does not show the answer given")
			}
			h.screenshot(t, j.shots, "h5-survey-answered.png")
		}},
		{"待回复 on the meeting page is not green", func(t *testing.T, ctx context.Context) {
			j.inviteToMeeting(t, ctx, "代表履职学习班")
			h := j.h5
			h.open(t, cardLink(t, "代表履职学习班"))
			if got := h.text(t, "#rsvp-status"); got != "待回复" {
				t.Fatalf("我的回执 reads %q", got)
			}
			color := eval[string](t, h, `getComputedStyle(document.getElementById('rsvp-status')).color`)
			if color == "rgb(7, 193, 96)" {
				t.Fatalf("待回复 is shown in green (%s)", color)
			}
			h.screenshot(t, j.shots, "h5-meeting-pending.png")
		}},
		{"the console's opinion page uses no pronoun for the deputy", func(t *testing.T, ctx context.Context) {
			receipt, err := core.NewOpinions(j.db).Submit(ctx, j.deputy.ID, model.Opinion{Category: model.OpinionSocial, Body: "建议增加公交班次"})
			if err != nil {
				t.Fatal(err)
			}
			o, err := core.NewOpinions(j.db).ByReceipt(ctx, receipt)
			if err != nil {
				t.Fatal(err)
			}
			c := j.console
			c.open(t, fmt.Sprintf("/admin/opinions/%d", o.ID))
			body := eval[string](t, c, `document.body.innerText`)
			if !strings.Contains(body, "建议增加公交班次") || strings.Contains(body, "他的") || strings.Contains(body, "她的") {
				t.Fatalf("the opinion page reads %q", body)
			}
			c.pageHas(t, "该代表的全部意见")
		}},
	}
	j.walk(t, ctx, steps)
}
