package core

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/storage"
)

// ErrSolicitationClosed is returned for an opinion on a draft regulation
// whose solicitation is not open (not yet opened, or closed).
var ErrSolicitationClosed = errors.New("solicitation closed")

// Limits on what a deputy or staff member may write.
const (
	MaxOpinionRunes = 5000 // an opinion's body, and a staff reply
	maxArticleRunes = 50
)

// OpinionCategoryChoices are the categories a deputy picks from when
// sending an opinion in the chat, in the order shown. (Opinions on a draft
// regulation, storage.OpinionSolicitation, are reached from a solicitation,
// not from this list.)
var OpinionCategoryChoices = []Choice{
	{model.OpinionLegislative, "立法建议"},
	{model.OpinionSupervision, "监督建议"},
	{model.OpinionSocial, "社情民意"},
	{model.OpinionOther, "其他"},
}

// OpinionCategoryLabel returns a category's Chinese name.
func OpinionCategoryLabel(category string) string {
	if category == model.OpinionSolicitation {
		return "法规草案意见"
	}
	for _, c := range OpinionCategoryChoices {
		if c.Value == category {
			return c.Label
		}
	}
	return category
}

// ParseOpinionCategory accepts a stored code, a Chinese name, or the
// 1-based number of an entry of OpinionCategoryChoices (as the chat lists
// them).
func ParseOpinionCategory(s string) (string, bool) {
	s = strings.TrimSpace(halfwidthDigits(s))
	if s == model.OpinionSolicitation || s == "法规草案意见" {
		return model.OpinionSolicitation, true
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(OpinionCategoryChoices) {
		return OpinionCategoryChoices[n-1].Value, true
	}
	for _, c := range OpinionCategoryChoices {
		if s == c.Value || s == c.Label {
			return c.Value, true
		}
	}
	return "", false
}

// OpinionStatusLabel returns an opinion status's Chinese name.
func OpinionStatusLabel(status string) string { return model.OpinionStatusLabel(status) }

// Opinions receives deputies' opinions and runs draft-regulation
// solicitations.
type Opinions struct{ *env }

// NewOpinions returns the opinions service over db, on its own clock.
func NewOpinions(db *storage.DB) *Opinions { return &Opinions{newEnv(db)} }

// SetClock replaces the clock that decides what is open (tests inject one).
func (s *Opinions) SetClock(now func() time.Time) { s.clock.Store(&now) }

// Submit validates and stores a deputy's opinion and returns its receipt
// (e.g. YJ2026-00123). Of o only Category, SolicitationID, Article, Body
// and Channel are read. An opinion on a solicitation (its category may be
// left empty) needs the solicitation open, else ErrSolicitationClosed.
func (s *Opinions) Submit(ctx context.Context, deputyID int64, o model.Opinion) (string, error) {
	in, err := s.submit(ctx, deputyID, o)
	return in.Receipt, err
}

// submit is Submit, returning the opinion stored (with its ID).
func (s *Opinions) submit(ctx context.Context, deputyID int64, o model.Opinion) (model.Opinion, error) {
	in := model.Opinion{DeputyID: deputyID, Category: o.Category, SolicitationID: o.SolicitationID,
		Article: o.Article, Body: o.Body, Channel: o.Channel}
	if errs := normalizeOpinion(&in); len(errs) > 0 {
		return model.Opinion{}, errs
	}
	if in.SolicitationID != 0 {
		sol, err := s.db.GetSolicitation(ctx, in.SolicitationID)
		if errors.Is(err, model.ErrNotFound) {
			return model.Opinion{}, ValidationError{{Label: "法规草案", Value: strconv.FormatInt(in.SolicitationID, 10), Msg: "不存在"}}
		}
		if err != nil {
			return model.Opinion{}, err
		}
		if !sol.OpenAt(s.now()) {
			return model.Opinion{}, fmt.Errorf("core: opinion on solicitation %d: %w", sol.ID, ErrSolicitationClosed)
		}
		c, err := s.ResolveArticle(ctx, sol, in.Article)
		var problem *ArticleProblem
		if errors.As(err, &problem) {
			return model.Opinion{}, ValidationError{{Label: "条款", Msg: problem.Error()}}
		}
		if err != nil {
			return model.Opinion{}, err
		}
		in.Article = c.Stored
	}
	if err := s.db.CreateOpinion(ctx, &in); err != nil {
		return model.Opinion{}, err
	}
	return in, nil
}

// normalizeOpinion cleans o's input fields in place and returns every problem.
func normalizeOpinion(o *model.Opinion) ValidationError {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	o.Body = strings.TrimSpace(o.Body)
	switch n := utf8.RuneCountInString(o.Body); {
	case n == 0:
		bad("意见内容", "", "不能为空")
	case n > MaxOpinionRunes:
		bad("意见内容", "", fmt.Sprintf("过长（最多 %d 字，现有 %d 字）", MaxOpinionRunes, n))
	}
	o.Category = strings.TrimSpace(o.Category)
	if o.Category == "" && o.SolicitationID != 0 {
		o.Category = model.OpinionSolicitation
	}
	c, ok := ParseOpinionCategory(o.Category)
	switch {
	case !ok:
		bad("意见类别", o.Category, "应为 立法建议、监督建议、社情民意 或 其他")
	case c == model.OpinionSolicitation && o.SolicitationID == 0:
		bad("法规草案", "", "请选择要提意见的法规草案")
	case c != model.OpinionSolicitation && o.SolicitationID != 0:
		bad("意见类别", OpinionCategoryLabel(c), "针对法规草案的意见，类别应为“法规草案意见”")
	}
	if ok {
		o.Category = c
	}
	// 12, 第12条 and 十二 are all stored 第十二条; 整体 is the whole draft.
	ref, isRef := ParseArticleRef(o.Article)
	o.Article = strings.TrimSpace(o.Article)
	if isRef {
		o.Article = ref.String()
	}
	switch {
	case isRef && !ref.Whole && ref.Number == 0:
		bad("条款", o.Article, "条款序号应从 1 开始")
	case o.Article != "" && o.SolicitationID == 0:
		bad("条款", o.Article, "只有对法规草案的意见才能注明条款")
	case utf8.RuneCountInString(o.Article) > maxArticleRunes:
		bad("条款", "", fmt.Sprintf("过长（最多 %d 字）", maxArticleRunes))
	}
	switch o.Channel {
	case "":
		o.Channel = model.OpinionViaWeChat
	case model.OpinionViaWeChat, model.OpinionViaConsole, model.OpinionViaAPI:
	default:
		bad("渠道", o.Channel, "应为 wechat、console 或 api")
	}
	return errs
}

// Get returns one opinion.
func (s *Opinions) Get(ctx context.Context, id int64) (model.Opinion, error) {
	return s.db.GetOpinion(ctx, id)
}

// ByReceipt returns the opinion with that receipt.
func (s *Opinions) ByReceipt(ctx context.Context, receipt string) (model.Opinion, error) {
	return s.db.GetOpinionByReceipt(ctx, strings.ToUpper(strings.TrimSpace(receipt)))
}

// List returns a page of opinions, newest first, and the total matching f.
func (s *Opinions) List(ctx context.Context, f model.OpinionFilter) ([]model.Opinion, int, error) {
	return s.db.ListOpinions(ctx, f)
}

// CreateSolicitation validates and stores a solicitation; a zero OpensAt
// means now.
func (s *Opinions) CreateSolicitation(ctx context.Context, sol *model.Solicitation) error {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	sol.Title = strings.TrimSpace(sol.Title)
	switch n := utf8.RuneCountInString(sol.Title); {
	case n == 0:
		bad("标题", "", "不能为空")
	case n > 200:
		bad("标题", "", "过长（最多 200 字）")
	}
	sol.Summary = strings.TrimSpace(sol.Summary)
	if utf8.RuneCountInString(sol.Summary) > 2000 {
		bad("说明", "", "过长（最多 2000 字）")
	}
	sol.Link = strings.TrimSpace(sol.Link)
	if sol.Link != "" && !isWebLink(sol.Link) {
		bad("草案链接", sol.Link, "应为 http:// 或 https:// 开头的网址")
	}
	switch {
	case sol.Articles < 0:
		bad("条数", strconv.Itoa(sol.Articles), "不能为负数")
	case len(sol.Draft) > 0 && sol.Articles != 0 && sol.Articles != len(sol.Draft):
		bad("条数", strconv.Itoa(sol.Articles), fmt.Sprintf("与草案全文识别出的条数（%d 条）不一致；填写了草案全文时条数可留空", len(sol.Draft)))
	case len(sol.Draft) > 0:
		sol.Articles = len(sol.Draft)
	}
	seen := map[int]bool{}
	for i, a := range sol.Draft {
		if a.Number < 1 || seen[a.Number] || strings.TrimSpace(a.Body) == "" {
			bad("草案全文", a.Heading, "条款序号重复或正文为空，请检查草案全文")
			break
		}
		seen[a.Number] = true
		if a.Heading == "" {
			sol.Draft[i].Heading = ArticleHeading(a.Number)
		}
	}
	if sol.OpensAt.IsZero() {
		sol.OpensAt = s.now()
	}
	if !sol.ClosesAt.After(sol.OpensAt) {
		bad("截止时间", "", "应晚于开始时间")
	}
	if len(errs) > 0 {
		return errs
	}
	// Every deputy in office is told when the solicitation opens.
	notice := model.Notice{Kind: model.KindSolicitation, Title: sol.Title, RefKind: "solicitation",
		Body:   sol.Summary + "\n\n请于 " + sol.ClosesAt.Format("2006-01-02") + " 前提出意见：回复“意见”，选择“法规草案征求意见”。",
		Fields: map[string]string{"time": sol.ClosesAt.Format("2006-01-02") + "截止", "note": "回复“意见”提出意见"}}
	return s.db.CreateSolicitation(ctx, sol, model.Announcement{Notice: notice, Audience: model.Audience{All: true}, SendAt: sol.OpensAt})
}

// Solicitation returns one solicitation.
func (s *Opinions) Solicitation(ctx context.Context, id int64) (model.Solicitation, error) {
	return s.db.GetSolicitation(ctx, id)
}

// Solicitations returns every solicitation, the latest opening first.
func (s *Opinions) Solicitations(ctx context.Context) ([]model.Solicitation, error) {
	return s.db.ListSolicitations(ctx)
}

// OpenSolicitations returns the solicitations accepting opinions now, the
// one closing soonest first.
func (s *Opinions) OpenSolicitations(ctx context.Context) ([]model.Solicitation, error) {
	return s.db.OpenSolicitations(ctx, s.now())
}

// isWebLink reports whether s is an absolute http(s) URL.
func isWebLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// halfwidthDigits turns full-width digits and commas (as Chinese input
// methods type them) into ASCII.
func halfwidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '，':
			return ','
		}
		return r
	}, s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
