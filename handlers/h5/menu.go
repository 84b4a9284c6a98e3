package h5

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// h5SessionKinds are the menu session's entity pages, /h5/{prefix}/{id},
// by URL prefix.
var h5SessionKinds = map[string]string{
	"meetings":    refMeeting,
	"suggestions": refSuggestion,
	"materials":   refMaterial,
}

var h5KindPrefix = map[string]string{refMeeting: "meetings", refSuggestion: "suggestions", refMaterial: "materials"}

var h5KindTitle = map[string]string{refMeeting: "会议活动", refSuggestion: "建议办理", refMaterial: "学习材料"}

// h5MaterialsShown is how many of the latest materials the menu lists.
const h5MaterialsShown = 20

type h5EntityPage struct {
	Title, Tab string
	Section    *h5Section
}

type h5MeetingItem struct {
	Href, Title, Kind, Starts, Status string
	Pending, Open                     bool
}

type h5SuggestionItem struct {
	Href, Number, Title, HostUnit, Status, Role string
	Deadline                                    string // 办理期限; empty when none
	ToRate                                      bool
}

type h5MaterialItem struct {
	Href, Title, Summary, Category, Published, Action string
	Studied                                           bool
}

type h5MenuPage struct {
	Title, Tab  string
	Q           string // the materials' search
	Meetings    []h5MeetingItem
	Suggestions []h5SuggestionItem
	Materials   []h5MaterialItem
}

// menuPage serves GET /h5/m/{meetings|suggestions|materials}, the pages the
// account's menu opens.
func (h *server) menuPage(w http.ResponseWriter, r *http.Request) {
	tab := r.PathValue("page")
	kind, ok := h5SessionKinds[tab]
	if !ok {
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	by, ok := h.sessionOrLogin(w, r)
	if !ok {
		return
	}
	dep := by.Deputy.ID
	ctx := r.Context()
	page := h5MenuPage{Tab: tab}
	var err error
	switch kind {
	case refMeeting:
		page.Title = "我的会议"
		var invs []model.Invitation
		loc := h.d.Services.Location()
		t := h.d.Now().In(loc)
		today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		if invs, err = h.d.Services.Meetings.Upcoming(ctx, by, today); err == nil {
			for _, inv := range invs {
				page.Meetings = append(page.Meetings, h5MeetingItem{Href: "/h5/meetings/" + strconv.FormatInt(inv.MeetingID, 10),
					Title: inv.Meeting.Title, Kind: model.MeetingKindLabel(inv.Meeting.Kind), Starts: h.fmtTime(inv.Meeting.StartsAt),
					Status: model.RSVPLabel(inv.Status), Pending: inv.Status == model.RSVPPending,
					Open: inv.Meeting.RSVPOpenAt(h.d.Now())})
			}
		}
	case refSuggestion:
		page.Title = "我的建议"
		var sgs []model.DeputySuggestion
		if sgs, err = h.suggestions.OfDeputy(ctx, dep); err == nil {
			for _, s := range sgs {
				rateable := s.Status == model.SuggestionReplied || s.Status == model.SuggestionConcluded ||
					s.Status == model.SuggestionRehandling
				role := "附议"
				if s.Role == model.RoleLead {
					role = "领衔"
				}
				page.Suggestions = append(page.Suggestions, h5SuggestionItem{Href: "/h5/suggestions/" + strconv.FormatInt(s.ID, 10),
					Number: s.Number, Title: s.Title, HostUnit: s.HostUnit, Status: core.SuggestionStatusLabel(s.Status),
					Role: role, ToRate: rateable && !s.Rated, Deadline: dayOf(s.Deadline)})
			}
		}
	case refMaterial:
		page.Title = "学习材料"
		page.Q = strings.TrimSpace(r.URL.Query().Get("q"))
		var mats []model.DeputyMaterial
		if mats, err = h.materials.ForDeputy(ctx, by, page.Q, h5MaterialsShown); err == nil {
			for _, m := range mats {
				href := "/h5/materials/" + strconv.FormatInt(m.ID, 10)
				page.Materials = append(page.Materials, h5MaterialItem{Href: href, Title: m.Title, Summary: m.Summary,
					Category: m.Category, Published: h.fmtDate(m.PublishedAt), Action: href + "/studied", Studied: m.Studied()})
			}
		}
	}
	if err != nil {
		h.internal(w, "menu page "+tab, err)
		return
	}
	h.render(w, http.StatusOK, tab, page)
}

// entityPage serves GET /h5/{meetings|suggestions|materials}/{id} for the
// menu session: the same section as a pushed delivery's page.
func (h *server) entityPage(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		by, ok := h.sessionOrLogin(w, r)
		if !ok {
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			h.problem(w, http.StatusNotFound, h5NotFound)
			return
		}
		h.showEntity(w, r, http.StatusOK, by, kind, id, resultInput(r.URL.Query()))
	}
}

// entityPost serves POST /h5/{meetings|suggestions|materials}/{id}/{verb}.
func (h *server) entityPost(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		by, ok := h.session(r)
		if !ok {
			h.problem(w, http.StatusForbidden, h5SessionExpired)
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 || h5Verbs[kind] != r.PathValue("verb") {
			h.problem(w, http.StatusNotFound, h5NotFound)
			return
		}
		if !h.parseForm(w, r) {
			return
		}
		done, err := h.act(r.Context(), by, kind, id, r.PostForm)
		if err != nil {
			if in, ok := h.refused(w, err, kind, id, by.Deputy.ID, "menu", r.PostForm); ok {
				h.showEntity(w, r, http.StatusUnprocessableEntity, by, kind, id, in)
			}
			return
		}
		h.d.Log.Info("h5: answer recorded", "kind", kind, "ref", id, "deputy", by.Deputy.ID, "via", "menu")
		http.Redirect(w, r, entityTarget(kind, id).result(done), http.StatusSeeOther)
	}
}

func entityTarget(kind string, id int64) h5Target {
	return h5Target{Base: "/h5/" + h5KindPrefix[kind] + "/" + strconv.FormatInt(id, 10)}
}

func (h *server) showEntity(w http.ResponseWriter, r *http.Request, status int, by core.Actor, kind string, id int64, in h5Input) {
	sec, err := h.section(r.Context(), by, kind, id, entityTarget(kind, id), in)
	if errors.Is(err, model.ErrNotFound) || err == nil && (sec == nil || sec.NotYours) {
		// Someone else's meeting or suggestion is none of this page's business.
		h.problem(w, http.StatusNotFound, h5NotFound)
		return
	}
	if err != nil {
		h.internal(w, "build page", err)
		return
	}
	h.render(w, status, "entity", h5EntityPage{Title: h5KindTitle[kind], Tab: h5KindPrefix[kind], Section: sec})
}

// dayOf is a date as 2026-06-30, empty when unset.
func dayOf(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format(time.DateOnly)
}
