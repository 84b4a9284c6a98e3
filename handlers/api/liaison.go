package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// 双联系 over the JSON API: committee members, their links, contacts and
// digest, member binding codes; provincial leaders, their activities in
// their electoral unit and the yearly requirement.

type memberJSON struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Title      string    `json:"title"`
	Phone      string    `json:"phone"`
	Deputies   int       `json:"deputies"`
	Warning    string    `json:"warning"` // "" when 5–7 deputies are linked
	DeputyID   int64     `json:"deputy_id,omitempty"`
	DeputyName string    `json:"deputy_name,omitempty"`
	Bound      bool      `json:"bound"` // reachable on WeChat (deputy binding or member code)
	Binding    string    `json:"binding"`
	CreatedAt  time.Time `json:"created_at"`
}

// memberOf writes a member; a read-only account sees the phone's last
// four digits only.
func memberOf(by core.Actor, m model.CommitteeMember) memberJSON {
	phone := m.Phone
	if by.Role() != model.RoleAdmin && by.Role() != model.RoleStaff && phone != "" {
		phone = maskTail(phone)
	}
	return memberJSON{ID: m.ID, Name: m.Name, Title: m.Title, Phone: phone, Deputies: m.Deputies,
		Warning: core.LinkWarning(m.Deputies), DeputyID: m.DeputyID, DeputyName: m.DeputyName, Bound: m.WeChat() != "",
		Binding: core.BindingState(m), CreatedAt: m.CreatedAt}
}

// maskTail keeps the last four digits.
func maskTail(p string) string {
	if len(p) <= 4 {
		return "****"
	}
	return strings.Repeat("*", len(p)-4) + p[len(p)-4:]
}

func liaisonMembers(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	ms, err := s.core.Liaison.MembersAs(r.Context(), by)
	if err != nil {
		return err
	}
	out := make([]memberJSON, len(ms))
	for i, m := range ms {
		out[i] = memberOf(by, m)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"members": out})
	return nil
}

type memberBody struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Phone    string `json:"phone"`
	DeputyID int64  `json:"deputy_id"` // the deputy record the member holds, if any
}

func liaisonMemberCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in memberBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Liaison.CreateMemberAs(r.Context(), by, model.CommitteeMember{Name: in.Name, Title: in.Title, Phone: in.Phone}, in.DeputyID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, memberOf(by, m))
	return nil
}

type digestRowJSON struct {
	DeputyID       int64  `json:"deputy_id"`
	Name           string `json:"name"`
	Delegation     string `json:"delegation"`
	OpenRSVPs      int    `json:"open_rsvps"`
	UnratedReplies int    `json:"unrated_replies"`
	NewOpinions    int    `json:"new_opinions"`
	NewSuggestions int    `json:"new_suggestions"`
	ContactsYear   int    `json:"contacts_this_year"`
}

type digestJSON struct {
	Since          time.Time       `json:"since"`
	OpenRSVPs      int             `json:"open_rsvps"`
	UnratedReplies int             `json:"unrated_replies"`
	NewOpinions    int             `json:"new_opinions"`
	NewSuggestions int             `json:"new_suggestions"`
	NotThisYear    []string        `json:"not_contacted_this_year"`
	Summary        string          `json:"summary"`
	Links          []digestRowJSON `json:"links"`
}

type memberDetailJSON struct {
	memberJSON
	Digest digestJSON `json:"digest"`
}

func liaisonMemberGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	p, err := s.core.Liaison.MemberPageAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	d := p.Digest
	out := memberDetailJSON{memberJSON: memberOf(by, d.Member), Digest: digestJSON{Since: d.Since.UTC(), OpenRSVPs: d.OpenRSVPs,
		UnratedReplies: d.UnratedReplies, NewOpinions: d.NewOpinions, NewSuggestions: d.NewSuggestions,
		NotThisYear: append([]string{}, d.NotThisYear...), Summary: d.Summary(), Links: []digestRowJSON{}}}
	for _, row := range d.Rows {
		out.Digest.Links = append(out.Digest.Links, digestRowJSON{DeputyID: row.DeputyID, Name: row.Name, Delegation: row.Delegation,
			OpenRSVPs: row.OpenRSVPs, UnratedReplies: row.UnratedReplies, NewOpinions: row.NewOpinions,
			NewSuggestions: row.NewSuggestions, ContactsYear: row.ContactsYear})
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

// liaisonLinks replaces the member's deputies; outside 5–7 it is saved
// and the answer's warning says so.
func liaisonLinks(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		DeputyIDs []int64 `json:"deputy_ids"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ids, warning, err := s.core.Liaison.LinkAs(r.Context(), by, id, in.DeputyIDs)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"deputy_ids": append([]int64{}, ids...), "warning": warning})
	return nil
}

// liaisonMemberDeputy records the deputy record the member holds (0: none).
func liaisonMemberDeputy(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		DeputyID int64 `json:"deputy_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Liaison.SetMemberDeputyAs(r.Context(), by, id, in.DeputyID)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, memberOf(by, m))
	return nil
}

// liaisonBindCode issues a member binding code (for a member who is not a
// deputy); the request body is ignored.
func liaisonBindCode(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	m, code, expires, err := s.core.Liaison.IssueMemberBindCodeAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"member_id": m.ID, "code": code, "expires_at": expires.UTC()})
	return nil
}

type contactJSON struct {
	ID         int64     `json:"id"`
	DeputyID   int64     `json:"deputy_id"`
	DeputyName string    `json:"deputy_name"`
	Kind       string    `json:"kind"`
	OnDate     string    `json:"on_date"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

func contactOf(c model.MemberContact) contactJSON {
	return contactJSON{ID: c.ID, DeputyID: c.DeputyID, DeputyName: c.DeputyName, Kind: c.Kind, OnDate: day(c.OnDate),
		Note: c.Note, CreatedAt: c.CreatedAt}
}

func liaisonContacts(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	cs, err := s.core.Liaison.ContactsAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := make([]contactJSON, len(cs))
	for i, c := range cs {
		out[i] = contactOf(c)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"contacts": out})
	return nil
}

// onDate parses a yyyy-mm-dd date; "" is the zero date (core refuses it),
// a malformed one a field error.
func onDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return t, &core.FieldError{Key: "on_date", Label: "日期", Value: v, Msg: "格式应为 2026-03-01"}
	}
	return t, nil
}

func liaisonContactCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		DeputyID int64  `json:"deputy_id"`
		Kind     string `json:"kind"`
		OnDate   string `json:"on_date"` // yyyy-mm-dd
		Note     string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.core.Liaison.MemberAs(r.Context(), by, id); err != nil {
		return err
	}
	on, err := onDate(in.OnDate)
	if err != nil {
		return err
	}
	c, err := s.core.Liaison.LogContactAs(r.Context(), by, model.MemberContact{MemberID: id, DeputyID: in.DeputyID, Kind: in.Kind,
		OnDate: on, Note: in.Note})
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, contactOf(c))
	return nil
}

type leaderJSON struct {
	ID         int64     `json:"id"`
	DeputyID   int64     `json:"deputy_id"`
	DeputyName string    `json:"deputy_name"`
	Unit       string    `json:"unit"` // the electoral unit (代表团)
	Title      string    `json:"title"`
	Activities int       `json:"activities"` // in the year asked for (this year by default)
	LastOn     string    `json:"last_activity_on,omitempty"`
	Met        bool      `json:"requirement_met"`
	Flag       string    `json:"flag,omitempty"` // 今年尚未参加
	CreatedAt  time.Time `json:"created_at"`
}

func leaderOf(l model.LiaisonLeader) leaderJSON {
	out := leaderJSON{ID: l.ID, DeputyID: l.DeputyID, DeputyName: l.DeputyName, Unit: l.Unit, Title: l.Title,
		Activities: l.Activities, Met: l.Activities > 0, CreatedAt: l.CreatedAt}
	if l.LastOn.Valid {
		out.LastOn = day(l.LastOn.Time)
	}
	if !out.Met {
		out.Flag = core.LeaderNotYet
	}
	return out
}

func liaisonLeaders(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	req, err := s.core.Liaison.RequirementAs(r.Context(), by, 0)
	if err != nil {
		return err
	}
	out := make([]leaderJSON, len(req.Leaders))
	for i, l := range req.Leaders {
		out[i] = leaderOf(l.LiaisonLeader)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"year": req.Year, "leaders": out})
	return nil
}

func liaisonLeaderCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in struct {
		DeputyID int64  `json:"deputy_id"`
		Unit     string `json:"unit"` // the delegation's name; "" for the deputy's own
		Title    string `json:"title"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := s.core.Liaison.CreateLeaderAs(r.Context(), by, in.DeputyID, in.Unit, in.Title)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, leaderOf(l))
	return nil
}

type activityJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	OnDate    string    `json:"on_date"`
	Note      string    `json:"note"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func activityOf(a model.LeaderActivity) activityJSON {
	return activityJSON{ID: a.ID, Kind: a.Kind, OnDate: day(a.OnDate), Note: a.Note, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt}
}

func leaderActivities(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	_, as, err := s.core.Liaison.LeaderAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := make([]activityJSON, len(as))
	for i, a := range as {
		out[i] = activityOf(a)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"activities": out})
	return nil
}

func leaderActivityCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind   string `json:"kind"` // 调研, 座谈, 接待代表, 其他
		OnDate string `json:"on_date"`
		Note   string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, _, err := s.core.Liaison.LeaderAs(r.Context(), by, id); err != nil {
		return err
	}
	on, err := onDate(in.OnDate)
	if err != nil {
		return err
	}
	a, err := s.core.Liaison.LogActivityAs(r.Context(), by, model.LeaderActivity{LeaderID: id, Kind: in.Kind, OnDate: on, Note: in.Note})
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusCreated, activityOf(a))
	return nil
}

// liaisonRequirement is the yearly requirement view for ?year= (this
// year, China time, by default): every leader, their unit, activities and
// a flag for those with none.
func liaisonRequirement(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	year := 0
	if v := r.URL.Query().Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return badRequest("year 应为年份，例如 2026")
		}
		year = y
	}
	req, err := s.core.Liaison.RequirementAs(r.Context(), by, year)
	if err != nil {
		return err
	}
	out := make([]leaderJSON, len(req.Leaders))
	for i, l := range req.Leaders {
		out[i] = leaderOf(l.LiaisonLeader)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"year": req.Year, "rule": req.Rule, "met": req.Met, "not_yet": req.NotYet,
		"leaders": out})
	return nil
}
