package core

import (
	"context"
	"deputybot/model"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on a draft's text, as pasted into the console or the API.
const (
	MaxDraftArticles    = 1000
	MaxArticleBodyRunes = 10000
)

// chineseDigits and chineseUnits are the characters Chinese numerals are
// written with in legal texts (第一百零五条).
var (
	chineseDigits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	chineseUnits  = map[rune]int{'十': 10, '百': 100, '千': 1000}
)

// ParseChineseNumber reads a number below 10,000 written in Chinese
// numerals (十二, 一百零五, 一百一十) or in digits, full-width or not.
func ParseChineseNumber(s string) (int, bool) {
	s = halfwidthDigits(s)
	if isDigits(s) {
		n, err := strconv.Atoi(s)
		return n, err == nil && n < 10000
	}
	total, cur, lastUnit := 0, -1, 100000
	for _, r := range s {
		if d, ok := chineseDigits[r]; ok {
			if cur > 0 {
				return 0, false // two digits in a row: 一二
			}
			cur = d
			continue
		}
		u, ok := chineseUnits[r]
		if !ok || u >= lastUnit {
			return 0, false
		}
		if cur < 0 {
			cur = 1 // 十二 (and 一百十 as said aloud): the 一 is left out
		}
		total, cur, lastUnit = total+cur*u, -1, u
	}
	if cur > 0 {
		total += cur
	}
	return total, s != "" && total > 0
}

// ChineseNumber writes n (1 to 9999) in Chinese numerals as legal texts
// do: 十二, 二十, 一百零五, 一百一十.
func ChineseNumber(n int) string {
	if n <= 0 || n >= 10000 {
		return strconv.Itoa(n)
	}
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	units := []string{"千", "百", "十", ""}
	var b strings.Builder
	zero := false
	for i, div := range []int{1000, 100, 10, 1} {
		d := n / div % 10
		switch {
		case d == 0:
			zero = b.Len() > 0
		default:
			if zero {
				b.WriteString("零")
				zero = false
			}
			if !(div == 10 && d == 1 && n < 20) { // 十二, not 一十二
				b.WriteString(digits[d])
			}
			b.WriteString(units[i])
		}
		if n%div == 0 {
			break
		}
	}
	return b.String()
}

// ArticleHeading is the heading of article n: 第十二条.
func ArticleHeading(n int) string { return "第" + ChineseNumber(n) + "条" }

// wholeDraftWords say an opinion is on the draft as a whole.
var wholeDraftWords = []string{"整体", "全文", "总体", "整体意见", "总体意见", "全部", "总的"}

// articleSubRE is what may follow 第N条: a paragraph or item (第二款, 第3项).
var articleSubRE = regexp.MustCompile(`^第([0-9零〇一二两三四五六七八九十百]+)([款项])$`)

// ArticleRef is what a deputy typed for "which article", read.
type ArticleRef struct {
	Whole  bool   // on the draft as a whole
	Number int    // the article, when not Whole
	Sub    string // 第二款 after the article, or ""
}

// String is the stored form: "" for the whole draft, else 第十二条 (with
// its 第二款 when named).
func (a ArticleRef) String() string {
	if a.Whole {
		return ""
	}
	return ArticleHeading(a.Number) + a.Sub
}

// ParseArticleRef reads an article reference as deputies type it: 12,
// １２, 第12条, 第十二条, 十二, 12条, 第十二条第二款, or 整体 / 全文 for
// the whole draft.
func ParseArticleRef(s string) (ArticleRef, bool) {
	s = strings.Join(strings.Fields(halfwidthDigits(s)), "")
	s = strings.TrimRight(s, "。.，,")
	for _, w := range wholeDraftWords {
		if s == w {
			return ArticleRef{Whole: true}, true
		}
	}
	rest := strings.TrimPrefix(s, "第")
	num, sub, hasTiao := strings.Cut(rest, "条")
	if !hasTiao {
		num, sub = rest, ""
	}
	n, ok := ParseChineseNumber(num)
	if !ok {
		return ArticleRef{}, false
	}
	ref := ArticleRef{Number: n}
	if sub != "" {
		m := articleSubRE.FindStringSubmatch(sub)
		if m == nil {
			return ArticleRef{}, false
		}
		k, ok := ParseChineseNumber(m[1])
		if !ok {
			return ArticleRef{}, false
		}
		ref.Sub = "第" + ChineseNumber(k) + m[2]
	}
	return ref, true
}

// ArticleNumber returns the article a stored reference names (12 for
// 第十二条, 第12条 or 第十二条第二款), or 0 when it names none.
func ArticleNumber(stored string) int {
	ref, ok := ParseArticleRef(stored)
	if !ok || ref.Whole {
		return 0
	}
	return ref.Number
}

// NormalizeArticle returns the stored form of an article reference
// (第十二条); text it cannot read is returned trimmed, unchanged.
func NormalizeArticle(s string) string {
	if ref, ok := ParseArticleRef(s); ok {
		return ref.String()
	}
	return strings.TrimSpace(s)
}

// DraftParse is a draft regulation's text split into articles.
type DraftParse struct {
	Articles []model.SolicitationArticle
	Warnings []string // lines that look like a heading but were read as text, in Chinese
}

// headingRE finds an article's heading at the start of a line: 第十二条,
// 第12条, followed by a space (often the full-width one) or the text.
var headingRE = regexp.MustCompile(`^第([0-9０-９零〇一二两三四五六七八九十百千]+)条[\s\x{3000}]*`)

// partRE finds the headings of the parts articles are grouped in (第一章
// 总则, 第二节), which belong to no article.
var partRE = regexp.MustCompile(`^第[0-9０-９零〇一二两三四五六七八九十百千]+[编章节]([\s\x{3000}]|$)`)

// ParseDraft splits a draft regulation's text into its articles. Each
// article starts a line with its heading (第一条 or 第1条); a heading
// counts only when it is the next number (so a paragraph that begins by
// citing 第五条 stays text of its article). The title, the table of
// contents before the first article, and the chapter headings are left
// out.
func ParseDraft(text string) (DraftParse, error) {
	var out DraftParse
	var cur *model.SolicitationArticle
	flush := func() {
		if cur != nil {
			cur.Body = strings.TrimSpace(cur.Body)
			out.Articles = append(out.Articles, *cur)
			cur = nil
		}
	}
	last := 0
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.Trim(line, " \t\u3000\r")
		if line == "" {
			continue
		}
		if partRE.MatchString(line) {
			continue
		}
		if m := headingRE.FindStringSubmatchIndex(line); m != nil {
			n, ok := ParseChineseNumber(line[m[2]:m[3]])
			switch {
			case ok && (last == 0 || n == last+1):
				flush()
				cur = &model.SolicitationArticle{Number: n, Heading: ArticleHeading(n), Body: line[m[1]:]}
				last = n
				continue
			case ok && n > last+1:
				out.Warnings = append(out.Warnings, fmt.Sprintf("第 %d 行以“%s”开头，但前面缺少%s，已作为%s的正文；如有遗漏请检查该条是否另起一行",
					i+1, ArticleHeading(n), ArticleHeading(last+1), ArticleHeading(last)))
			}
		}
		if cur != nil {
			if cur.Body != "" {
				cur.Body += "\n"
			}
			cur.Body += line
		}
	}
	flush()
	if len(out.Articles) == 0 {
		return out, ValidationError{{Label: "草案全文", Msg: "没有识别出条款：每一条应另起一行，以“第一条”或“第1条”开头"}}
	}
	var errs ValidationError
	if len(out.Articles) > MaxDraftArticles {
		errs = append(errs, &FieldError{Label: "草案全文", Msg: fmt.Sprintf("条款过多（最多 %d 条，识别出 %d 条）", MaxDraftArticles, len(out.Articles))})
	}
	for _, a := range out.Articles {
		if a.Body == "" {
			errs = append(errs, &FieldError{Label: "草案全文", Msg: a.Heading + "没有正文：请检查该条的文字是否漏贴"})
		}
		if n := utf8.RuneCountInString(a.Body); n > MaxArticleBodyRunes {
			errs = append(errs, &FieldError{Label: "草案全文", Msg: fmt.Sprintf("%s过长（每条最多 %d 字，现有 %d 字）：可能是下一条没有另起一行", a.Heading, MaxArticleBodyRunes, n)})
		}
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
}

// ArticleRange describes the articles opinions may name, for prompts:
// 第一条至第六十条.
func ArticleRange(list []model.SolicitationArticle, count int) string {
	switch {
	case len(list) > 0:
		return list[0].Heading + "至" + list[len(list)-1].Heading
	case count > 0:
		return ArticleHeading(1) + "至" + ArticleHeading(count)
	}
	return ""
}

// ArticleExample is the article a prompt gives as an example: the
// twelfth, or the last when the draft is shorter.
func ArticleExample(list []model.SolicitationArticle, count int) string {
	switch {
	case len(list) > 0:
		return list[min(11, len(list)-1)].Heading
	case count > 0:
		return ArticleHeading(min(12, count))
	}
	return ArticleHeading(12)
}

// Articles returns the stored articles of a solicitation in order; none
// when only their number (or nothing) is known.
func (s *Opinions) Articles(ctx context.Context, solicitationID int64) ([]model.SolicitationArticle, error) {
	return s.db.SolicitationArticles(ctx, solicitationID)
}

// setArticles replaces the articles of an existing solicitation with those
// split from text (the draft arrived after the solicitation was created,
// or was corrected). An opinion already given on an article the new text
// lacks refuses the change: that opinion would lose its article.
func (s *Opinions) setArticles(ctx context.Context, solicitationID int64, text string) (DraftParse, error) {
	if _, err := s.db.GetSolicitation(ctx, solicitationID); err != nil {
		return DraftParse{}, err
	}
	d, err := ParseDraft(text)
	if err != nil {
		return d, err
	}
	known := map[int]bool{}
	for _, a := range d.Articles {
		known[a.Number] = true
	}
	ops, _, err := s.db.ListOpinions(ctx, model.OpinionFilter{SolicitationID: solicitationID})
	if err != nil {
		return d, err
	}
	var missing []string
	for _, o := range ops {
		if n := ArticleNumber(o.Article); n > 0 && !known[n] {
			missing = append(missing, o.Receipt+"（"+o.Article+"）")
		}
	}
	if len(missing) > 0 {
		return d, ValidationError{{Label: "草案全文", Msg: "以下意见针对的条款在新文本中不存在，请核对后再保存：" + strings.Join(missing, "、")}}
	}
	return d, s.db.SetSolicitationArticles(ctx, solicitationID, d.Articles)
}

// ArticleChoice is an article reference checked against a solicitation.
type ArticleChoice struct {
	Stored  string                     // as stored on the opinion: 第十二条, "" for the whole draft
	Whole   bool                       // on the draft as a whole
	Article *model.SolicitationArticle // the article's text, when stored
}

// ArticleProblem says why an article reference is refused, with what is
// accepted (第一条至第六十条) and an example (第十二条).
type ArticleProblem struct {
	Input, Range, Example string
}

// Error is the problem as staff and deputies read it.
func (p *ArticleProblem) Error() string {
	if p.Range == "" {
		return fmt.Sprintf("“%s”不是条款序号，请填写如“%s”或“整体”", p.Input, p.Example)
	}
	return fmt.Sprintf("草案没有“%s”：请填写%s之间的条款，如“%s”，或“整体”", p.Input, p.Range, p.Example)
}

// ResolveArticle checks what a deputy typed for "which article" against
// the solicitation: its stored articles when known, else its number of
// articles. Text that is no article reference is refused when the
// articles are known, else kept as typed (a draft pasted nowhere may be
// cited as 第三章).
func (s *Opinions) ResolveArticle(ctx context.Context, sol model.Solicitation, input string) (ArticleChoice, error) {
	list, err := s.Articles(ctx, sol.ID)
	if err != nil {
		return ArticleChoice{}, err
	}
	return ResolveArticleIn(list, sol.Articles, input)
}

// ResolveArticleIn is ResolveArticle against articles already read (list,
// or only their count).
func ResolveArticleIn(list []model.SolicitationArticle, count int, input string) (ArticleChoice, error) {
	input = strings.TrimSpace(input)
	problem := &ArticleProblem{Input: input, Range: ArticleRange(list, count), Example: ArticleExample(list, count)}
	ref, ok := ParseArticleRef(input)
	switch {
	case input == "":
		return ArticleChoice{Whole: true}, nil
	case !ok && (len(list) > 0 || count > 0):
		return ArticleChoice{}, problem
	case !ok:
		return ArticleChoice{Stored: input}, nil
	case ref.Whole:
		return ArticleChoice{Whole: true}, nil
	}
	c := ArticleChoice{Stored: ref.String()}
	for i := range list {
		if list[i].Number == ref.Number {
			c.Article = &list[i]
			return c, nil
		}
	}
	if len(list) > 0 || (count > 0 && ref.Number > count) || ref.Number < 1 {
		return ArticleChoice{}, problem
	}
	return c, nil
}

// Excerpt returns the first n characters of s on one line, with …… when
// cut.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "……"
}
