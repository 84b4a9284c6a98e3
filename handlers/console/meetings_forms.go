package console

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// What the meeting, sit-in and performance-record pages share.

// meetingsPageSize is the length of a page of the meeting list.
const meetingsPageSize = 50

// option is one choice of a select.
type option struct{ Value, Label string }

// meetingKindOptions lists the meeting kinds in their order.
func meetingKindOptions() []option {
	out := make([]option, len(model.MeetingKinds))
	for i, k := range model.MeetingKinds {
		out[i] = option{k, model.MeetingKindLabel(k)}
	}
	return out
}

// pageParam reads ?page=, from 1.
func pageParam(v url.Values) int {
	p, _ := strconv.Atoi(v.Get("page"))
	return min(max(p, 1), 100000)
}

// backTo is where a form asks to go back to: a console page, else the
// fallback.
func backTo(next, fallback string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return fallback
	}
	return next
}

// plainText drops control characters and surrounding space from a typed
// value.
func plainText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

// audienceForm is the invite page's audience builder as typed.
type audienceForm struct {
	All         bool
	Delegations []string
	Levels      []string
	Grassroots  bool
	Groups      string // separated by commas
	Tags        []string
	DeputyIDs   string // separated by commas or spaces
}

func parseAudienceForm(v url.Values) audienceForm {
	f := audienceForm{All: v.Get("all") != "", Grassroots: v.Get("grassroots") != "",
		Groups: plainText(v.Get("groups")), DeputyIDs: plainText(v.Get("deputy_ids"))}
	for _, d := range v["delegation"] {
		if d = plainText(d); d != "" {
			f.Delegations = append(f.Delegations, d)
		}
	}
	for _, l := range v["level"] {
		f.Levels = append(f.Levels, plainText(l))
	}
	for _, t := range v["tag"] {
		if t = plainText(t); t != "" {
			f.Tags = append(f.Tags, t)
		}
	}
	return f
}

// HasDelegation, HasLevel and HasTag keep the builder's choices on a form
// shown again.
func (f audienceForm) HasDelegation(s string) bool { return slices.Contains(f.Delegations, s) }
func (f audienceForm) HasLevel(s string) bool      { return slices.Contains(f.Levels, s) }
func (f audienceForm) HasTag(s string) bool        { return slices.Contains(f.Tags, s) }

// groupSep separates professional groups (whose names may hold spaces).
var groupSep = regexp.MustCompile(`[,，、;；\n]+`)

// listSep separates ids.
var listSep = strings.NewReplacer("，", ",", "、", ",", ";", ",", "；", ",", "\n", ",", " ", ",", "\t", ",")

// audience reads the form as an audience; deputy ids that are not numbers
// are the one problem found here, the rest core checks.
func (f audienceForm) audience() (model.Audience, error) {
	a := model.Audience{All: f.All, Delegations: f.Delegations, Levels: f.Levels, GrassrootsOnly: f.Grassroots, Tags: f.Tags}
	for _, g := range groupSep.Split(f.Groups, -1) {
		if g = strings.TrimSpace(g); g != "" {
			a.Groups = append(a.Groups, g)
		}
	}
	for _, part := range strings.Split(listSep.Replace(f.DeputyIDs), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return a, &core.FieldError{Key: "deputy_ids", Label: "代表编号", Value: part, Msg: "应为代表编号（正整数），多个用逗号分隔"}
		}
		if !slices.Contains(a.DeputyIDs, id) {
			a.DeputyIDs = append(a.DeputyIDs, id)
		}
	}
	return a, nil
}

// parseIDs reads ids posted as a list (checkboxes); ok is false when one is
// not an id.
func parseIDs(values []string) (ids []int64, ok bool) {
	for _, v := range values {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// meetingOfPath loads the meeting the path names.
func (s *server) meetingOfPath(r *http.Request, by core.Actor) (model.Meeting, error) {
	id, err := httpkit.PathID(r)
	if err != nil {
		return model.Meeting{}, err
	}
	return s.core.Meetings.Get(r.Context(), by, id)
}

// parseForm reads a posted form, refusing one too long to be ours.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	return nil
}
