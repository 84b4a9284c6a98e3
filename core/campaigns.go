package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/notify"
)

// Limits of a notice.
const (
	campaignMaxTitle  = 100
	campaignMaxBody   = 20000
	campaignMaxLink   = 500
	campaignMaxField  = 60
	campaignMaxFields = 20
)

// TestTitle starts the title of a test send, so the one who receives it
// knows; testField marks a test notice among its fields (no template
// picks a field starting with _).
const (
	TestTitle = model.TestTitlePrefix
	testField = "_test"
)

// IsTestNotice reports whether n was sent as a test.
func IsTestNotice(n model.Notice) bool { return n.Fields[testField] != "" }

// IsTestTitle reports whether a campaign's title marks it as a test (the
// lists know a campaign by its title).
func IsTestTitle(title string) bool { return strings.HasPrefix(title, TestTitle) }

// CampaignInput is a notice to send and to whom, as the console's compose
// form and the API's body give it.
type CampaignInput struct {
	Kind, Title, Body, Link string
	Urgent                  bool
	// Fields are the template keyword values by name (time, note …);
	// time defaults to the send time.
	Fields map[string]string
	// Scheduled sends at SendAt instead of now; a SendAt given is
	// scheduled too. SendAt is RFC 3339 or local "2006-01-02 15:04".
	Scheduled bool
	SendAt    string
	Audience  model.Audience
}

// CampaignDetail is a campaign with its notice and its deliveries counted
// by status.
type CampaignDetail struct {
	model.Campaign
	Notice model.Notice
	Counts map[string]int
	Total  int
}

// Test reports whether the campaign was a test send.
func (d CampaignDetail) Test() bool { return IsTestNotice(d.Notice) }

// TemplateLookup tells the template configured for a notice kind (the
// outbox's: the saved override, else the configured one).
type TemplateLookup func(kind string) (notify.Template, bool)

// UseTemplates lets the preview show the template message as the
// dispatcher will send it; without one, the common layout (title, time,
// note) is shown.
func (s *Campaigns) UseTemplates(t TemplateLookup) {
	if t == nil {
		s.templates.Store(nil)
		return
	}
	s.templates.Store(&t)
}

// ParseSendTime reads a time as typed (a datetime-local input, a date and
// time with a space) in loc, or RFC 3339.
func ParseSendTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// notice checks in's notice and time and returns the notice to store and
// when to send it (zero: now), with the problems found.
func (s *Campaigns) notice(in CampaignInput, now time.Time) (model.Notice, time.Time, ValidationError) {
	var errs ValidationError
	if _, ok := model.KindLabels[in.Kind]; !ok {
		msg := "请选择通知类型"
		if in.Kind != "" {
			msg = "未知的通知类型，请选择通知类型"
		}
		errs = append(errs, &FieldError{Key: "kind", Label: "类型", Value: in.Kind, Msg: msg})
	}
	title, body, link := strings.TrimSpace(in.Title), strings.TrimSpace(in.Body), strings.TrimSpace(in.Link)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		errs = append(errs, &FieldError{Key: "title", Label: "标题", Msg: "不能为空"})
	case n > campaignMaxTitle:
		errs = append(errs, &FieldError{Key: "title", Label: "标题", Msg: fmt.Sprintf("最多 %d 个字（现 %d 个）", campaignMaxTitle, n)})
	}
	if n := utf8.RuneCountInString(body); n > campaignMaxBody {
		errs = append(errs, &FieldError{Key: "body", Label: "正文", Msg: fmt.Sprintf("最多 %d 个字（现 %d 个）", campaignMaxBody, n)})
	}
	if link != "" {
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(link) > campaignMaxLink {
			errs = append(errs, &FieldError{Key: "link", Label: "链接", Value: link, Msg: "应为以 https:// 开头的网址（不填则打开通知详情页）"})
		}
	}
	fields := map[string]string{}
	if len(in.Fields) > campaignMaxFields {
		errs = append(errs, &FieldError{Key: "fields", Label: "模板字段", Msg: fmt.Sprintf("最多 %d 项", campaignMaxFields)})
	}
	keys := make([]string, 0, len(in.Fields))
	for k := range in.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(in.Fields[k])
		switch {
		case (k == "time" || k == "note") && utf8.RuneCountInString(v) > campaignMaxField:
			label := map[string]string{"time": "时间字段", "note": "备注字段"}[k]
			errs = append(errs, &FieldError{Key: "field_" + k, Label: label, Msg: fmt.Sprintf("最多 %d 个字", campaignMaxField)})
		case k == "" || strings.HasPrefix(k, "_") || len(k) > 32 || utf8.RuneCountInString(v) > campaignMaxField:
			errs = append(errs, &FieldError{Key: "fields", Label: "模板字段", Value: k,
				Msg: fmt.Sprintf("名称应为 1–32 个字符（不以 _ 开头），值最多 %d 个字", campaignMaxField)})
		case v != "":
			fields[k] = v
		}
	}
	var at time.Time
	if in.Scheduled || strings.TrimSpace(in.SendAt) != "" {
		t, err := ParseSendTime(in.SendAt, s.loc)
		switch {
		case err != nil:
			errs = append(errs, &FieldError{Key: "send_at", Label: "发送时间", Value: in.SendAt, Msg: "请填写发送的日期和时间，如 2026-03-05 09:00"})
		case !t.After(now):
			errs = append(errs, &FieldError{Key: "send_at", Label: "发送时间", Msg: "定时发送的时间应晚于现在"})
		default:
			at = t
		}
	}
	if fields["time"] == "" {
		when := at
		if when.IsZero() {
			when = now
		}
		fields["time"] = when.In(s.loc).Format("2006年1月2日 15:04")
	}
	return model.Notice{Kind: in.Kind, Title: title, Body: body, Link: link, Urgent: in.Urgent, Fields: fields}, at, errs
}

// Create stores a campaign: in's notice sent to its audience now or at
// its time, by the outbox's dispatchers.
func (s *Campaigns) Create(ctx context.Context, by Actor, in CampaignInput) (CampaignDetail, error) {
	if err := by.Require(Editors...); err != nil {
		return CampaignDetail{}, err
	}
	var out CampaignDetail
	err := s.tx(ctx, func(ctx context.Context) error {
		now := s.now()
		n, at, errs := s.notice(in, now)
		if IsTestTitle(n.Title) {
			errs = append(errs, &FieldError{Key: "title", Label: "标题", Msg: "以“" + TestTitle + "”开头的标题留给测试发送，请改写标题"})
		}
		errs, err := s.checkInviteAudience(ctx, in.Audience, errs)
		if err != nil || len(errs) > 0 {
			return cmpErr(errs, err)
		}
		when := "立即发送"
		if !at.IsZero() {
			when = "定时于 " + at.In(s.loc).Format("2006-01-02 15:04") + " 发送"
		}
		if out, err = s.create(ctx, by, n, in.Audience, at); err != nil {
			return err
		}
		return s.audit(ctx, by, "campaign.create", campaignObject(out.ID), fmt.Sprintf("通知“%s”（%s），对象：%s，%s",
			n.Title, kindLabel(n.Kind), AudienceText(in.Audience), when))
	})
	return out, err
}

// TestRecipient is whom a test send goes to: the staff member sending it
// (their own WeChat, bound with a code on 我的微信), or one deputy, by id
// or by name as typed.
type TestRecipient struct {
	Me       bool
	DeputyID int64
	Deputy   string // a name, or an id, as typed
}

// TestSent is a test send: the campaign it made (to a deputy; zero for
// one to the sender's own WeChat) and whom it went to.
type TestSent struct {
	CampaignDetail
	To string // 王芳, or 本人（张明）
}

// Test sends in's notice now to one recipient, as a test: its title
// starts with 【测试】, quiet hours do not hold it, and only that one gets
// it. A recipient who cannot receive it (no WeChat bound, not following,
// no longer in office) is refused with the reason, and nothing is sent.
// The audience and time of in are not used; test sends stay out of the
// campaign list and the daily counts.
func (s *Campaigns) Test(ctx context.Context, by Actor, in CampaignInput, to TestRecipient) (TestSent, error) {
	if err := by.Require(Editors...); err != nil {
		return TestSent{}, err
	}
	var out TestSent
	err := s.tx(ctx, func(ctx context.Context) error {
		in.Scheduled, in.SendAt = false, ""
		n, _, errs := s.notice(in, s.now())
		n.Title = TestTitle + strings.TrimPrefix(n.Title, TestTitle)
		n.Fields[testField] = "1"
		n.Urgent = true // a test is looked at now, quiet hours or not
		n.CreatedBy = by.handle()
		if to.Me {
			return s.testToMe(ctx, by, n, errs, &out)
		}
		d, derr, err := s.testDeputy(ctx, to)
		if err != nil {
			return err
		}
		if derr != nil {
			errs = append(errs, derr)
		}
		if len(errs) > 0 {
			return errs
		}
		if out.CampaignDetail, err = s.create(ctx, by, n, model.Audience{DeputyIDs: []int64{d.ID}}, time.Time{}); err != nil {
			return err
		}
		out.To = d.Name
		return s.audit(ctx, by, "campaign.test", campaignObject(out.ID), fmt.Sprintf("测试通知“%s”发给代表 %s（#%d）", n.Title, d.Name, d.ID))
	})
	return out, err
}

// testDeputy finds the deputy a test goes to and checks they can receive
// it; a problem is returned as a field error.
func (s *Campaigns) testDeputy(ctx context.Context, to TestRecipient) (model.Deputy, *FieldError, error) {
	refuse := func(msg string) (model.Deputy, *FieldError, error) {
		return model.Deputy{}, &FieldError{Key: "test_deputy", Label: "测试代表", Value: to.Deputy, Msg: msg}, nil
	}
	typed := strings.TrimSpace(to.Deputy)
	id := to.DeputyID
	if id == 0 && typed != "" {
		if n, err := strconv.ParseInt(typed, 10, 64); err == nil && n > 0 {
			id = n
		}
	}
	var d model.Deputy
	switch {
	case id > 0:
		var err error
		if d, err = s.db.GetDeputy(ctx, id); errors.Is(err, model.ErrNotFound) {
			return refuse("没有这些编号的代表：" + strconv.FormatInt(id, 10))
		} else if err != nil {
			return model.Deputy{}, nil, err
		}
	case typed == "":
		return refuse("请填写接收测试的代表编号或姓名")
	default:
		ds, _, err := s.db.ListDeputies(ctx, model.DeputyFilter{Query: typed, Limit: 50})
		if err != nil {
			return model.Deputy{}, nil, err
		}
		var named []model.Deputy
		for _, x := range ds {
			if x.Name == typed {
				named = append(named, x)
			}
		}
		switch len(named) {
		case 0:
			return refuse(fmt.Sprintf("没有名为“%s”的代表", typed))
		case 1:
			d = named[0]
		default:
			ids := make([]string, len(named))
			for i, x := range named {
				ids[i] = fmt.Sprintf("%d（%s）", x.ID, x.Delegation)
			}
			return refuse(fmt.Sprintf("有 %d 位代表名为“%s”，请改填编号：%s", len(named), typed, strings.Join(ids, "、")))
		}
	}
	_, reachable, err := s.db.AudienceCount(ctx, model.Audience{DeputyIDs: []int64{d.ID}})
	if err != nil {
		return model.Deputy{}, nil, err
	}
	switch {
	case reachable > 0:
		return d, nil, nil
	case d.OpenID == "":
		return refuse(d.Name + " 尚未绑定微信，收不到测试通知；请改发给已绑定的代表或您本人")
	default:
		return refuse(d.Name + " 已取消关注公众号或已不在任，收不到测试通知")
	}
}

// testToMe sends n to the sender's own WeChat.
func (s *Campaigns) testToMe(ctx context.Context, by Actor, n model.Notice, errs ValidationError, out *TestSent) error {
	refuse := func(msg string) error {
		return append(errs, &FieldError{Key: "test_to", Label: "发送测试", Msg: msg})
	}
	if by.Account.ID == 0 {
		return refuse("只有登录的账号能发给本人，请改发给一位代表")
	}
	w, err := s.db.StaffWeChatOf(ctx, by.Account.ID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	if !w.Bound() {
		return refuse("您的账号尚未绑定微信，收不到测试通知：请先在“我的微信”页用绑定码绑定，或改发给一位代表")
	}
	if len(errs) > 0 {
		return errs
	}
	source := fmt.Sprintf("test:a%d:%d", by.Account.ID, s.now().UnixNano())
	_, status, err := s.db.EnqueueDirectNotice(ctx, source, &n, w.OpenID)
	if err != nil {
		return err
	}
	if status == model.DeliverySkipped {
		return refuse("您绑定的微信已取消关注公众号，收不到测试通知")
	}
	out.Notice, out.To = n, "本人（"+by.Name()+"）"
	return s.audit(ctx, by, "campaign.test", "staff/"+strconv.FormatInt(by.Account.ID, 10),
		fmt.Sprintf("测试通知“%s”发给本人微信", n.Title))
}

// create stores n and its campaign; at zero sends now.
func (s *Campaigns) create(ctx context.Context, by Actor, n model.Notice, a model.Audience, at time.Time) (CampaignDetail, error) {
	n.CreatedBy = by.handle()
	if at.IsZero() {
		at = s.now()
	}
	c := model.Campaign{Audience: a, SendAt: at}
	if err := s.db.CreateCampaign(ctx, &n, &c); err != nil {
		return CampaignDetail{}, err
	}
	c, err := s.db.GetCampaign(ctx, c.ID)
	return CampaignDetail{Campaign: c, Notice: n, Counts: map[string]int{}}, err
}

func campaignObject(id int64) string { return fmt.Sprintf("campaign/%d", id) }

func kindLabel(kind string) string {
	if l, ok := model.KindLabels[kind]; ok {
		return l
	}
	return kind
}

// CountAudience counts whom an audience reaches before sending to it,
// after the checks Create makes of it.
func (s *Campaigns) CountAudience(ctx context.Context, by Actor, a model.Audience) (AudienceCount, error) {
	if err := by.Require(Editors...); err != nil {
		return AudienceCount{}, err
	}
	errs, err := s.checkInviteAudience(ctx, a, nil)
	if err != nil || len(errs) > 0 {
		return AudienceCount{}, cmpErr(errs, err)
	}
	total, reachable, err := s.db.AudienceCount(ctx, a)
	if err != nil {
		return AudienceCount{}, err
	}
	return AudienceCount{Total: total, Reachable: reachable, Unreachable: total - reachable}, nil
}

// AudienceChoices lists what the compose page's audience builder offers:
// the delegations and the tags.
func (s *Campaigns) AudienceChoices(ctx context.Context, by Actor) (delegations, tags []string, err error) {
	return s.audienceChoices(ctx, by)
}

// CampaignPreview is what a notice will be before it is sent: whom it
// reaches, and its template message as the phone shows it.
type CampaignPreview struct {
	Notice model.Notice
	Count  *AudienceCount // nil while the input has problems
	Phone  PhonePreview
}

// PhonePreview is the template message of a notice as the phone shows it.
type PhonePreview struct {
	Configured bool // the kind has a template configured
	Known      bool // the configuration could be read
	TemplateID string
	Keywords   []PhoneKeyword
	Warnings   int // keywords cut to 20 characters
}

// PhoneKeyword is one template keyword as the phone shows it.
type PhoneKeyword struct {
	Key, Source, Value string
	Cut, Empty         bool
	Full               string
}

// Preview checks in as Create would and shows what it will send. With
// problems, the error lists them and the preview still shows the
// template message when there is a title.
func (s *Campaigns) Preview(ctx context.Context, by Actor, in CampaignInput) (CampaignPreview, error) {
	if err := by.Require(Editors...); err != nil {
		return CampaignPreview{}, err
	}
	n, _, errs := s.notice(in, s.now())
	errs, err := s.checkInviteAudience(ctx, in.Audience, errs)
	if err != nil {
		return CampaignPreview{}, err
	}
	var p CampaignPreview
	if n.Title != "" {
		p.Notice, p.Phone = n, s.phone(n)
	}
	if len(errs) > 0 {
		return p, errs
	}
	total, reachable, err := s.db.AudienceCount(ctx, in.Audience)
	if err != nil {
		return CampaignPreview{}, err
	}
	p.Count = &AudienceCount{Total: total, Reachable: reachable, Unreachable: total - reachable}
	return p, nil
}

// phone cuts each keyword value as the dispatcher will.
func (s *Campaigns) phone(n model.Notice) PhonePreview {
	p := PhonePreview{}
	var tmpl notify.Template
	if look := s.templates.Load(); look != nil {
		p.Known = true
		tmpl, p.Configured = (*look)(n.Kind)
	} else {
		tmpl = notify.Template{Fields: map[string]string{"thing1": "title", "time2": "time", "thing3": "note"}}
	}
	p.TemplateID = tmpl.ID
	for _, kw := range tmpl.Keywords(n) {
		p.Keywords = append(p.Keywords, PhoneKeyword{Key: kw.Key, Source: fieldSourceLabel(kw.Source), Full: kw.Full,
			Value: kw.Value, Cut: kw.Cut, Empty: kw.Empty})
		if kw.Cut {
			p.Warnings++
		}
	}
	return p
}

func fieldSourceLabel(src string) string {
	switch src {
	case "title":
		return "标题"
	case "time":
		return "时间"
	case "note":
		return "备注"
	}
	return src
}

// Get returns campaign id with its notice and counts.
func (s *Campaigns) Get(ctx context.Context, by Actor, id int64) (CampaignDetail, error) {
	if err := by.Require(Viewers...); err != nil {
		return CampaignDetail{}, err
	}
	return s.detail(ctx, id)
}

func (s *Campaigns) detail(ctx context.Context, id int64) (CampaignDetail, error) {
	c, err := s.db.GetCampaign(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return CampaignDetail{}, NotFound("通知 %d 不存在", id)
	}
	if err != nil {
		return CampaignDetail{}, err
	}
	d := CampaignDetail{Campaign: c}
	if d.Notice, err = s.db.GetNotice(ctx, c.NoticeID); err != nil {
		return CampaignDetail{}, err
	}
	if d.Counts, err = s.db.CampaignCounts(ctx, c.ID); err != nil {
		return CampaignDetail{}, err
	}
	for _, n := range d.Counts {
		d.Total += n
	}
	return d, nil
}

// List returns one page of campaigns, newest first, with their counts.
func (s *Campaigns) List(ctx context.Context, by Actor, f model.CampaignFilter) ([]model.CampaignSummary, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	return s.db.ListCampaigns(ctx, f)
}

// Deliveries returns one page of a campaign's deliveries (f.CampaignID),
// by id.
func (s *Campaigns) Deliveries(ctx context.Context, by Actor, f model.CampaignDeliveryFilter) ([]model.CampaignDelivery, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	d, err := s.detail(ctx, f.CampaignID)
	if err != nil {
		return nil, 0, err
	}
	return s.DeliveriesOf(ctx, by, d, f)
}

// DeliveriesOf returns one page of the deliveries of d, a campaign just
// read with Get (f.CampaignID is d's), without reading its counts again.
func (s *Campaigns) DeliveriesOf(ctx context.Context, by Actor, d CampaignDetail, f model.CampaignDeliveryFilter) ([]model.CampaignDelivery, int, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, 0, err
	}
	f.CampaignID = d.ID
	// The page's total is in the campaign's counts by status, read just
	// now: counting the campaign's deliveries again would read them all.
	f.Counted = f.AfterID == 0
	dls, total, err := s.db.ListCampaignDeliveries(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Counted {
		total = d.Total
		if f.Status != "" {
			total = d.Counts[f.Status]
		}
	}
	// A waiting delivery says what holds it (quiet hours, the day's quota,
	// a retry) and when it is expected to go.
	return dls, total, s.explainCampaignDeliveries(ctx, dls)
}

// campaignExportBatch is how many rows an export reads at a time.
const campaignExportBatch = 1000

// ExportDeliveries exports the deliveries of campaign id (those in status,
// or all) as Excel, audited.
func (s *Campaigns) ExportDeliveries(ctx context.Context, by Actor, id int64, status string) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		d, err := s.detail(ctx, id)
		if err != nil {
			return err
		}
		sh, err := newSheetWriter("推送明细", []sheetColumn{{"代表", 12}, {"代表团", 18}, {"状态", 10}, {"说明", 30}, {"渠道", 10},
			{"尝试次数", 9}, {"中断重发", 9}, {"生成时间", 17}, {"发送时间", 17}, {"送达时间", 17}, {"阅读时间", 17}})
		if err != nil {
			return err
		}
		at := func(t time.Time) string { return t.In(s.loc).Format("2006-01-02 15:04") }
		var after int64
		rows := 0
		for {
			dls, _, err := s.db.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: id, Status: status, Limit: campaignExportBatch, AfterID: after})
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			for _, l := range dls {
				if err := sh.add(excelize.RowOpts{}, l.DeputyName, l.Delegation, DeliveryStatusLabel(l.Status), l.Reason, ChannelLabel(l.Channel),
					strconv.Itoa(l.Attempts), strconv.Itoa(l.Reclaims), at(l.CreatedAt), nullTime(l.SentAt, at),
					nullTime(l.DeliveredAt, at), nullTime(l.ReadAt, at)); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
			rows += len(dls)
			if len(dls) < campaignExportBatch {
				break
			}
			after = dls[len(dls)-1].ID
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("推送明细-%d-%s.xlsx", id, s.now().In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "campaign.export", campaignObject(id), fmt.Sprintf("导出通知“%s”的推送明细 %d 条", d.Notice.Title, rows))
	})
	return out, err
}

// ExportList exports the campaigns matching f (paging is ignored) as
// Excel, audited.
func (s *Campaigns) ExportList(ctx context.Context, by Actor, f model.CampaignFilter) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		const sheet = "通知推送"
		var cols []sheetColumn
		for _, c := range []string{"编号", "标题", "类别", "状态", "发送对象", "发送时间", "创建人", "紧急", "推送总数", "已发送", "失败"} {
			cols = append(cols, sheetColumn{name: c})
		}
		sh, err := newSheetWriter(sheet, cols)
		if err != nil {
			return err
		}
		n := 0
		for offset := 0; ; offset += campaignExportBatch {
			f.Limit, f.Offset = campaignExportBatch, offset
			cs, _, err := s.db.ListCampaigns(ctx, f)
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			for _, c := range cs {
				urgent := "否"
				if c.Urgent {
					urgent = "是"
				}
				if err := sh.add(excelize.RowOpts{}, strconv.FormatInt(c.ID, 10), c.Title, kindLabel(c.Kind), model.CampaignLabel(c.Status),
					AudienceText(c.Audience), c.SendAt.In(s.loc).Format("2006-01-02 15:04"), c.CreatedBy, urgent,
					strconv.Itoa(c.Total), strconv.Itoa(SentCount(c.Counts)), strconv.Itoa(c.Counts[model.DeliveryFailed])); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
			n += len(cs)
			if len(cs) < campaignExportBatch {
				break
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", sheet, s.now().In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "campaign.export", "campaigns", fmt.Sprintf("导出%s %d 条", sheet, n))
	})
	return out, err
}

// nullTime formats a time that may be unset.
func nullTime(t sql.NullTime, format func(time.Time) string) string {
	if !t.Valid {
		return ""
	}
	return format(t.Time)
}

// SentCount is how many of counts WeChat accepted (sent, delivered or
// read).
func SentCount(counts map[string]int) int {
	return counts[model.DeliverySent] + counts[model.DeliveryDelivered] + counts[model.DeliveryRead]
}

// DeliveryStatusLabel names a delivery status in Chinese.
func DeliveryStatusLabel(st string) string {
	if l := model.DeliveryLabel(st); l != "" {
		return l
	}
	return st
}

// ChannelLabel names the channel a push went through.
func ChannelLabel(ch string) string {
	switch ch {
	case "template":
		return "模板消息"
	case "custom":
		return "客服消息"
	}
	return ch
}

// NoticeKinds lists the notice kinds staff choose from: the common ones
// first, then the rest by name.
func NoticeKinds() []string {
	first := []string{model.KindGeneral, model.KindMaterial, model.KindInvitation, model.KindSurvey,
		model.KindSolicitation, model.KindReminder}
	var rest []string
	for k := range model.KindLabels {
		if !slices.Contains(first, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var out []string
	for _, k := range append(first, rest...) {
		if _, ok := model.KindLabels[k]; ok {
			out = append(out, k)
		}
	}
	return out
}
