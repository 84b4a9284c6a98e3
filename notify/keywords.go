package notify

import (
	"sort"
	"strings"
	"unicode/utf8"

	"deputybot/model"
)

// Keyword is one template keyword as a notice fills it.
type Keyword struct {
	Key    string // the template's keyword, e.g. thing1
	Source string // the notice field it shows: title, time, note…
	Full   string // the field's whole text
	Value  string // what is sent: Full cut by FieldValue, 详见通知 when empty
	Cut    bool   // Full is longer than WeChat shows
	Empty  bool   // Full is empty: Value is the placeholder
}

// Keywords fills t's keywords from n, in the order WeChat shows them (by
// keyword number). It is the one mapping from a notice to a template
// message: the dispatcher sends these values and the console's preview
// shows them.
func (t Template) Keywords(n model.Notice) []Keyword {
	keys := make([]string, 0, len(t.Fields))
	for k := range t.Fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ni, nj := KeywordNum(keys[i]), KeywordNum(keys[j])
		if ni != nj {
			return ni < nj
		}
		return keys[i] < keys[j]
	})
	out := make([]Keyword, 0, len(keys))
	for _, k := range keys {
		src := t.Fields[k]
		full := n.Fields[src]
		if src == "title" {
			full = n.Title
		}
		kw := Keyword{Key: k, Source: src, Full: full, Value: FieldValue(full),
			Cut: utf8.RuneCountInString(strings.Join(strings.Fields(full), " ")) > 20}
		if kw.Value == "" {
			// WeChat refuses an empty keyword.
			kw.Value, kw.Empty = "详见通知", true
		}
		out = append(out, kw)
	}
	return out
}

// KeywordNum is the number a keyword ends with (thing12 → 12).
func KeywordNum(k string) int {
	n := 0
	for _, r := range strings.TrimLeft(k, "abcdefghijklmnopqrstuvwxyz_") {
		n = n*10 + int(r-'0')
	}
	return n
}
