package h5_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/handlers"
	"deputybot/handlers/h5"
	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

// h5World is a database with one bound deputy, the H5 pages mounted as the
// server mounts them, and a client that does not follow redirects.
type h5World struct {
	db     *storage.DB
	clock  *testkit.Clock
	signer *notify.Signer
	srv    *httptest.Server
	log    *testkit.LogBuffer
	deputy model.Deputy
	other  model.Deputy // a second bound deputy
	client *http.Client
}

func newH5World(t *testing.T, db *storage.DB, oauth h5.OAuth) *h5World {
	t.Helper()
	ctx := context.Background()
	w := &h5World{db: db, clock: testkit.NewClock(), log: &testkit.LogBuffer{}}
	db.SetClock(w.clock.Now)
	var err error
	if w.signer, err = notify.NewSigner(ctx, db); err != nil {
		t.Fatal(err)
	}
	w.signer.Now = w.clock.Now
	w.deputy = h5Deputy(t, db, "王建国", "13800000001", "oid-wang")
	w.other = h5Deputy(t, db, "李秀英", "13800000002", "oid-li")

	log := slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.srv = httptest.NewUnstartedServer(nil)
	public := "http://" + w.srv.Listener.Addr().String()
	page := h5.Handler(h5.Deps{Services: core.New(db, core.Options{Now: w.clock.Now}), Signer: w.signer, Log: log, OAuth: oauth,
		PublicURL: public})
	w.srv.Config.Handler = handlers.New(handlers.Deps{Log: log, DB: db, H5: page})
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	w.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return w
}

func h5Deputy(t *testing.T, db *storage.DB, name, phone, openid string) model.Deputy {
	t.Helper()
	d := model.Deputy{Name: name, Level: model.LevelProvincial, Delegation: "济南市代表团", Phone: phone}
	if err := db.CreateDeputy(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	if openid != "" {
		if err := db.BindDeputy(context.Background(), d.ID, openid); err != nil {
			t.Fatal(err)
		}
		d.OpenID = openid
	}
	return d
}

// deliver pushes n to the deputy through a campaign, records it sent, and
// returns the delivery id and the page's path with its signed token.
func (w *h5World) deliver(t *testing.T, n model.Notice) (int64, string) {
	t.Helper()
	ctx := context.Background()
	c := model.Campaign{Audience: model.Audience{DeputyIDs: []int64{w.deputy.ID}}}
	if err := w.db.CreateCampaign(ctx, &n, &c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.db.ExpandBatch(ctx, c, "c:"+strconv.FormatInt(c.ID, 10), false, 0, 100); err != nil {
		t.Fatal(err)
	}
	rows, err := w.db.ClaimDue(ctx, "test", w.clock.Now(), 100, time.Minute, false)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, r := range rows {
		if r.NoticeID == n.ID {
			id = r.ID
		}
	}
	if id == 0 {
		t.Fatalf("no delivery claimed for notice %d", n.ID)
	}
	err = w.db.FinishDeliveries(ctx, w.clock.Now().Format("2006-01-02"),
		[]model.Outcome{{ID: id, Status: model.DeliverySent, MsgID: 7000 + id, Channel: "template"}})
	if err != nil {
		t.Fatal(err)
	}
	return id, w.link(id, w.deputy.ID)
}

func (w *h5World) link(deliveryID, deputyID int64) string {
	tok := w.signer.Token(h5.DeliveryLinkSubject(deliveryID), deputyID)
	return "/h5/d/" + strconv.FormatInt(deliveryID, 10) + "?t=" + url.QueryEscape(tok)
}

// postPath is the form action of a delivery page for verb.
func postPath(link, verb string) string {
	p, q, _ := strings.Cut(link, "?")
	return p + "/" + verb + "?" + q
}

type h5Resp struct {
	status   int
	body     string
	location string
}

func (w *h5World) do(t *testing.T, method, path string, form url.Values, header http.Header) h5Resp {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return h5Resp{resp.StatusCode, string(b), resp.Header.Get("Location")}
}

func (w *h5World) get(t *testing.T, path string) h5Resp { return w.do(t, "GET", path, nil, nil) }

// post submits a form the way the page does, and follows the redirect of
// a successful answer to its result page.
func (w *h5World) post(t *testing.T, path string, form url.Values) (h5Resp, h5Resp) {
	t.Helper()
	r := w.do(t, "POST", path, form, nil)
	if r.status != http.StatusSeeOther {
		return r, h5Resp{}
	}
	return r, w.get(t, r.location)
}

func mustContain(t *testing.T, r h5Resp, status int, want ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
	for _, s := range want {
		if !strings.Contains(r.body, s) {
			t.Fatalf("page does not contain %q:\n%s", s, r.body)
		}
	}
}

func mustNotContain(t *testing.T, r h5Resp, unwanted ...string) {
	t.Helper()
	for _, s := range unwanted {
		if strings.Contains(r.body, s) {
			t.Fatalf("page contains %q:\n%s", s, r.body)
		}
	}
}

func TestH5DeliveryLinks(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		n := model.Notice{Kind: "notice", Title: "关于开展代表集中视察的通知",
			Body: "各位代表：\n\n定于三月开展集中视察。<script>alert(1)</script>\n\n请准时参加。"}
		id, link := w.deliver(t, n)
		tampered := strings.Replace(link, "t=", "t=9", 1)
		otherDeputy := w.link(id, w.other.ID)

		tests := []struct {
			name     string
			path     func() string
			status   int
			want     []string
			unwanted []string
		}{
			{"a valid link shows the notice with its body as escaped paragraphs", func() string { return link }, http.StatusOK,
				[]string{"关于开展代表集中视察的通知", "<p>定于三月开展集中视察。&lt;script&gt;", "<p>请准时参加。</p>", "2026年3月2日（周一）09:00",
					`name="viewport" content="width=device-width, initial-scale=1"`, "/h5/static/weui.min.css?v="},
				[]string{"<script>"}},
			{"a tampered token is refused with the explanation and no data", func() string { return tampered }, http.StatusForbidden,
				[]string{"链接无效", "从原来的消息重新打开"}, []string{"集中视察"}},
			{"a token without a deputy's signature part is refused", func() string { return "/h5/d/" + strconv.FormatInt(id, 10) }, http.StatusForbidden,
				[]string{"链接无效"}, []string{"集中视察"}},
			{"a link signed for another deputy is refused", func() string { return otherDeputy }, http.StatusForbidden,
				[]string{"链接无效"}, []string{"集中视察"}},
			{"a link to a delivery that does not exist is 404", func() string { return w.link(id+1000, w.deputy.ID) }, http.StatusNotFound,
				[]string{"内容不存在"}, []string{"集中视察"}},
			{"an expired link is refused and says how to get a new one", func() string {
				w.clock.Advance(notify.LinkTTL + time.Hour)
				return link
			}, http.StatusForbidden, []string{"链接已过期", "请在公众号中回复“我的会议”重新获取"}, []string{"集中视察"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := w.get(t, tt.path())
				mustContain(t, r, tt.status, tt.want...)
				mustNotContain(t, r, tt.unwanted...)
			})
		}
		d, err := db.GetDelivery(context.Background(), id)
		if err != nil || d.Status != model.DeliveryRead || !d.ReadAt.Valid {
			t.Fatalf("delivery after opening: %+v, %v", d, err)
		}
		tok, _ := url.QueryUnescape(link[strings.Index(link, "t=")+2:])
		if strings.Contains(w.log.String(), tok) || strings.Contains(w.log.String(), "集中视察") {
			t.Fatalf("the log holds a token or notice text:\n%s", w.log.String())
		}
	})
}

func TestH5MeetingRSVP(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		ctx := context.Background()
		now := w.clock.Now()
		m := model.Meeting{Kind: "session", Title: "省十四届人大常委会第十五次会议", StartsAt: now.Add(72 * time.Hour),
			RSVPDeadline: now.Add(48 * time.Hour), Place: "省人大常委会机关二楼会议室", Contact: "代表工委 0531-12345678"}
		meetings := core.New(db, core.Options{Now: w.clock.Now}).Meetings
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := meetings.Invite(ctx, core.CLIActor(model.Account{}, "test"), m.ID, model.Audience{DeputyIDs: []int64{w.deputy.ID}}); err != nil {
			t.Fatal(err)
		}
		_, link := w.deliver(t, model.Notice{Kind: "meeting", Title: "列席邀请", Body: "诚邀您列席会议。", RefKind: "meeting", RefID: m.ID})

		page := w.get(t, link)
		mustContain(t, page, http.StatusOK, "省十四届人大常委会第十五次会议", "2026年3月5日（周四）09:00", "省人大常委会机关二楼会议室",
			"回执截止", "2026年3月4日（周三）09:00", "待回复", ">参加</button>", ">请假</button>")

		tests := []struct {
			name    string
			advance time.Duration
			form    url.Values
			status  int
			want    []string
			check   func(t *testing.T, inv model.Invitation)
		}{
			{"a leave without a reason shows the form again and records nothing", 0,
				url.Values{"status": {"leave"}, "reason": {"  "}}, http.StatusUnprocessableEntity,
				[]string{"请假事由：不能为空", ">请假</button>"},
				func(t *testing.T, inv model.Invitation) {
					if inv.Status != model.RSVPPending {
						t.Fatalf("invitation %+v", inv)
					}
				}},
			{"a reason that is not UTF-8 is refused before anything is stored", 0,
				url.Values{"status": {"leave"}, "reason": {"外出\xff\xfe考察"}}, http.StatusBadRequest,
				[]string{"无法识别的字符"},
				func(t *testing.T, inv model.Invitation) {
					if inv.Status != model.RSVPPending {
						t.Fatalf("invitation %+v", inv)
					}
				}},
			{"a leave with a reason is the same record the chat writes, on the h5 channel", 0,
				url.Values{"status": {"leave"}, "reason": {"外出考察"}}, http.StatusOK,
				[]string{"已记录您的回执：请假。请假事由：外出考察", "<strong class=\"h5-status h5-status-leave\" id=\"rsvp-status\">请假</strong>"},
				func(t *testing.T, inv model.Invitation) {
					if inv.Status != model.RSVPLeave || inv.Reason != "外出考察" || inv.Channel != "h5" || !inv.AnsweredAt.Valid {
						t.Fatalf("invitation %+v", inv)
					}
					if asks, _ := db.OpenAsks(ctx, w.deputy.ID); len(asks) != 0 {
						t.Fatalf("the chat's ask is still open: %+v", asks)
					}
				}},
			{"changing to attend before the deadline is recorded", time.Hour,
				url.Values{"status": {"attend"}}, http.StatusOK, []string{"已记录您的回执：参加"},
				func(t *testing.T, inv model.Invitation) {
					if inv.Status != model.RSVPAttend || inv.Reason != "" {
						t.Fatalf("invitation %+v", inv)
					}
				}},
			{"after the deadline the answer is refused with the closed message", 48 * time.Hour,
				url.Values{"status": {"leave"}, "reason": {"临时有事"}}, http.StatusUnprocessableEntity,
				[]string{"回执已截止，不能再提交或修改"},
				func(t *testing.T, inv model.Invitation) {
					if inv.Status != model.RSVPAttend {
						t.Fatalf("invitation %+v", inv)
					}
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w.clock.Advance(tt.advance)
				r, result := w.post(t, postPath(link, "rsvp"), tt.form)
				if tt.status == http.StatusOK {
					if !strings.Contains(r.location, "done=rsvp") {
						t.Fatalf("redirect to %q", r.location)
					}
					r = result
				}
				mustContain(t, r, tt.status, tt.want...)
				inv, err := db.GetInvitation(ctx, m.ID, w.deputy.ID)
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, inv)
			})
		}
		mustNotContain(t, w.get(t, link), ">参加</button>")
	})
}

// replied creates a suggestion led by lead that the unit has answered.
func replied(t *testing.T, db *storage.DB, clock *testkit.Clock, number string, lead int64) model.Suggestion {
	t.Helper()
	ctx := context.Background()
	svc := core.NewSuggestions(db)
	svc.Now = clock.Now
	sg := model.Suggestion{Number: number, Title: "关于加强农村饮水安全保障的建议", HostUnit: "省水利厅", LeadDeputyID: lead}
	if err := svc.Create(ctx, &sg, nil); err != nil {
		t.Fatal(err)
	}
	st := model.SuggestionStep{SuggestionID: sg.ID, Kind: model.StepReplied, Actor: "省水利厅", ReplyCategory: "A",
		Note: "已将农村饮水工程列入年度计划。\n\n今年完成改造120处。"}
	if err := svc.RecordStep(ctx, &st); err != nil {
		t.Fatal(err)
	}
	return sg
}

func TestH5Rating(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		ctx := context.Background()
		mine := replied(t, db, w.clock, "101", w.deputy.ID)
		theirs := replied(t, db, w.clock, "102", w.other.ID)
		_, link := w.deliver(t, model.Notice{Kind: "suggestion", Title: "建议已答复", RefKind: "suggestion", RefID: mine.ID})
		_, theirLink := w.deliver(t, model.Notice{Kind: "suggestion", Title: "建议已答复", RefKind: "suggestion", RefID: theirs.ID})

		mustContain(t, w.get(t, link), http.StatusOK, "第0101号", "省水利厅", "A类（所提问题已经解决或基本解决）",
			"<p>今年完成改造120处。</p>", "当面沟通", "基本满意", "不满意的理由", ">提交测评</button>")
		mustContain(t, w.get(t, theirLink), http.StatusOK, "您不是该建议的领衔或附议代表")
		mustNotContain(t, w.get(t, theirLink), ">提交测评</button>")

		tests := []struct {
			name   string
			link   string
			form   url.Values
			status int
			want   []string
			stored bool
		}{
			{"不满意 without a reason shows the form again with the message and saves nothing", link,
				url.Values{"contact": {"phone"}, "attitude": {"satisfied"}, "result": {"dissatisfied"}}, http.StatusUnprocessableEntity,
				[]string{"不满意理由：选择“不满意”时请说明理由", `value="phone" id="contact-phone" checked`}, false},
			{"a deputy not on the suggestion is refused", theirLink,
				url.Values{"contact": {"phone"}, "attitude": {"satisfied"}, "result": {"satisfied"}}, http.StatusUnprocessableEntity,
				[]string{"您不是该建议的领衔或附议代表，不能进行满意度测评"}, false},
			{"a complete rating is recorded and stated", link,
				url.Values{"contact": {"face"}, "attitude": {"satisfied"}, "result": {"basic"}}, http.StatusOK,
				[]string{"已记录您的满意度测评：沟通方式 当面沟通，办理态度 满意，办理结果 基本满意", ">修改测评</button>"}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, result := w.post(t, postPath(tt.link, "rate"), tt.form)
				if tt.status == http.StatusOK {
					r = result
				}
				mustContain(t, r, tt.status, tt.want...)
			})
		}
		rt, err := db.GetRating(ctx, mine.ID, w.deputy.ID)
		if err != nil || rt.Contact != model.ContactFace || rt.Result != model.RatingBasic {
			t.Fatalf("rating %+v, %v", rt, err)
		}
		if _, err := db.GetRating(ctx, theirs.ID, w.deputy.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a rating was stored for someone else's suggestion: %v", err)
		}
	})
}

func TestH5SurveyMaterialSolicitation(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newH5World(t, db, h5.OAuth{})
		ctx := context.Background()
		now := w.clock.Now()

		surveys := core.NewSurveys(db)
		surveys.SetClock(w.clock.Now)
		sv := model.Survey{Title: "代表履职需求调查", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(7 * 24 * time.Hour),
			Questions: []model.SurveyQuestion{
				{Kind: model.QuestionSingle, Text: "您最希望参加哪类学习？", Options: []string{"法律知识", "经济知识"}},
				{Kind: model.QuestionMulti, Text: "您关注哪些领域？", Options: []string{"教育", "医疗", "交通"}},
				{Kind: model.QuestionScale, Text: "对履职服务的满意程度"},
				{Kind: model.QuestionText, Text: "其他建议", Optional: true},
			}}
		if err := surveys.Create(ctx, &sv); err != nil {
			t.Fatal(err)
		}
		materials := core.NewMaterials(db)
		materials.SetClock(w.clock.Now)
		mat := model.Material{Title: "中华人民共和国全国人民代表大会和地方各级人民代表大会代表法", Body: "第一条 为了保证代表依法行使职权。",
			PublishedAt: now.Add(-time.Hour)}
		if err := db.CreateMaterial(ctx, &mat); err != nil {
			t.Fatal(err)
		}
		opinions := core.NewOpinions(db)
		opinions.SetClock(w.clock.Now)
		sol := model.Solicitation{Title: "《某省数据条例（草案）》征求意见", Summary: "草案共五章。", Link: "https://example.gov.cn/draft.pdf",
			Articles: 30, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(7 * 24 * time.Hour)}
		if err := opinions.CreateSolicitation(ctx, &sol); err != nil {
			t.Fatal(err)
		}
		_, surveyLink := w.deliver(t, model.Notice{Kind: "survey", Title: "问卷", RefKind: "survey", RefID: sv.ID})
		_, matLink := w.deliver(t, model.Notice{Kind: "material", Title: "学习材料", RefKind: "material", RefID: mat.ID})
		_, solLink := w.deliver(t, model.Notice{Kind: "solicitation", Title: "征求意见", RefKind: "solicitation", RefID: sol.ID})
		q := func(i int) string { return "q" + strconv.FormatInt(sv.Questions[i].ID, 10) }

		mustContain(t, w.get(t, surveyLink), http.StatusOK, "您最希望参加哪类学习？", `type="checkbox"`, "5 分", "（填空题，选答）", "提交问卷")
		mustContain(t, w.get(t, matLink), http.StatusOK, "第一条 为了保证代表依法行使职权。", ">学完</button>")
		mustContain(t, w.get(t, solLink), http.StatusOK, "草案共 30 条", `href="https://example.gov.cn/draft.pdf"`, "提交意见")

		tests := []struct {
			name   string
			path   string
			form   url.Values
			status int
			want   []string
		}{
			{"a survey missing a required answer shows the form again", postPath(surveyLink, "survey"),
				url.Values{q(0): {"1"}, q(1): {"1", "3"}}, http.StatusUnprocessableEntity, []string{"第3题：必答，请作答"}},
			{"a complete survey is stored", postPath(surveyLink, "survey"),
				url.Values{q(0): {"2"}, q(1): {"1", "3"}, q(2): {"4"}, q(3): {"希望多组织调研"}}, http.StatusOK,
				[]string{"问卷已提交，感谢您的参与。"}},
			{"已学习 marks the material studied", postPath(matLink, "studied"), url.Values{}, http.StatusOK,
				[]string{"已记录：您已学习《中华人民共和国", "已计入履职档案"}},
			{"an empty opinion is refused", postPath(solLink, "opinion"), url.Values{"article": {"12"}, "body": {""}},
				http.StatusUnprocessableEntity, []string{"意见内容：不能为空"}},
			{"an opinion on the draft returns its receipt", postPath(solLink, "opinion"),
				url.Values{"article": {"12"}, "body": {"建议明确公共数据开放的范围。"}}, http.StatusOK,
				[]string{"您对第十二条的意见已收到，回执编号 YJ"}},
			{"a verb that does not fit the notice is 404", postPath(matLink, "rsvp"), url.Values{}, http.StatusNotFound,
				[]string{"内容不存在"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r, result := w.post(t, tt.path, tt.form)
				if tt.status == http.StatusOK {
					r = result
				}
				mustContain(t, r, tt.status, tt.want...)
			})
		}

		res, err := surveys.Results(ctx, sv.ID)
		if err != nil || res.Responses != 1 || res.Questions[1].Counts[0] != 1 || res.Questions[1].Counts[2] != 1 ||
			len(res.Questions[3].Texts) != 1 {
			t.Fatalf("survey results %+v, %v", res, err)
		}
		latest, err := materials.Latest(ctx, w.deputy.ID, 5)
		if err != nil || len(latest) != 1 || !latest[0].Studied() {
			t.Fatalf("materials %+v, %v", latest, err)
		}
		ops, err := db.OpinionsOfDeputy(ctx, w.deputy.ID, 0)
		if err != nil || len(ops) != 1 || ops[0].Article != "第十二条" || ops[0].SolicitationID != sol.ID {
			t.Fatalf("opinions %+v, %v", ops, err)
		}
		// A receipt in the URL that is not this deputy's is not shown.
		mustNotContain(t, w.get(t, solLink+"&done=opinion&r=YJ2026-99999"), "回执编号 YJ2026-99999")
		if strings.Contains(w.log.String(), "公共数据开放") || strings.Contains(w.log.String(), "希望多组织调研") {
			t.Fatalf("the log holds an answer's text:\n%s", w.log.String())
		}
	})
}

func TestH5CrossOriginPostRefused(t *testing.T) {
	w := newH5World(t, storagetest.Open(t, storage.SQLite), h5.OAuth{})
	ctx := context.Background()
	mat := model.Material{Title: "代表法", Body: "正文", PublishedAt: w.clock.Now().Add(-time.Hour)}
	materials := core.NewMaterials(w.db)
	materials.SetClock(w.clock.Now)
	if err := w.db.CreateMaterial(ctx, &mat); err != nil {
		t.Fatal(err)
	}
	_, link := w.deliver(t, model.Notice{Kind: "material", Title: "学习材料", RefKind: "material", RefID: mat.ID})
	tests := []struct {
		name   string
		header http.Header
		status int
	}{
		{"a post from another site is refused", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"a post with a foreign Origin is refused", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"a same-origin post is accepted", http.Header{"Sec-Fetch-Site": {"same-origin"}}, http.StatusSeeOther},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(t, "POST", postPath(link, "studied"), url.Values{}, tt.header)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			latest, _ := materials.Latest(ctx, w.deputy.ID, 1)
			if studied := len(latest) == 1 && latest[0].Studied(); studied != (i == len(tests)-1) {
				t.Fatalf("studied = %v after %q", studied, tt.name)
			}
		})
	}
}

func TestH5StaticAssets(t *testing.T) {
	w := newH5World(t, storagetest.Open(t, storage.SQLite), h5.OAuth{})
	req, _ := http.NewRequest("GET", w.srv.URL+"/h5/static/weui.min.css", nil)
	resp, err := w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=31536000") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(string(b), "Licensed under the MIT license") {
		t.Fatalf("%d %v %.200s", resp.StatusCode, resp.Header, b)
	}
	if r := w.get(t, "/h5/static/nope.css"); r.status != http.StatusNotFound {
		t.Fatalf("missing asset: %d", r.status)
	}
}

func ExampleDeliveryLinkSubject() {
	fmt.Println(h5.DeliveryLinkSubject(42))
	// Output: d42
}
