package handlers

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

	"deputybot/core"
	"deputybot/model"
	"deputybot/notify"
)

// campaignFieldKeys names the form fields and JSON properties of the
// notice and audience forms, by the Chinese names their errors carry.
var campaignFieldKeys = map[string]string{
	"类型": "kind", "标题": "title", "正文": "body", "链接": "link", "发送时间": "send_at",
	"时间字段": "field_time", "备注字段": "field_note", "测试代表": "test_deputy", "模板字段": "fields",
	"发送对象": "audience", "层级": "levels", "代表编号": "deputy_ids", "会议活动": "meeting_id", "确认": "confirm",
}

// The API maps errors through fieldKeys: add the names it does not know
// yet (never overriding one another page relies on).
func init() {
	for k, v := range campaignFieldKeys {
		if _, ok := fieldKeys[k]; !ok {
			fieldKeys[k] = v
		}
	}
}

// campaignErrors is fieldErrorsOf with this file's names first.
func campaignErrors(err error) (fieldErrors, bool) {
	var verr core.ValidationError
	var ferr *core.FieldError
	switch {
	case errors.As(err, &verr):
	case errors.As(err, &ferr):
		verr = core.ValidationError{ferr}
	default:
		return nil, false
	}
	out := fieldErrors{}
	for _, e := range verr {
		key, ok := e.Key, e.Key != ""
		if !ok {
			key, ok = campaignFieldKeys[e.Label]
		}
		if !ok {
			key, ok = fieldKeys[e.Label]
		}
		msg := e.Msg
		if !ok {
			key, msg = "general", e.Label+"："+e.Msg
		}
		if out[key] != "" {
			msg = out[key] + "；" + msg
		}
		out[key] = msg
	}
	return out, true
}

// Limits of a notice and an audience.
const (
	campaignMaxTitle  = 100
	campaignMaxBody   = 20000
	campaignMaxLink   = 500
	campaignMaxPicked = 5000 // hand-picked ids; the audience is stored as JSON in a TEXT column
	campaignMaxField  = 60
)

var campaignStatusLabels = map[string]string{
	model.CampaignScheduled: "待发送", model.CampaignSending: "发送中", model.CampaignPaused: "已暂停",
	model.CampaignCancelled: "已取消", model.CampaignDone: "已完成",
}

var campaignStatusOrder = []string{model.CampaignScheduled, model.CampaignSending, model.CampaignPaused,
	model.CampaignDone, model.CampaignCancelled}

func campaignStatusLabel(st string) string { return orDefault(campaignStatusLabels[st], st) }

// campaignOption is one choice of the notice kind select.
type campaignOption struct{ Value, Label string }

// campaignNoticeKinds lists the kinds staff choose from: the common ones first.
func campaignNoticeKinds() []campaignOption {
	first := []string{model.KindGeneral, model.KindMaterial, model.KindInvitation, model.KindSurvey,
		model.KindSolicitation, model.KindReminder}
	var rest []string
	for k := range model.KindLabels {
		if !slices.Contains(first, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var out []campaignOption
	for _, k := range append(first, rest...) {
		if l, ok := model.KindLabels[k]; ok {
			out = append(out, campaignOption{k, l})
		}
	}
	return out
}

// campaignAudienceForm is the audience builder as typed.
type campaignAudienceForm struct {
	All         bool
	Delegations []string
	Levels      []string
	Grassroots  bool
	Groups      string // separated by commas
	Tags        []string
	DeputyIDs   string // separated by commas or spaces
	MeetingID   int64
}

func parseCampaignAudienceForm(v url.Values) campaignAudienceForm {
	f := campaignAudienceForm{All: v.Get("all") != "", Grassroots: v.Get("grassroots") != "",
		Groups: cleanText(v.Get("groups")), DeputyIDs: cleanText(v.Get("deputy_ids"))}
	for _, d := range v["delegation"] {
		if d = cleanText(d); d != "" {
			f.Delegations = append(f.Delegations, d)
		}
	}
	for _, l := range v["level"] {
		f.Levels = append(f.Levels, cleanText(l))
	}
	for _, t := range v["tag"] {
		if t = cleanText(t); t != "" {
			f.Tags = append(f.Tags, t)
		}
	}
	f.MeetingID, _ = strconv.ParseInt(v.Get("meeting_id"), 10, 64)
	return f
}

// HasDelegation, HasLevel and HasTag keep the builder's choices on a form
// shown again.
func (f campaignAudienceForm) HasDelegation(s string) bool { return slices.Contains(f.Delegations, s) }
func (f campaignAudienceForm) HasLevel(s string) bool      { return slices.Contains(f.Levels, s) }
func (f campaignAudienceForm) HasTag(s string) bool        { return slices.Contains(f.Tags, s) }

var deputyIDSep = strings.NewReplacer("，", ",", "、", ",", ";", ",", "；", ",", "\n", ",", " ", ",", "\t", ",")

// audience turns the form into a storage audience; problems with the
// deputy ids are returned, the rest is checked by checkCampaignAudience.
func (f campaignAudienceForm) audience() (model.Audience, core.ValidationError) {
	a := model.Audience{All: f.All, Delegations: f.Delegations, Levels: f.Levels, GrassrootsOnly: f.Grassroots,
		Groups: splitTags(f.Groups), Tags: f.Tags, MeetingID: f.MeetingID}
	var errs core.ValidationError
	for _, part := range strings.Split(deputyIDSep.Replace(f.DeputyIDs), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, &core.FieldError{Key: "deputy_ids", Label: "代表编号", Value: part, Msg: "应为代表编号（正整数），多个用逗号分隔"})
			break
		}
		if !slices.Contains(a.DeputyIDs, id) {
			a.DeputyIDs = append(a.DeputyIDs, id)
		}
	}
	return a, errs
}

// checkCampaignAudience validates an audience from the console or the API: it
// must name someone, with known levels and existing deputies.
func (s *server) checkCampaignAudience(ctx context.Context, a model.Audience) (core.ValidationError, error) {
	var errs core.ValidationError
	for _, l := range a.Levels {
		if l != model.LevelProvincial && l != model.LevelNational {
			errs = append(errs, &core.FieldError{Key: "levels", Label: "层级", Value: l, Msg: "应为 provincial 或 national"})
			break
		}
	}
	if len(a.DeputyIDs) > campaignMaxPicked {
		errs = append(errs, &core.FieldError{Key: "deputy_ids", Label: "代表编号", Msg: fmt.Sprintf("一次最多指定 %d 位代表，更多请按代表团、标签等条件选择", campaignMaxPicked)})
	} else if len(a.DeputyIDs) > 0 {
		exist, err := s.d.DB.ExistingDeputyIDs(ctx, a.DeputyIDs)
		if err != nil {
			return nil, err
		}
		var unknown []string
		for _, id := range a.DeputyIDs {
			if !exist[id] {
				unknown = append(unknown, strconv.FormatInt(id, 10))
			}
		}
		if len(unknown) > 0 {
			if len(unknown) > 10 {
				unknown = append(unknown[:10], "…")
			}
			errs = append(errs, &core.FieldError{Key: "deputy_ids", Label: "代表编号", Msg: "没有这些编号的代表：" + strings.Join(unknown, "、")})
		}
	}
	if a.MeetingID > 0 {
		if _, err := s.d.DB.GetMeeting(ctx, a.MeetingID); errors.Is(err, model.ErrNotFound) {
			errs = append(errs, &core.FieldError{Key: "meeting_id", Label: "会议活动", Value: strconv.FormatInt(a.MeetingID, 10), Msg: "不存在"})
		} else if err != nil {
			return nil, err
		}
	}
	empty := len(a.Delegations) == 0 && len(a.Levels) == 0 && !a.GrassrootsOnly && len(a.Groups) == 0 &&
		len(a.Tags) == 0 && len(a.DeputyIDs) == 0 && a.MeetingID == 0 && a.SuggestionID == 0
	if empty && !a.All {
		errs = append(errs, &core.FieldError{Key: "audience", Label: "发送对象", Msg: "请选择“全体代表”，或至少设定一个条件"})
	}
	return errs, nil
}

// campaignAudienceSummary says in words whom an audience reaches.
func campaignAudienceSummary(a model.Audience) string {
	var parts []string
	if len(a.Delegations) > 0 {
		parts = append(parts, "代表团："+strings.Join(a.Delegations, "、"))
	}
	if len(a.Levels) > 0 {
		ls := make([]string, len(a.Levels))
		for i, l := range a.Levels {
			ls[i] = core.LevelLabel(l)
		}
		parts = append(parts, "层级："+strings.Join(ls, "、"))
	}
	if a.GrassrootsOnly {
		parts = append(parts, "仅基层代表")
	}
	if len(a.Groups) > 0 {
		parts = append(parts, "专业小组："+strings.Join(a.Groups, "、"))
	}
	if len(a.Tags) > 0 {
		parts = append(parts, "标签："+strings.Join(a.Tags, "、"))
	}
	if len(a.DeputyIDs) > 0 {
		parts = append(parts, fmt.Sprintf("指定代表 %d 位", len(a.DeputyIDs)))
	}
	if a.MeetingID > 0 {
		parts = append(parts, fmt.Sprintf("会议活动 #%d 的受邀代表", a.MeetingID))
	}
	if a.SuggestionID > 0 {
		parts = append(parts, fmt.Sprintf("建议 #%d 的代表", a.SuggestionID))
	}
	if len(parts) == 0 {
		return "全体代表"
	}
	return strings.Join(parts, "；")
}

// campaignAudienceCount is the live count of an audience.
type campaignAudienceCount struct {
	Total       int    `json:"total"`
	Reachable   int    `json:"reachable"`
	Unreachable int    `json:"unreachable"`
	Text        string `json:"text"`
}

func (s *server) countCampaignAudience(ctx context.Context, a model.Audience) (campaignAudienceCount, error) {
	total, reachable, err := s.d.DB.AudienceCount(ctx, a)
	if err != nil {
		return campaignAudienceCount{}, err
	}
	c := campaignAudienceCount{Total: total, Reachable: reachable, Unreachable: total - reachable}
	c.Text = fmt.Sprintf("将发送给 %d 位代表，其中 %d 位未绑定或无法接收", c.Total, c.Unreachable)
	return c, nil
}

// campaignForm is the compose form as typed.
type campaignForm struct {
	Kind, Title, Body, Link string
	Urgent                  bool
	FieldTime, FieldNote    string // template keyword values
	When                    string // "now" or "later"
	SendAt                  string // 2006-01-02T15:04, local time
	TestDeputy              string
	Aud                     campaignAudienceForm
}

func parseCampaignForm(v url.Values) campaignForm {
	f := campaignForm{Kind: v.Get("kind"), Title: strings.TrimSpace(v.Get("title")), Body: strings.TrimSpace(v.Get("body")),
		Link: strings.TrimSpace(v.Get("link")), Urgent: v.Get("urgent") != "",
		FieldTime: strings.TrimSpace(v.Get("field_time")), FieldNote: strings.TrimSpace(v.Get("field_note")),
		When: oneOf(v.Get("when"), "now", "later"), SendAt: strings.TrimSpace(v.Get("send_at")),
		TestDeputy: strings.TrimSpace(v.Get("test_deputy")), Aud: parseCampaignAudienceForm(v)}
	if f.When == "" {
		f.When = "now"
	}
	return f
}

// campaignNoticeInput is a notice to send and when, from the console or the API.
type campaignNoticeInput struct {
	Kind, Title, Body, Link string
	Urgent                  bool
	Fields                  map[string]string
	SendAt                  time.Time // zero: now
}

// check validates a notice before a campaign is made of it.
func (in campaignNoticeInput) check(now time.Time) core.ValidationError {
	var errs core.ValidationError
	if _, ok := model.KindLabels[in.Kind]; !ok {
		errs = append(errs, &core.FieldError{Key: "kind", Label: "类型", Value: in.Kind, Msg: "请选择通知类型"})
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs = append(errs, &core.FieldError{Key: "title", Label: "标题", Msg: "不能为空"})
	case n > campaignMaxTitle:
		errs = append(errs, &core.FieldError{Key: "title", Label: "标题", Msg: fmt.Sprintf("最多 %d 个字（现 %d 个）", campaignMaxTitle, n)})
	}
	if n := utf8.RuneCountInString(in.Body); n > campaignMaxBody {
		errs = append(errs, &core.FieldError{Key: "body", Label: "正文", Msg: fmt.Sprintf("最多 %d 个字（现 %d 个）", campaignMaxBody, n)})
	}
	if in.Link != "" {
		u, err := url.Parse(in.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.Link) > campaignMaxLink {
			errs = append(errs, &core.FieldError{Key: "link", Label: "链接", Value: in.Link, Msg: "应为以 https:// 开头的网址（不填则打开通知详情页）"})
		}
	}
	for key, label := range map[string]string{"time": "时间字段", "note": "备注字段"} {
		if utf8.RuneCountInString(in.Fields[key]) > campaignMaxField {
			errs = append(errs, &core.FieldError{Label: label, Msg: fmt.Sprintf("最多 %d 个字", campaignMaxField)})
		}
	}
	if !in.SendAt.IsZero() && !in.SendAt.After(now) {
		errs = append(errs, &core.FieldError{Key: "send_at", Label: "发送时间", Msg: "定时发送的时间应晚于现在"})
	}
	return errs
}

// notice turns the input into the notice to store, for me.
func (in campaignNoticeInput) notice(me model.Account, loc *time.Location, now time.Time) model.Notice {
	fields := map[string]string{}
	for k, v := range in.Fields {
		if v = strings.TrimSpace(v); v != "" {
			fields[k] = v
		}
	}
	if fields["time"] == "" {
		at := in.SendAt
		if at.IsZero() {
			at = now
		}
		fields["time"] = at.In(loc).Format("2006年1月2日 15:04")
	}
	return model.Notice{Kind: in.Kind, Title: in.Title, Body: in.Body, Link: in.Link, Urgent: in.Urgent,
		Fields: fields, CreatedBy: me.Username}
}

// input reads the typed form into a notice and audience, with the
// problems found while reading.
func (f campaignForm) input(loc *time.Location) (campaignNoticeInput, model.Audience, core.ValidationError) {
	in := campaignNoticeInput{Kind: f.Kind, Title: f.Title, Body: f.Body, Link: f.Link, Urgent: f.Urgent,
		Fields: map[string]string{"time": f.FieldTime, "note": f.FieldNote}}
	var errs core.ValidationError
	if f.When == "later" {
		t, err := parseCampaignTime(f.SendAt, loc)
		if err != nil {
			errs = append(errs, &core.FieldError{Key: "send_at", Label: "发送时间", Value: f.SendAt, Msg: "请填写发送的日期和时间，如 2026-03-05 09:00"})
		} else {
			in.SendAt = t
		}
	}
	a, aerrs := f.Aud.audience()
	return in, a, append(errs, aerrs...)
}

// parseCampaignTime reads a time typed in the console (a datetime-local
// input, or a date and time with a space) in loc, or RFC 3339.
func parseCampaignTime(s string, loc *time.Location) (time.Time, error) {
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

// campaignTestTitle marks a test send so the deputy who receives it knows.
const campaignTestTitle = "【测试】"

// campaignTestField marks a test notice among its fields (no template picks it).
const campaignTestField = "_test"

func isTestNotice(n model.Notice) bool { return n.Fields[campaignTestField] != "" }

// campaignKeyword is one template keyword as the phone shows it.
type campaignKeyword struct {
	Key, Source, Value string
	Cut, Empty         bool
	Full               string
}

// campaignPhonePreview is the template message of a notice as the phone shows it.
type campaignPhonePreview struct {
	Configured bool // the kind has a template configured
	Known      bool // the configuration could be read
	TemplateID string
	Keywords   []campaignKeyword
	Warnings   int
}

// campaignTemplateLookup is what the preview needs of the outbox: the template
// configured for a kind.
type campaignTemplateLookup interface {
	Template(kind string) (notify.Template, bool)
}

// previewCampaignTemplate cuts each keyword value as the dispatcher will. When the
// outbox cannot tell the mapping, the common layout (title, time, note) is
// shown.
func (s *server) previewCampaignTemplate(n model.Notice) campaignPhonePreview {
	p := campaignPhonePreview{}
	var tmpl notify.Template
	if s.d.Outbox != nil {
		if tl, ok := any(s.d.Outbox).(campaignTemplateLookup); ok {
			p.Known = true
			tmpl, p.Configured = tl.Template(n.Kind)
		}
	}
	if !p.Known {
		tmpl = notify.Template{Fields: map[string]string{"thing1": "title", "time2": "time", "thing3": "note"}}
	}
	p.TemplateID = tmpl.ID
	keys := make([]string, 0, len(tmpl.Fields))
	for k := range tmpl.Fields {
		keys = append(keys, k)
	}
	// WeChat shows keywords in the order of their number (thing1, time2 …).
	sort.Slice(keys, func(i, j int) bool {
		ni, nj := keywordNumber(keys[i]), keywordNumber(keys[j])
		if ni != nj {
			return ni < nj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		src := tmpl.Fields[k]
		full := n.Fields[src]
		if src == "title" {
			full = n.Title
		}
		kp := campaignKeyword{Key: k, Source: campaignFieldSource(src), Full: full, Value: notify.FieldValue(full)}
		if kp.Value == "" {
			kp.Value, kp.Empty = "详见通知", true
		}
		kp.Cut = utf8.RuneCountInString(strings.Join(strings.Fields(full), " ")) > 20
		if kp.Cut {
			p.Warnings++
		}
		p.Keywords = append(p.Keywords, kp)
	}
	return p
}

// keywordNumber is the number ending a template keyword (thing12 → 12).
func keywordNumber(key string) int {
	i := len(key)
	for i > 0 && key[i-1] >= '0' && key[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(key[i:])
	return n
}

func campaignFieldSource(src string) string {
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

// campaignOutbox is the outbox campaigns are created and controlled
// through. Without one wired (a console run apart from the dispatcher),
// one over the same database does: campaigns are rows, sent by whichever
// dispatcher runs.
func (s *server) campaignOutbox() *notify.Outbox {
	if s.d.Outbox != nil {
		return s.d.Outbox
	}
	o := notify.New(s.d.DB, notify.Config{Loc: s.d.Loc}, s.d.Log)
	o.SetClock(s.d.Now)
	return o
}

// createCampaign validates and stores a campaign; with test, it goes now
// to the one deputy named, its title marked as a test.
func (s *server) createCampaign(ctx context.Context, me model.Account, in campaignNoticeInput, a model.Audience, test bool) (model.Campaign, model.Notice, error) {
	now := s.d.Now()
	errs := in.check(now)
	aerrs, err := s.checkCampaignAudience(ctx, a)
	if err != nil {
		return model.Campaign{}, model.Notice{}, err
	}
	errs = append(errs, aerrs...)
	if len(errs) > 0 {
		return model.Campaign{}, model.Notice{}, errs
	}
	n := in.notice(me, s.d.Loc, now)
	if test {
		n.Title = campaignTestTitle + strings.TrimPrefix(n.Title, campaignTestTitle)
		n.Fields[campaignTestField] = "1"
		n.Urgent = true // a test is looked at now, quiet hours or not
	}
	c, err := s.campaignOutbox().CreateCampaign(ctx, &n, a, in.SendAt)
	return c, n, err
}

// campaignObject names a campaign in the audit log.
func campaignObject(id int64) string { return fmt.Sprintf("campaign/%d", id) }

// campaignCanPause and friends say which controls a campaign in a status offers.
func campaignCanPause(st string) bool {
	return st == model.CampaignScheduled || st == model.CampaignSending
}
func campaignCanResume(st string) bool { return st == model.CampaignPaused }
func campaignCanCancel(st string) bool { return campaignCanPause(st) || st == model.CampaignPaused }

// campaignOfPath loads the campaign named in the path with its notice.
func (s *server) campaignOfPath(ctx context.Context, idText string) (model.Campaign, model.Notice, error) {
	id, err := parseID(idText)
	if err != nil {
		return model.Campaign{}, model.Notice{}, err
	}
	c, err := s.d.DB.GetCampaign(ctx, id)
	if err != nil {
		return c, model.Notice{}, err
	}
	n, err := s.d.DB.GetNotice(ctx, c.NoticeID)
	return c, n, err
}

// campaignBadState explains why a campaign cannot be paused, resumed or cancelled.
func campaignBadState(c model.Campaign, verb string) error {
	return &httpError{409, fmt.Sprintf("该通知当前“%s”，不能%s。", campaignStatusLabel(c.Status), verb)}
}

// campaignTime turns a nullable time into a pointer for JSON and templates.
func campaignTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

func noticeKindLabel(kind string) string { return model.KindLabels[kind] }
