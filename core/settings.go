package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"deputybot/model"
	"deputybot/notify"
	"deputybot/storage"
)

// TemplateFields are the notice fields a template keyword may show.
var TemplateFields = []string{"title", "time", "place", "status", "unit", "number", "deadline", "note", "kind"}

// TemplateFieldLabels names the notice fields in Chinese.
var TemplateFieldLabels = map[string]string{
	"title": "标题", "time": "时间", "place": "地点", "status": "状态", "unit": "单位",
	"number": "编号", "deadline": "期限", "note": "备注", "kind": "类别",
}

var (
	// WeChat keyword names: thing1, time2, character_string3, phrase4 …
	keywordRE = regexp.MustCompile(`^[a-z][a-z_]*[0-9]{1,2}$`)
	// Template IDs are URL-safe base64 of about 43 characters.
	templateIDRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	mappingPairSep = regexp.MustCompile(`[,，;；、\s]+`)
)

// maxKeywords bounds a template's keywords; WeChat's have at most five.
const maxKeywords = 10

// ParseTemplateFields reads a keyword mapping as staff type it:
// "thing1=title, time2=time" (= or :, separated by commas, spaces or
// lines). Problems are returned as one message.
func ParseTemplateFields(text string) (map[string]string, error) {
	out := map[string]string{}
	var bad []string
	for _, pair := range mappingPairSep.Split(strings.TrimSpace(text), -1) {
		if pair == "" {
			continue
		}
		key, field, ok := strings.Cut(strings.NewReplacer("：", "=", ":", "=").Replace(pair), "=")
		key, field = strings.TrimSpace(key), strings.TrimSpace(field)
		switch {
		case !ok || key == "" || field == "":
			bad = append(bad, fmt.Sprintf("“%s”应写作 关键词=字段，如 thing1=title", pair))
		case out[key] != "":
			bad = append(bad, fmt.Sprintf("关键词 %s 重复", key))
		default:
			out[key] = field
		}
	}
	if len(bad) > 0 {
		return out, errors.New(strings.Join(bad, "；"))
	}
	return out, nil
}

// FormatTemplateFields writes a mapping back as ParseTemplateFields reads
// it, keywords in WeChat's order (by their number).
func FormatTemplateFields(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if na, nb := notify.KeywordNum(a), notify.KeywordNum(b); na != nb {
			return na - nb
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	return strings.Join(parts, ", ")
}

// ValidateTemplates checks template overrides by notice kind. Each
// problem's Key is "templates.<kind>.id" or "templates.<kind>.fields".
func ValidateTemplates(m map[string]model.TemplateSetting) ValidationError {
	var errs ValidationError
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		t := m[kind]
		if _, ok := model.KindLabels[kind]; !ok {
			errs = append(errs, &FieldError{Key: templateKey(kind, "id"), Label: kind, Value: kind, Msg: "不是已知的通知类别"})
			continue
		}
		switch {
		case strings.TrimSpace(t.ID) == "":
			errs = append(errs, &FieldError{Key: templateKey(kind, "id"), Label: templateLabel(kind, "id"), Msg: "模板 ID 不能为空"})
		case !templateIDRE.MatchString(t.ID):
			errs = append(errs, &FieldError{Key: templateKey(kind, "id"), Label: templateLabel(kind, "id"), Value: t.ID, Msg: "模板 ID 只能由字母、数字、- 和 _ 组成（最多 64 个字符）"})
		}
		if msg := checkTemplateFields(t.Fields); msg != "" {
			errs = append(errs, &FieldError{Key: templateKey(kind, "fields"), Label: templateLabel(kind, "fields"), Msg: msg})
		}
	}
	return errs
}

func checkTemplateFields(fields map[string]string) string {
	if len(fields) == 0 {
		return "至少填写一个关键词，如 thing1=title"
	}
	if len(fields) > maxKeywords {
		return fmt.Sprintf("关键词最多 %d 个", maxKeywords)
	}
	var bad []string
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !keywordRE.MatchString(k) {
			bad = append(bad, fmt.Sprintf("关键词 %q 应形如 thing1、time2", k))
		}
		if !slices.Contains(TemplateFields, fields[k]) {
			bad = append(bad, fmt.Sprintf("字段 %q 不可用（可用：%s）", fields[k], strings.Join(TemplateFields, "、")))
		}
	}
	return strings.Join(bad, "；")
}

// MenuButton is a custom-menu button in WeChat's menu/create form.
type MenuButton struct {
	Type      string       `json:"type,omitempty"` // click or view; empty on a parent
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	URL       string       `json:"url,omitempty"`
	SubButton []MenuButton `json:"sub_button,omitempty"`
}

// Menu is the body of WeChat's menu/create.
type Menu struct {
	Button []MenuButton `json:"button"`
}

// WeChat's limits on a custom menu.
const (
	maxTopButtons     = 3
	maxSubButtons     = 5
	maxTopNameBytes   = 16 // 4 Chinese characters
	maxSubNameBytes   = 60
	maxMenuKeyBytes   = 128
	maxMenuURLBytes   = 1024
	maxMenuBodyLength = 16 << 10
)

// ParseMenu reads and checks a custom menu written as WeChat's
// menu/create body ({"button": [...]}) and returns it normalised: types
// filled in, indented. Every problem is a FieldError with Field "menu".
func ParseMenu(raw []byte) ([]byte, error) {
	fail := func(format string, args ...any) error {
		return ValidationError{{Label: "menu", Msg: fmt.Sprintf(format, args...)}}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fail("菜单不能为空")
	}
	if len(raw) > maxMenuBodyLength {
		return nil, fail("菜单过长（最多 %d 字节）", maxMenuBodyLength)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m Menu
	if err := dec.Decode(&m); err != nil {
		return nil, fail("不是有效的菜单 JSON：%s", menuJSONProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail("只能包含一个 JSON 对象")
	}
	var errs ValidationError
	if len(m.Button) == 0 || len(m.Button) > maxTopButtons {
		errs = append(errs, &FieldError{Label: "menu", Msg: fmt.Sprintf("一级菜单应有 1 至 %d 个，现有 %d 个", maxTopButtons, len(m.Button))})
	}
	for i := range m.Button {
		b := &m.Button[i]
		at := fmt.Sprintf("第 %d 个一级菜单", i+1)
		errs = append(errs, checkMenuName(at, b.Name, maxTopNameBytes)...)
		if len(b.SubButton) == 0 {
			errs = append(errs, checkMenuAction(at, b)...)
			continue
		}
		if b.Type != "" || b.Key != "" || b.URL != "" {
			errs = append(errs, &FieldError{Label: "menu", Msg: at + "有子菜单，不能再设置 type、key 或 url"})
		}
		if len(b.SubButton) > maxSubButtons {
			errs = append(errs, &FieldError{Label: "menu", Msg: fmt.Sprintf("%s的子菜单最多 %d 个，现有 %d 个", at, maxSubButtons, len(b.SubButton))})
		}
		for j := range b.SubButton {
			sb := &b.SubButton[j]
			sat := fmt.Sprintf("%s的第 %d 个子菜单", at, j+1)
			errs = append(errs, checkMenuName(sat, sb.Name, maxSubNameBytes)...)
			if len(sb.SubButton) > 0 {
				errs = append(errs, &FieldError{Label: "menu", Msg: sat + "不能再有子菜单"})
				continue
			}
			errs = append(errs, checkMenuAction(sat, sb)...)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return json.MarshalIndent(m, "", "  ")
}

func checkMenuName(at, name string, maxBytes int) ValidationError {
	switch {
	case strings.TrimSpace(name) == "":
		return ValidationError{{Label: "menu", Msg: at + "缺少名称（name）"}}
	case len(name) > maxBytes:
		return ValidationError{{Label: "menu", Msg: fmt.Sprintf("%s的名称“%s”过长（最多 %d 字节，约 %d 个汉字）", at, name, maxBytes, maxBytes/3)}}
	}
	return nil
}

// checkMenuAction checks a button without sub-buttons: a click with a key
// or a view with an http(s) URL. An empty type is inferred.
func checkMenuAction(at string, b *MenuButton) ValidationError {
	if b.Type == "" {
		switch {
		case b.Key != "" && b.URL == "":
			b.Type = "click"
		case b.URL != "" && b.Key == "":
			b.Type = "view"
		}
	}
	bad := func(msg string) ValidationError {
		return ValidationError{{Label: "menu", Msg: at + "“" + b.Name + "”" + msg}}
	}
	switch b.Type {
	case "click":
		if b.Key == "" || b.URL != "" {
			return bad("是点击菜单：须有 key，不能有 url")
		}
		if len(b.Key) > maxMenuKeyBytes {
			return bad(fmt.Sprintf("的 key 过长（最多 %d 字节）", maxMenuKeyBytes))
		}
	case "view":
		if b.URL == "" || b.Key != "" {
			return bad("是链接菜单：须有 url，不能有 key")
		}
		u, err := url.Parse(b.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(b.URL) > maxMenuURLBytes {
			return bad("的 url 应是 http(s) 网址（最多 1024 字节）")
		}
	case "":
		return bad("须有 key（点击菜单）或 url（链接菜单）之一")
	default:
		return bad(fmt.Sprintf("的类型 %q 不受支持：只能是 click 或 view", b.Type))
	}
	return nil
}

func menuJSONProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("第 %d 字节处语法错误", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s 的类型不对", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "未知字段 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.EOF):
		return "内容为空"
	}
	return "格式错误"
}

// Settings are what admins change in the console's settings page: they
// live in the database and override the configuration file.
type Settings struct {
	*env
	lister  atomic.Pointer[TemplateLister]
	catalog atomic.Pointer[TemplateCatalog]
}

// NewSettings returns the settings stored in db.
func NewSettings(db *storage.DB) *Settings { return &Settings{env: newEnv(db)} }

// Templates returns the saved template overrides by notice kind.
func (s *Settings) Templates(ctx context.Context) (map[string]model.TemplateSetting, error) {
	return s.db.TemplateSettings(ctx)
}

// MaxRatePerSecond bounds the send rate staff may set.
const MaxRatePerSecond = 1000

// quietHoursRE is config.Validate's check of delivery.quiet_hours.
var quietHoursRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)

// ValidateDelivery checks a delivery setting as config.Validate checks
// the file: quiet hours HH:MM-HH:MM or empty, a rate above 0 and at most
// MaxRatePerSecond. Fields are "quiet_hours" and "rate_per_second".
func ValidateDelivery(d model.DeliverySetting) ValidationError {
	var errs ValidationError
	if d.QuietHours != "" && !quietHoursRE.MatchString(d.QuietHours) {
		errs = append(errs, &FieldError{Key: "quiet_hours", Label: "免打扰时段", Value: d.QuietHours, Msg: "应写作 22:00-07:30（24 小时制，两位数），不设免打扰则留空"})
	}
	if !(d.RatePerSecond > 0 && d.RatePerSecond <= MaxRatePerSecond) { // also refuses NaN
		errs = append(errs, &FieldError{Key: "rate_per_second", Label: "每秒发送条数", Msg: fmt.Sprintf("应大于 0 且不超过 %d", MaxRatePerSecond)})
	}
	return errs
}

// Delivery returns the saved delivery setting, or model.ErrNotFound
// when the configuration applies.
func (s *Settings) Delivery(ctx context.Context) (model.DeliverySetting, error) {
	return s.db.DeliverySetting(ctx)
}
