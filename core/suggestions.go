package core

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/storage"
)

// Errors of the satisfaction rating (办理满意度测评); the chat maps each to
// its own reply.
var (
	// ErrNotOnSuggestion: only the lead deputy and seconders may rate.
	ErrNotOnSuggestion = errors.New("deputy is not on this suggestion")
	// ErrNotRateable: the handling unit has not replied yet.
	ErrNotRateable = errors.New("suggestion not replied yet")
	// ErrRatingClosed: the revision window of an existing rating has passed.
	ErrRatingClosed = errors.New("rating can no longer be revised")
)

// FlowRate is the conversation that rates a suggestion's handling; a
// unit's reply leaves a pending ask with this flow for each deputy on it.
const FlowRate = "rate"

// DefaultRatingRevisionWindow is how long after the first rating a deputy
// may still revise it.
const DefaultRatingRevisionWindow = 7 * 24 * time.Hour

// Choice is one entry of a fixed list (a deputy picks from it in the chat,
// staff in a console form): Value is stored, Label is shown.
type Choice struct{ Value, Label string }

// SuggestionStatusChoices are the suggestion statuses in handling order.
var SuggestionStatusChoices = statusChoices(model.SuggestionStatusLabel, model.SuggestionAssigned,
	model.SuggestionHandling, model.SuggestionReplied, model.SuggestionConcluded, model.SuggestionRehandling)

// statusChoices lists statuses with their names from model.
func statusChoices(label func(string) string, statuses ...string) []Choice {
	out := make([]Choice, len(statuses))
	for i, st := range statuses {
		out[i] = Choice{st, label(st)}
	}
	return out
}

// StepKindChoices are the steps staff or a unit may record (the 'assigned'
// step is written when the suggestion is created).
var StepKindChoices = []Choice{
	{model.StepContacted, "已联系"},
	{model.StepReplied, "已答复"},
	{model.StepConcluded, "已办结"},
	{model.StepRehandling, "重新办理"},
	{model.StepNote, "备注"},
}

// ReplyCategoryChoices are the categories of a unit's reply.
var ReplyCategoryChoices = []Choice{
	{"A", "A类（所提问题已经解决或基本解决）"},
	{"B", "B类（列入计划逐步解决）"},
	{"C", "C类（因条件限制暂时难以解决）"},
	{"D", "D类（留作参考）"},
}

// ContactChoices are how the unit got in touch with the deputy.
var ContactChoices = []Choice{
	{model.ContactFace, "当面沟通"},
	{model.ContactPhone, "电话沟通"},
	{model.ContactWritten, "书面沟通"},
	{model.ContactNone, "未联系"},
}

// SatisfactionChoices rate the unit's attitude or the result.
var SatisfactionChoices = []Choice{
	{model.RatingSatisfied, "满意"},
	{model.RatingBasic, "基本满意"},
	{model.RatingDissatisfied, "不满意"},
}

func labelOf(choices []Choice, value string) string {
	for _, c := range choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

// SuggestionStatusLabel returns a status's Chinese name (已交办 …).
func SuggestionStatusLabel(status string) string { return model.SuggestionStatusLabel(status) }

// StepKindLabel returns a step kind's Chinese name (已联系 …; 交办 for 'assigned').
func StepKindLabel(kind string) string {
	switch kind {
	case model.StepAssigned:
		return "交办"
	case model.StepSubmitted:
		return "代表提交"
	case model.StepReturned:
		return "退回修改"
	case model.StepMerged:
		return "并案"
	}
	return labelOf(StepKindChoices, kind)
}

// ReplyCategoryLabel returns "A类" … for a reply category, or "" for none.
func ReplyCategoryLabel(c string) string {
	if c == "" {
		return ""
	}
	return c + "类"
}

// ContactLabel returns a contact way's Chinese name (当面沟通 …).
func ContactLabel(contact string) string { return labelOf(ContactChoices, contact) }

// SatisfactionLabel returns a rating's Chinese name (满意, 基本满意, 不满意).
func SatisfactionLabel(rating string) string { return labelOf(SatisfactionChoices, rating) }

// parseChoice matches s against the values and labels of choices, the
// extra words in aliases, or the 1-based number of a choice (as the chat
// lists them), ignoring surrounding blanks and a final stop.
func parseChoice(choices []Choice, aliases map[string]string, s string) (string, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), "。.！!　 ")
	if n, err := strconv.Atoi(toHalfwidthDigits(s)); err == nil {
		if n >= 1 && n <= len(choices) {
			return choices[n-1].Value, true
		}
		return "", false
	}
	for _, c := range choices {
		if strings.EqualFold(s, c.Value) || s == c.Label {
			return c.Value, true
		}
	}
	v, ok := aliases[s]
	return v, ok
}

var contactAliases = map[string]string{
	"当面": model.ContactFace, "面谈": model.ContactFace, "见面": model.ContactFace, "上门": model.ContactFace,
	"电话": model.ContactPhone, "打电话": model.ContactPhone,
	"书面": model.ContactWritten, "信函": model.ContactWritten, "书面答复": model.ContactWritten,
	"没联系": model.ContactNone, "没有联系": model.ContactNone, "未沟通": model.ContactNone, "没有沟通": model.ContactNone,
}

// ParseContact accepts a contact way's value, label (当面沟通, 电话沟通,
// 书面沟通, 未联系), short form (当面, 电话, 书面, 没联系) or 1-based number
// in ContactChoices.
func ParseContact(s string) (string, bool) { return parseChoice(ContactChoices, contactAliases, s) }

var satisfactionAliases = map[string]string{
	"非常满意": model.RatingSatisfied, "很满意": model.RatingSatisfied,
	"基本": model.RatingBasic, "比较满意": model.RatingBasic,
	"不太满意": model.RatingDissatisfied, "很不满意": model.RatingDissatisfied,
}

// ParseSatisfaction accepts a rating's value, label (满意, 基本满意, 不满意),
// common variant (很满意, 比较满意, 不太满意) or 1-based number in
// SatisfactionChoices.
func ParseSatisfaction(s string) (string, bool) {
	return parseChoice(SatisfactionChoices, satisfactionAliases, s)
}

// ParseReplyCategory accepts A–D in either case, with or without 类.
func ParseReplyCategory(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(s), "类"))
	switch s {
	case "A", "B", "C", "D":
		return s, true
	}
	return "", false
}

func parseStepKind(s string) (string, bool) { return parseChoice(StepKindChoices, nil, s) }

// SplitUnits splits a list of units written with 、 , ， ; or ； into names.
func SplitUnits(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', ',', '，', ';', '；', '\n':
			return true
		}
		return false
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func toHalfwidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

var numberRE = regexp.MustCompile(`^第?0*(\d{1,6})号?$`)

// NormalizeSuggestionNumber writes a bare number (123, 0123号, 第123号) as
// 第0123号; anything else is kept, trimmed.
func NormalizeSuggestionNumber(s string) string {
	s = toHalfwidthDigits(strings.TrimSpace(s))
	if m := numberRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return fmt.Sprintf("第%04d号", n)
	}
	return s
}

// Suggestions manages deputies' suggestions, their handling and ratings.
type Suggestions struct {
	db  *storage.DB
	env *env // the transaction and audit of a deputy's rating
	// Now is the clock (tests inject one).
	Now func() time.Time
	// RatingRevisionWindow is how long after the first rating of a reply a
	// deputy may revise it; 0 allows no revision.
	RatingRevisionWindow time.Duration
}

// NewSuggestions returns the suggestions service over db.
func NewSuggestions(db *storage.DB) *Suggestions {
	return &Suggestions{db: db, env: newEnv(db), Now: time.Now, RatingRevisionWindow: DefaultRatingRevisionWindow}
}

// Create validates and stores a new suggestion with its lead deputy
// (s.LeadDeputyID) and seconders (附议), as assigned to s.HostUnit.
func (s *Suggestions) Create(ctx context.Context, sg *model.Suggestion, seconders []int64) error {
	errs := normalizeSuggestion(sg)
	seconders, more, err := s.checkDeputies(ctx, sg.LeadDeputyID, seconders)
	if err != nil {
		return err
	}
	if errs = append(errs, more...); len(errs) > 0 {
		return errs
	}
	return s.env.tx(ctx, func(ctx context.Context) error {
		err := s.db.CreateSuggestion(ctx, sg, seconders)
		if errors.Is(err, model.ErrConflict) {
			return ValidationError{{Key: "number", Label: "建议编号", Value: sg.Number, Msg: "已存在"}}
		}
		if err != nil {
			return err
		}
		return s.assigned(ctx, nil, *sg)
	})
}

func normalizeSuggestion(sg *model.Suggestion) ValidationError {
	var errs ValidationError
	text := func(field string, v *string, max int, required bool) {
		*v = strings.TrimSpace(*v)
		switch n := utf8.RuneCountInString(*v); {
		case n == 0 && required:
			errs = append(errs, &FieldError{Label: field, Msg: "不能为空"})
		case n > max:
			errs = append(errs, &FieldError{Label: field, Msg: fmt.Sprintf("过长（最多 %d 个字）", max)})
		}
	}
	sg.Number = NormalizeSuggestionNumber(sg.Number)
	text("建议编号", &sg.Number, 32, true)
	text("标题", &sg.Title, 200, true)
	text("内容摘要", &sg.Summary, 5000, false)
	text("届次", &sg.Session, 50, false)
	text("主办单位", &sg.HostUnit, 100, true)
	sg.CoUnits = strings.Join(SplitUnits(sg.CoUnits), "、")
	text("协办单位", &sg.CoUnits, 1000, false)
	return errs
}

// checkDeputies reports a missing or unknown lead deputy and unknown
// seconders, and returns the seconders without duplicates or the lead.
func (s *Suggestions) checkDeputies(ctx context.Context, lead int64, seconders []int64) ([]int64, ValidationError, error) {
	var out []int64
	var errs ValidationError
	exists := func(field string, id int64) (bool, error) {
		_, err := s.db.GetDeputy(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			errs = append(errs, &FieldError{Label: field, Value: strconv.FormatInt(id, 10), Msg: "不存在"})
			return false, nil
		}
		return err == nil, err
	}
	if lead <= 0 {
		errs = append(errs, &FieldError{Label: "领衔代表", Msg: "不能为空"})
	} else if _, err := exists("领衔代表", lead); err != nil {
		return nil, nil, err
	}
	seen := map[int64]bool{lead: true}
	for _, id := range seconders {
		if seen[id] {
			continue
		}
		seen[id] = true
		ok, err := exists("附议代表", id)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, errs, nil
}

// Get returns a suggestion with its deputies.
func (s *Suggestions) Get(ctx context.Context, id int64) (model.Suggestion, error) {
	return s.db.GetSuggestion(ctx, id)
}

// GetByNumber returns a suggestion by its number, written as staff or a
// deputy might (123, 第123号, 第0123号).
func (s *Suggestions) GetByNumber(ctx context.Context, number string) (model.Suggestion, error) {
	return s.db.GetSuggestionByNumber(ctx, NormalizeSuggestionNumber(number))
}

// OfDeputy lists a deputy's suggestions for 我的建议.
func (s *Suggestions) OfDeputy(ctx context.Context, deputyID int64) ([]model.DeputySuggestion, error) {
	return s.db.SuggestionsOfDeputy(ctx, deputyID)
}

// RecordStep validates and records a handling step by staff or a unit:
// st.Kind is contacted (已联系), replied (已答复: st.ReplyCategory A–D and
// the reply text in st.Note), concluded (已办结), rehandling (重新办理: the
// reason in st.Note) or note (备注: st.Note). st.Actor names who records
// it. A step the suggestion's status does not allow (办结 before 答复 …)
// is refused with a Chinese message and changes nothing. st.ID and st.At
// are filled in.
func (s *Suggestions) RecordStep(ctx context.Context, st *model.SuggestionStep) error {
	if errs := normalizeStep(st); len(errs) > 0 {
		return errs
	}
	sg, err := s.db.GetSuggestion(ctx, st.SuggestionID)
	if err != nil {
		return err
	}
	if model.BeforeHandling(sg.Status) {
		return ValidationError{{Key: "kind", Label: "办理步骤", Msg: "该建议尚未交办，不能记录办理步骤"}}
	}
	if msg := transitionError(st.Kind, sg.Status); msg != "" {
		return ValidationError{{Key: "kind", Label: "办理步骤", Msg: msg}}
	}
	st.At = s.Now()
	return s.env.tx(ctx, func(ctx context.Context) error {
		err := s.db.AddSuggestionStep(ctx, st, sg.Status, s.stepPushes(sg, st)...)
		if errors.Is(err, model.ErrConflict) {
			return ValidationError{{Key: "kind", Label: "办理步骤", Msg: "该建议的状态刚刚被他人更新，请刷新后重试"}}
		}
		if err != nil || st.Kind != model.StepRehandling {
			return err
		}
		return s.sentBack(ctx, sg, st.Note)
	})
}

// stepPushes are the notices a step sends, in the step's transaction: a
// progress notice to the suggestion's deputies for 答复, 办结 and 重新办理,
// and with a reply a rating request that leaves each a pending ask.
func (s *Suggestions) stepPushes(sg model.Suggestion, st *model.SuggestionStep) []model.Push {
	var ids []int64
	for _, d := range sg.Deputies {
		ids = append(ids, d.DeputyID)
	}
	status := map[string]string{model.StepReplied: "已答复", model.StepConcluded: "已办结", model.StepRehandling: "重新办理"}[st.Kind]
	if status == "" || len(ids) == 0 {
		return nil
	}
	fields := map[string]string{"number": sg.Number, "unit": sg.HostUnit, "status": status,
		"time": s.Now().Format("2006-01-02")}
	pushes := []model.Push{{DeputyIDs: ids, Notice: model.Notice{Kind: model.KindProgress,
		Title: sg.Number + "建议" + status, Body: "《" + sg.Title + "》\n" + st.Note, Fields: fields, RefKind: "suggestion", RefID: sg.ID}}}
	if st.Kind == model.StepReplied {
		pushes = append(pushes, model.Push{DeputyIDs: ids,
			Notice: model.Notice{Kind: model.KindRatingRequest, Title: sg.Number + "建议办理满意度测评",
				Body: "承办单位已答复，请对沟通方式、办理态度和办理结果作出评价。", Fields: fields, RefKind: "suggestion", RefID: sg.ID},
			Ask: &model.Ask{Flow: FlowRate, RefID: sg.ID, Title: "建议办理满意度测评：" + sg.Number}})
	}
	return pushes
}

func normalizeStep(st *model.SuggestionStep) ValidationError {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	st.Actor, st.Note = strings.TrimSpace(st.Actor), strings.TrimSpace(st.Note)
	kind, ok := parseStepKind(st.Kind)
	if !ok {
		bad("办理步骤", st.Kind, "应为 已联系、已答复、已办结、重新办理 或 备注")
		return errs
	}
	st.Kind = kind
	if st.Actor == "" {
		bad("记录人", "", "不能为空")
	} else if utf8.RuneCountInString(st.Actor) > 100 {
		bad("记录人", "", "过长（最多 100 个字）")
	}
	if utf8.RuneCountInString(st.Note) > 20000 {
		bad("内容", "", "过长（最多 20000 个字）")
	}
	st.ReplyCategory = strings.TrimSpace(st.ReplyCategory)
	switch kind {
	case model.StepReplied:
		if c, ok := ParseReplyCategory(st.ReplyCategory); ok {
			st.ReplyCategory = c
		} else {
			bad("答复类别", st.ReplyCategory, "应为 A、B、C 或 D")
		}
		if st.Note == "" {
			bad("答复内容", "", "不能为空")
		}
	case model.StepRehandling:
		if st.Note == "" {
			bad("重新办理理由", "", "不能为空")
		}
	case model.StepNote:
		if st.Note == "" {
			bad("备注", "", "不能为空")
		}
	}
	if kind != model.StepReplied {
		st.ReplyCategory = ""
	}
	return errs
}

// transitionError returns why a step of kind may not follow status, or "".
func transitionError(kind, status string) string {
	answered := status == model.SuggestionReplied || status == model.SuggestionConcluded
	switch kind {
	case model.StepContacted:
		if answered {
			return "该建议已答复，不能再记录“已联系”；如需说明请记录备注"
		}
	case model.StepReplied:
		switch status {
		case model.SuggestionReplied:
			return "该建议已答复，不能重复答复；如需重新办理，请先记录“重新办理”"
		case model.SuggestionConcluded:
			return "该建议已办结，不能再答复；如需重新办理，请先记录“重新办理”"
		}
	case model.StepConcluded:
		switch status {
		case model.SuggestionConcluded:
			return "该建议已办结"
		case model.SuggestionRehandling:
			return "该建议正在重新办理，须重新答复后才能办结"
		case model.SuggestionAssigned, model.SuggestionHandling:
			return "该建议尚未答复，不能办结"
		}
	case model.StepRehandling:
		switch status {
		case model.SuggestionRehandling:
			return "该建议已在重新办理中"
		case model.SuggestionAssigned, model.SuggestionHandling:
			return "该建议尚未答复，不能退回重新办理"
		}
	}
	return ""
}

// Rating is a deputy's answer to the satisfaction rating. Contact,
// Attitude and Result take a stored value or its label (当面沟通, 满意 …).
type Rating struct {
	Contact  string // how the unit got in touch: ContactChoices
	Attitude string // the unit's attitude (办理态度): SatisfactionChoices
	Result   string // the result (办理结果): SatisfactionChoices
	Reason   string // required when Attitude or Result is 不满意
}

// Rate stores deputyID's rating of the suggestion's handling, or revises
// it. Only a deputy on the suggestion may rate (else ErrNotOnSuggestion),
// only once the unit has replied (else ErrNotRateable), and a rating may be
// revised within RatingRevisionWindow of the first one (else
// ErrRatingClosed); a new reply after re-handling opens a new rating. 不满意
// needs a reason. A 不满意 result sends the suggestion back: status
// rehandling with the reason and a 'rehandling' step by the deputy, in the
// same transaction as the rating.
func (s *Suggestions) Rate(ctx context.Context, suggestionID, deputyID int64, r Rating) (model.SuggestionRating, error) {
	sg, err := s.db.GetSuggestion(ctx, suggestionID)
	if err != nil {
		return model.SuggestionRating{}, err
	}
	name, ok := deputyOn(sg, deputyID)
	if !ok {
		return model.SuggestionRating{}, ErrNotOnSuggestion
	}
	if !sg.CanRate() {
		return model.SuggestionRating{}, ErrNotRateable
	}
	rec, errs := normalizeRating(r)
	if len(errs) > 0 {
		return model.SuggestionRating{}, errs
	}
	rec.SuggestionID, rec.DeputyID = suggestionID, deputyID
	now := s.Now().UTC()
	prev, fresh, err := s.revision(ctx, sg, deputyID, now)
	if err != nil {
		return model.SuggestionRating{}, err
	}
	if fresh {
		rec.RatedAt = now
	} else {
		rec.RatedAt, rec.RevisedAt = prev.RatedAt, &now
	}
	var back *model.SuggestionStep
	if rec.Result == model.RatingDissatisfied && (fresh || prev.Result != model.RatingDissatisfied) {
		back = &model.SuggestionStep{SuggestionID: suggestionID, At: now, Kind: model.StepRehandling, Actor: name, Note: rec.Reason}
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.db.UpsertRating(ctx, &rec, back); err != nil || back == nil {
			return err
		}
		return s.sentBack(ctx, sg, back.Note)
	})
	if err != nil {
		return model.SuggestionRating{}, err
	}
	return rec, nil
}

func deputyOn(sg model.Suggestion, deputyID int64) (name string, ok bool) {
	for _, d := range sg.Deputies {
		if d.DeputyID == deputyID {
			return d.Name, true
		}
	}
	return "", false
}

func lastChange(r model.SuggestionRating) time.Time {
	if r.RevisedAt != nil {
		return *r.RevisedAt
	}
	return r.RatedAt
}

func normalizeRating(r Rating) (model.SuggestionRating, ValidationError) {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	var rec model.SuggestionRating
	var ok bool
	if rec.Contact, ok = ParseContact(r.Contact); !ok {
		bad("沟通方式", r.Contact, "应为 当面沟通、电话沟通、书面沟通 或 未联系")
	}
	if rec.Attitude, ok = ParseSatisfaction(r.Attitude); !ok {
		bad("办理态度", r.Attitude, "应为 满意、基本满意 或 不满意")
	}
	if rec.Result, ok = ParseSatisfaction(r.Result); !ok {
		bad("办理结果", r.Result, "应为 满意、基本满意 或 不满意")
	}
	rec.Reason = strings.TrimSpace(r.Reason)
	dissatisfied := rec.Attitude == model.RatingDissatisfied || rec.Result == model.RatingDissatisfied
	switch n := utf8.RuneCountInString(rec.Reason); {
	case n == 0 && dissatisfied:
		bad("不满意理由", "", "选择“不满意”时请说明理由")
	case n > 1000:
		bad("不满意理由", "", "过长（最多 1000 个字）")
	}
	return rec, errs
}

// GetRating returns deputyID's rating of the suggestion, or ErrNotFound.
func (s *Suggestions) GetRating(ctx context.Context, suggestionID, deputyID int64) (model.SuggestionRating, error) {
	return s.db.GetRating(ctx, suggestionID, deputyID)
}

// Ratings returns every rating of the suggestion.
func (s *Suggestions) Ratings(ctx context.Context, suggestionID int64) ([]model.SuggestionRating, error) {
	return s.db.SuggestionRatings(ctx, suggestionID)
}

// Rates are the figures suggestion handling is judged by, with the counts
// behind them. A rate whose denominator is 0 is 0.
type Rates struct {
	HostUnit string // empty for the overall figures
	model.SuggestionCounts
	// ReplyRate (答复率) = Replied / Total: the share of suggestions the
	// unit has answered (including those answered and since concluded or
	// sent back for re-handling).
	ReplyRate float64
	// ConclusionRate (办结率) = Concluded / Total: the share of suggestions
	// whose status is concluded.
	ConclusionRate float64
	// SatisfactionRate (满意率) = Satisfied / Rated: the share of ratings
	// whose result (办理结果) is 满意 or 基本满意, 基本满意 counting as
	// satisfied as the usual definition has it.
	SatisfactionRate float64
}

func ratesOf(unit string, c model.SuggestionCounts) Rates {
	frac := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	return Rates{HostUnit: unit, SuggestionCounts: c, ReplyRate: frac(c.Replied, c.Total),
		ConclusionRate: frac(c.Concluded, c.Total), SatisfactionRate: frac(c.Satisfied, c.Rated)}
}

// Rates returns the rates over the suggestions matching f, and the same per
// host unit (by unit name) for charts.
func (s *Suggestions) Rates(ctx context.Context, f model.SuggestionRatesFilter) (overall Rates, byUnit []Rates, err error) {
	total, units, err := s.db.SuggestionRates(ctx, f)
	if err != nil {
		return Rates{}, nil, err
	}
	byUnit = make([]Rates, len(units))
	for i, u := range units {
		byUnit[i] = ratesOf(u.HostUnit, u.SuggestionCounts)
	}
	return ratesOf("", total), byUnit, nil
}
