package handlers

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"deputybot/core"
	"deputybot/model"
)

// fieldKeys maps core's Chinese field names to the names of form fields
// and JSON properties, so an error is shown beside its field.
var fieldKeys = map[string]string{
	"姓名": "name", "性别": "gender", "民族": "ethnicity", "出生日期": "birth_date", "代表团": "delegation",
	"代表层级": "level", "是否基层代表": "grassroots", "职业": "occupation", "专业小组": "professional_group",
	"手机号": "phone", "标签": "tags", "终止原因": "reason", "终止日期": "date", "确认": "confirm",
	"用户名": "username", "角色": "role", "承办单位": "unit", "密码": "password", "当前密码": "current",
	"新密码": "password", "确认密码": "confirm", "令牌名称": "name", "文件": "file",
}

// fieldErrors maps a form field to its message; "general" holds the
// messages of no particular field.
type fieldErrors map[string]string

// fieldErrorsOf returns the per-field messages of a validation error, and
// false for any other error.
func fieldErrorsOf(err error) (fieldErrors, bool) {
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

// cleanText trims a filter value and drops control characters (a NUL
// is ignored by MySQL's collation and cuts SQLite's LIKE short).
func cleanText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return ""
}

func accountObject(a model.Account) string { return "staff/" + a.Username }

// parseID reads a positive numeric path value.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.ErrNotFound
	}
	return id, nil
}

var tagSep = regexp.MustCompile(`[,，、;；\n]+`)

func splitTags(s string) []string {
	var out []string
	for _, t := range tagSep.Split(s, -1) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
