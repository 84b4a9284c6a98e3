package bot

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// parseInput reads a deputy's answer to st at now. It returns the
// normalized value, or the name of the hint template saying what is
// expected.
func parseInput(st Step, text string, now time.Time) (value, hint string) {
	word := normalizeWord(text)
	switch st.Kind {
	case KindChoice:
		if c, ok := matchChoice(st.Choices, word); ok {
			return c.Value, ""
		}
		return "", "hint.choice"
	case KindYesNo:
		switch word {
		case "是", "1", "是的", "对", "好", "好的", "确认", "确定", "同意", "y", "Y", "yes", "可以":
			return "yes", ""
		case "否", "2", "不", "不是", "不对", "不同意", "n", "N", "no", "修改", "重填":
			return "no", ""
		}
		return "", "hint.yesno"
	case KindNumber, KindScale:
		lo, hi := st.Min, st.Max
		if st.Kind == KindScale {
			lo, hi = 1, 5
		}
		n, err := strconv.Atoi(foldDigits(word))
		if err != nil || n < lo || n > hi {
			if st.Kind == KindScale {
				return "", "hint.scale"
			}
			return "", "hint.number"
		}
		return strconv.Itoa(n), ""
	case KindText:
		t := strings.TrimSpace(text)
		if t == "" {
			return "", "hint.text"
		}
		if utf8.RuneCountInString(t) > maxLen(st) {
			return "", "hint.text_long"
		}
		return t, ""
	case KindDate:
		if d, ok := parseChatDay(word, now); ok {
			return d.Format(time.DateOnly), ""
		}
		return "", "hint.date"
	case KindMultiChoice:
		var picked []string
		seen := map[string]bool{}
		for _, part := range strings.FieldsFunc(word, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(",，、;；/", r)
		}) {
			c, ok := matchChoice(st.Choices, part)
			if !ok {
				return "", "hint.multi"
			}
			if !seen[c.Value] {
				seen[c.Value] = true
				picked = append(picked, c.Value)
			}
		}
		if len(picked) == 0 {
			return "", "hint.multi"
		}
		return strings.Join(picked, ","), ""
	}
	return strings.TrimSpace(text), ""
}

// matchChoice accepts a choice's number (half- or full-width), its label
// or one of its aliases.
func matchChoice(choices []Choice, word string) (Choice, bool) {
	if n, err := strconv.Atoi(foldDigits(word)); err == nil {
		if n >= 1 && n <= len(choices) {
			return choices[n-1], true
		}
		return Choice{}, false
	}
	for _, c := range choices {
		if word == c.Label || word == c.Value {
			return c, true
		}
		for _, a := range c.Aliases {
			if word == a {
				return c, true
			}
		}
	}
	if v := answerVariant(word); v != "" {
		return matchChoice(choices, v)
	}
	// Part of one label only (交通 for 交通运输): the hint says text may be
	// replied, and a deputy types the word they read. Never the other way
	// round (a label inside the word): 不太满意 holds 满意.
	if utf8.RuneCountInString(word) >= 2 {
		var found []Choice
		for _, c := range choices {
			if strings.Contains(c.Label, word) {
				found = append(found, c)
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
	}
	return Choice{}, false
}

// isNumber reports whether word is a number (half- or full-width).
func isNumber(word string) bool {
	_, err := strconv.Atoi(foldDigits(word))
	return err == nil
}

// foldDigits turns full-width digits into ASCII.
func foldDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + r - '０'
		}
		return r
	}, s)
}

// parseChatDay reads 今天, 昨天, 前天 (today being now's day in China
// time) or a date as parseChatDate does.
func parseChatDay(word string, now time.Time) (time.Time, bool) {
	local := now.In(chinaZone)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	switch word {
	case "今天", "今日":
		return today, true
	case "昨天", "昨日":
		return today.AddDate(0, 0, -1), true
	case "前天":
		return today.AddDate(0, 0, -2), true
	}
	return parseChatDate(word, local)
}

// parseChatDate reads 2026-12-01, 2026/12/1, 2026年12月1日, 12月1日 or 12/1
// (the last two in the year of now).
func parseChatDate(s string, now time.Time) (time.Time, bool) {
	s = foldDigits(strings.TrimSuffix(strings.TrimSuffix(s, "日"), "号"))
	s = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(s)
	parts := strings.Split(s, "-")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, false
		}
		nums[i] = n
	}
	var y, m, d int
	switch len(nums) {
	case 3:
		y, m, d = nums[0], nums[1], nums[2]
	case 2:
		y, m, d = now.Year(), nums[0], nums[1]
	default:
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || y > 2200 || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}
