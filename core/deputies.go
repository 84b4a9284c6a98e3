// Package core holds deputybot's domain rules. It calls storage (and later
// notify), never HTTP or WeChat directly.
package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// Level labels, as staff write them.
var levelLabels = map[string]string{
	model.LevelNational:   "全国人大代表",
	model.LevelProvincial: "省人大代表",
}

// LevelLabel returns the Chinese label of a stored level.
func LevelLabel(level string) string {
	if l, ok := levelLabels[level]; ok {
		return l
	}
	return level
}

// ParseLevel accepts a label (省人大代表, 全国人大代表, also 省级, 全国) or a code.
func ParseLevel(s string) (string, bool) {
	switch strings.TrimSpace(s) {
	case "", "省人大代表", "省级", "省", model.LevelProvincial:
		return model.LevelProvincial, true
	case "全国人大代表", "全国", "全国级", model.LevelNational:
		return model.LevelNational, true
	}
	return "", false
}

// StatusLabel returns the Chinese label of a stored status.
func StatusLabel(status string) string { return model.DeputyStatusLabel(status) }

var phoneRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// NormalizePhone strips spaces, dashes and a +86 prefix; ok is false when
// what remains is not an 11-digit mainland mobile number.
func NormalizePhone(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == ' ' || r == '-' || r == '\u00a0' || r == '　':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+86"), "0086")
	if s == "" {
		return "", true
	}
	return s, phoneRE.MatchString(s)
}

// MaskPhone shows a phone as 138****1234 for views that are not the owner's.
func MaskPhone(p string) string {
	if len(p) != 11 {
		if p == "" {
			return ""
		}
		return "****"
	}
	return p[:3] + "****" + p[7:]
}

// Normalize cleans d's fields in place and returns every problem found.
func Normalize(d *model.Deputy) ValidationError {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	d.Name = strings.TrimSpace(d.Name)
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		bad("姓名", "", "不能为空")
	case n > 50:
		bad("姓名", d.Name, "过长（最多 50 个字）")
	case strings.ContainsFunc(d.Name, unicode.IsControl):
		// A NUL or line break in a name breaks matching by name (binding,
		// suggestion imports) and is never meant.
		bad("姓名", "", "含有换行或不可见的控制字符，请重新输入")
	}
	d.Gender = strings.TrimSpace(d.Gender)
	switch d.Gender {
	case "", "男", "女":
	case "M", "m", "male":
		d.Gender = "男"
	case "F", "f", "female":
		d.Gender = "女"
	default:
		bad("性别", d.Gender, "应为“男”或“女”")
	}
	d.Ethnicity = strings.TrimSpace(d.Ethnicity)
	if d.Ethnicity != "" && !strings.HasSuffix(d.Ethnicity, "族") {
		d.Ethnicity += "族"
	}
	d.Delegation = strings.TrimSpace(d.Delegation)
	if utf8.RuneCountInString(d.Delegation) > 50 {
		bad("代表团", d.Delegation, "过长（最多 50 个字）")
	}
	if lvl, ok := ParseLevel(d.Level); ok {
		d.Level = lvl
	} else {
		bad("代表层级", d.Level, "应为“省人大代表”或“全国人大代表”")
	}
	d.Occupation = strings.TrimSpace(d.Occupation)
	d.ProfessionalGroup = strings.TrimSpace(d.ProfessionalGroup)
	if p, ok := NormalizePhone(d.Phone); ok {
		d.Phone = p
	} else {
		bad("手机号", d.Phone, "不是有效的手机号码")
	}
	if d.BirthDate != nil {
		if d.BirthDate.Year() < 1900 || d.BirthDate.After(time.Now()) {
			bad("出生日期", d.BirthDate.Format(time.DateOnly), "不在合理范围内")
		}
	}
	tags := d.Tags[:0:0]
	seen := map[string]bool{}
	for _, t := range d.Tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > 30 {
			bad("标签", t, "过长（每个标签最多 30 个字）")
		}
		seen[t] = true
		tags = append(tags, t)
	}
	d.Tags = tags
	if d.Status == "" {
		d.Status = model.StatusActive
	}
	return errs
}

// Registry manages the deputy registry.
type Registry struct {
	db  *storage.DB
	now func() time.Time
	env *env // the transaction and audit of the actions that record one
}

// NewRegistry returns the registry over db.
func NewRegistry(db *storage.DB) *Registry {
	return &Registry{db: db, now: time.Now, env: newEnv(db)}
}

// Create validates and stores a new deputy.
func (r *Registry) Create(ctx context.Context, d *model.Deputy) error {
	if errs := Normalize(d); len(errs) > 0 {
		return errs
	}
	d.OpenID, d.BoundAt = "", nil
	if err := r.db.CreateDeputy(ctx, d); err != nil {
		return conflictAsField(err)
	}
	return nil
}

// Update validates and stores the registry fields of an existing deputy.
func (r *Registry) Update(ctx context.Context, d *model.Deputy) error {
	if errs := Normalize(d); len(errs) > 0 {
		return errs
	}
	if err := r.db.UpdateDeputy(ctx, d); err != nil {
		return conflictAsField(err)
	}
	return nil
}

func conflictAsField(err error) error {
	if errors.Is(err, model.ErrConflict) {
		return ValidationError{{Key: "phone", Label: "手机号", Msg: "已被另一位代表使用"}}
	}
	return err
}

// terminate ends a deputy's term; TerminateAs is the action, with the
// actor and the audit entry.
func (r *Registry) terminate(ctx context.Context, id int64, on time.Time, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ValidationError{{Key: "reason", Label: "终止原因", Msg: "不能为空（如 辞职、罢免、调离）"}}
	}
	return r.db.TerminateDeputy(ctx, id, on, reason)
}

// Get returns one deputy.
func (r *Registry) Get(ctx context.Context, id int64) (model.Deputy, error) {
	return r.db.GetDeputy(ctx, id)
}

// Find returns deputies by exact name, or the one with that id when ref is a number.
func (r *Registry) Find(ctx context.Context, ref string) ([]model.Deputy, error) {
	var id int64
	if _, err := fmt.Sscan(ref, &id); err == nil && id > 0 {
		d, err := r.db.GetDeputy(ctx, id)
		if err != nil {
			return nil, err
		}
		return []model.Deputy{d}, nil
	}
	return r.db.FindDeputiesByName(ctx, strings.TrimSpace(ref))
}
