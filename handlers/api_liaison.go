package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// 双联系 over the JSON API: committee members, their links, contacts and
// digest, member binding codes; provincial leaders, their activities in
// their electoral unit and the yearly requirement.
func init() {
	apiRoute(http.MethodGet, "/api/v1/liaison/members", viewers, apiLiaisonMembers)
	apiRoute(http.MethodPost, "/api/v1/liaison/members", editors, apiLiaisonMemberCreate)
	apiRoute(http.MethodGet, "/api/v1/liaison/members/{id}", viewers, apiLiaisonMemberGet)
	apiRoute(http.MethodPut, "/api/v1/liaison/members/{id}/links", editors, apiLiaisonLinks)
	apiRoute(http.MethodPut, "/api/v1/liaison/members/{id}/deputy", editors, apiLiaisonMemberDeputy)
	apiRoute(http.MethodPost, "/api/v1/liaison/members/{id}/bind-code", editors, apiLiaisonBindCode)
	apiRoute(http.MethodGet, "/api/v1/liaison/members/{id}/contacts", viewers, apiLiaisonContacts)
	apiRoute(http.MethodPost, "/api/v1/liaison/members/{id}/contacts", editors, apiLiaisonContactCreate)
	apiRoute(http.MethodGet, "/api/v1/liaison/leaders", viewers, apiLiaisonLeaders)
	apiRoute(http.MethodPost, "/api/v1/liaison/leaders", editors, apiLiaisonLeaderCreate)
	apiRoute(http.MethodGet, "/api/v1/liaison/leaders/{id}/activities", viewers, apiLeaderActivities)
	apiRoute(http.MethodPost, "/api/v1/liaison/leaders/{id}/activities", editors, apiLeaderActivityCreate)
	apiRoute(http.MethodGet, "/api/v1/liaison/requirement", viewers, apiLiaisonRequirement)
}

// liaisonKeys names the JSON properties of core's 双联系 fields.
var liaisonKeys = mapKeys(map[string]string{"姓名": "name", "职务": "title", "电话": "phone", "方式": "kind", "日期": "on_date",
	"备注": "note", "代表": "deputy_id", "代表身份": "deputy_id", "绑定码": "code", "选举单位": "unit", "活动类型": "kind"})

type apiMember struct {
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

func apiMemberOf(me model.Account, m model.CommitteeMember) apiMember {
	phone := m.Phone
	if !canSeePhones(me.Role) && phone != "" {
		phone = maskPhone(phone)
	}
	return apiMember{ID: m.ID, Name: m.Name, Title: m.Title, Phone: phone, Deputies: m.Deputies,
		Warning: core.LinkWarning(m.Deputies), DeputyID: m.DeputyID, DeputyName: m.DeputyName, Bound: m.WeChat() != "",
		Binding: core.BindingState(m), CreatedAt: m.CreatedAt}
}

// maskPhone keeps the last four digits.
func maskPhone(p string) string {
	if len(p) <= 4 {
		return "****"
	}
	return strings.Repeat("*", len(p)-4) + p[len(p)-4:]
}

func apiLiaisonMembers(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	ms, err := s.liaison().Members(r.Context())
	if err != nil {
		return err
	}
	out := make([]apiMember, len(ms))
	for i, m := range ms {
		out[i] = apiMemberOf(me, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out})
	return nil
}

type apiMemberInput struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Phone    string `json:"phone"`
	DeputyID int64  `json:"deputy_id"` // the deputy record the member holds, if any
}

func apiLiaisonMemberCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiMemberInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	svc := s.liaison()
	if in.DeputyID > 0 {
		if _, err := s.d.DB.GetDeputy(r.Context(), in.DeputyID); err != nil {
			return writeAPIValidation(w, core.ValidationError{{Key: "deputy_id", Label: "代表身份", Value: fmt.Sprint(in.DeputyID), Msg: "没有这名代表"}},
				liaisonKeys)
		}
	}
	m := model.CommitteeMember{Name: in.Name, Title: in.Title, Phone: in.Phone}
	if err := svc.CreateMember(r.Context(), &m); err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	if in.DeputyID > 0 {
		if err := svc.SetMemberDeputy(r.Context(), m.ID, in.DeputyID); err != nil {
			return writeAPIValidation(w, err, liaisonKeys)
		}
	}
	s.audit(r, me, "liaison.member.create", fmt.Sprintf("member/%d", m.ID), "新增双联系委员 "+m.Name)
	m, err := svc.Member(r.Context(), m.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiMemberOf(me, m))
	return nil
}

type apiDigestRow struct {
	DeputyID       int64  `json:"deputy_id"`
	Name           string `json:"name"`
	Delegation     string `json:"delegation"`
	OpenRSVPs      int    `json:"open_rsvps"`
	UnratedReplies int    `json:"unrated_replies"`
	NewOpinions    int    `json:"new_opinions"`
	NewSuggestions int    `json:"new_suggestions"`
	ContactsYear   int    `json:"contacts_this_year"`
}

type apiDigest struct {
	Since          time.Time      `json:"since"`
	OpenRSVPs      int            `json:"open_rsvps"`
	UnratedReplies int            `json:"unrated_replies"`
	NewOpinions    int            `json:"new_opinions"`
	NewSuggestions int            `json:"new_suggestions"`
	NotThisYear    []string       `json:"not_contacted_this_year"`
	Summary        string         `json:"summary"`
	Links          []apiDigestRow `json:"links"`
}

type apiMemberDetail struct {
	apiMember
	Digest apiDigest `json:"digest"`
}

func apiLiaisonMemberGet(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.liaison().Digest(r.Context(), id)
	if err != nil {
		return err
	}
	out := apiMemberDetail{apiMember: apiMemberOf(me, d.Member), Digest: apiDigest{Since: d.Since.UTC(), OpenRSVPs: d.OpenRSVPs,
		UnratedReplies: d.UnratedReplies, NewOpinions: d.NewOpinions, NewSuggestions: d.NewSuggestions,
		NotThisYear: append([]string{}, d.NotThisYear...), Summary: d.Summary(), Links: []apiDigestRow{}}}
	for _, row := range d.Rows {
		out.Digest.Links = append(out.Digest.Links, apiDigestRow{DeputyID: row.DeputyID, Name: row.Name, Delegation: row.Delegation,
			OpenRSVPs: row.OpenRSVPs, UnratedReplies: row.UnratedReplies, NewOpinions: row.NewOpinions,
			NewSuggestions: row.NewSuggestions, ContactsYear: row.ContactsYear})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiLinksInput struct {
	DeputyIDs []int64 `json:"deputy_ids"`
}

// apiLiaisonLinks replaces the member's deputies; outside 5–7 it is saved
// and the answer's warning says so.
func apiLiaisonLinks(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.liaison().Member(r.Context(), id)
	if err != nil {
		return err
	}
	var in apiLinksInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	for _, d := range in.DeputyIDs {
		if _, err := s.d.DB.GetDeputy(r.Context(), d); err != nil {
			return writeAPIValidation(w, core.ValidationError{{Key: "deputy_id", Label: "代表", Value: fmt.Sprint(d), Msg: "没有这名代表"}}, liaisonKeys)
		}
	}
	warning, err := s.liaison().Link(r.Context(), id, in.DeputyIDs)
	if err != nil {
		return err
	}
	ids, err := s.liaison().Deputies(r.Context(), id)
	if err != nil {
		return err
	}
	s.audit(r, me, "liaison.link", fmt.Sprintf("member/%d", id), fmt.Sprintf("委员 %s 联系代表 %d 名", m.Name, len(ids)))
	writeJSON(w, http.StatusOK, map[string]any{"deputy_ids": append([]int64{}, ids...), "warning": warning})
	return nil
}

type apiMemberDeputyInput struct {
	DeputyID int64 `json:"deputy_id"` // 0: not a deputy
}

// apiLiaisonMemberDeputy records the deputy record the member holds.
func apiLiaisonMemberDeputy(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.liaison().Member(r.Context(), id)
	if err != nil {
		return err
	}
	var in apiMemberDeputyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.liaison().SetMemberDeputy(r.Context(), id, in.DeputyID); err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	s.audit(r, me, "liaison.member.deputy", fmt.Sprintf("member/%d", id), fmt.Sprintf("委员 %s 的代表身份设为 %d", m.Name, in.DeputyID))
	if m, err = s.liaison().Member(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiMemberOf(me, m))
	return nil
}

// apiLiaisonBindCode issues a member binding code (for a member who is
// not a deputy); the request body is ignored.
func apiLiaisonBindCode(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	m, code, expires, err := s.issueMemberCode(r, me)
	if err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	writeJSON(w, http.StatusOK, map[string]any{"member_id": m.ID, "code": code, "expires_at": expires.UTC()})
	return nil
}

// issueMemberCode gives the member of the path a fresh code and records
// who did it; the code stays out of the audit log.
func (s *server) issueMemberCode(r *http.Request, me model.Account) (model.CommitteeMember, string, time.Time, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return model.CommitteeMember{}, "", time.Time{}, err
	}
	m, err := s.liaison().Member(r.Context(), id)
	if err != nil {
		return m, "", time.Time{}, err
	}
	code, expires, err := s.liaison().IssueMemberBindCode(r.Context(), id)
	if err != nil {
		return m, "", time.Time{}, err
	}
	s.audit(r, me, "liaison.member.bind_code", fmt.Sprintf("member/%d", id),
		fmt.Sprintf("为委员 %s 生成绑定码，有效至 %s", m.Name, s.fmtTime(expires)))
	return m, code, expires, nil
}

type apiContact struct {
	ID         int64     `json:"id"`
	DeputyID   int64     `json:"deputy_id"`
	DeputyName string    `json:"deputy_name"`
	Kind       string    `json:"kind"`
	OnDate     string    `json:"on_date"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

func apiContactOf(c model.MemberContact) apiContact {
	return apiContact{ID: c.ID, DeputyID: c.DeputyID, DeputyName: c.DeputyName, Kind: c.Kind, OnDate: apiDay(c.OnDate),
		Note: c.Note, CreatedAt: c.CreatedAt}
}

func apiLiaisonContacts(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := s.liaison().Member(r.Context(), id); err != nil {
		return err
	}
	cs, err := s.liaison().Contacts(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]apiContact, len(cs))
	for i, c := range cs {
		out[i] = apiContactOf(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": out})
	return nil
}

type apiDatedInput struct {
	DeputyID int64  `json:"deputy_id"`
	Kind     string `json:"kind"`
	OnDate   string `json:"on_date"` // yyyy-mm-dd
	Note     string `json:"note"`
}

// day parses on_date; a malformed one is a validation error.
func (in apiDatedInput) day() (time.Time, error) {
	if strings.TrimSpace(in.OnDate) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(in.OnDate))
	if err != nil {
		return t, core.ValidationError{{Key: "on_date", Label: "日期", Value: in.OnDate, Msg: "格式应为 2026-03-01"}}
	}
	return t, nil
}

func apiLiaisonContactCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.liaison().Member(r.Context(), id)
	if err != nil {
		return err
	}
	var in apiDatedInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	day, err := in.day()
	if err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	c := model.MemberContact{MemberID: id, DeputyID: in.DeputyID, Kind: in.Kind, OnDate: day, Note: in.Note}
	if err := s.liaison().LogContact(r.Context(), &c); err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	s.audit(r, me, "liaison.contact", fmt.Sprintf("member/%d", id), fmt.Sprintf("委员 %s 联系代表（%s，%s）", m.Name, c.Kind,
		c.OnDate.Format("2006-01-02")))
	if d, err := s.d.DB.GetDeputy(r.Context(), c.DeputyID); err == nil {
		c.DeputyName = d.Name
	}
	writeJSON(w, http.StatusCreated, apiContactOf(c))
	return nil
}

type apiLeader struct {
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

func apiLeaderOf(l model.LiaisonLeader) apiLeader {
	out := apiLeader{ID: l.ID, DeputyID: l.DeputyID, DeputyName: l.DeputyName, Unit: l.Unit, Title: l.Title,
		Activities: l.Activities, Met: l.Activities > 0, CreatedAt: l.CreatedAt}
	if l.LastOn.Valid {
		out.LastOn = apiDay(l.LastOn.Time)
	}
	if !out.Met {
		out.Flag = core.LeaderNotYet
	}
	return out
}

func apiLiaisonLeaders(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	req, err := s.liaison().Requirement(r.Context(), 0)
	if err != nil {
		return err
	}
	out := make([]apiLeader, len(req.Leaders))
	for i, l := range req.Leaders {
		out[i] = apiLeaderOf(l.LiaisonLeader)
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": req.Year, "leaders": out})
	return nil
}

type apiLeaderInput struct {
	DeputyID int64  `json:"deputy_id"`
	Unit     string `json:"unit"` // the delegation's name; "" for the deputy's own
	Title    string `json:"title"`
}

func apiLiaisonLeaderCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	var in apiLeaderInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := s.liaison().CreateLeader(r.Context(), in.DeputyID, in.Unit, in.Title)
	if err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	s.audit(r, me, "liaison.leader.create", fmt.Sprintf("leader/%d", l.ID), fmt.Sprintf("新增联系选举单位的省领导 %s（%s）",
		l.DeputyName, l.Unit))
	if l, err = s.liaison().Leader(r.Context(), l.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiLeaderOf(l))
	return nil
}

type apiActivityInput struct {
	Kind   string `json:"kind"` // 调研, 座谈, 接待代表, 其他
	OnDate string `json:"on_date"`
	Note   string `json:"note"`
}

type apiActivity struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	OnDate    string    `json:"on_date"`
	Note      string    `json:"note"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func apiActivityOf(a model.LeaderActivity) apiActivity {
	return apiActivity{ID: a.ID, Kind: a.Kind, OnDate: apiDay(a.OnDate), Note: a.Note, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt}
}

func apiLeaderActivities(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	as, err := s.liaison().Activities(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]apiActivity, len(as))
	for i, a := range as {
		out[i] = apiActivityOf(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"activities": out})
	return nil
}

func apiLeaderActivityCreate(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	l, err := s.liaison().Leader(r.Context(), id)
	if err != nil {
		return err
	}
	var in apiActivityInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	day, err := apiDatedInput{OnDate: in.OnDate}.day()
	if err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	a := model.LeaderActivity{LeaderID: id, Kind: in.Kind, OnDate: day, Note: in.Note, CreatedBy: me.DisplayName()}
	if err := s.liaison().LogActivity(r.Context(), &a); err != nil {
		return writeAPIValidation(w, err, liaisonKeys)
	}
	s.audit(r, me, "liaison.leader.activity", fmt.Sprintf("leader/%d", id), fmt.Sprintf("省领导 %s 在%s参加%s活动（%s）",
		l.DeputyName, l.Unit, a.Kind, a.OnDate.Format("2006-01-02")))
	writeJSON(w, http.StatusCreated, apiActivityOf(a))
	return nil
}

// apiLiaisonRequirement is the yearly requirement view for ?year= (this
// year, China time, by default): every leader, their unit, activities and
// a flag for those with none.
func apiLiaisonRequirement(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	year := 0
	if v := r.URL.Query().Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 2000 || y > 2100 {
			return badRequest("year 应为年份，例如 2026")
		}
		year = y
	}
	req, err := s.liaison().Requirement(r.Context(), year)
	if err != nil {
		return err
	}
	out := make([]apiLeader, len(req.Leaders))
	for i, l := range req.Leaders {
		out[i] = apiLeaderOf(l.LiaisonLeader)
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": req.Year, "rule": req.Rule, "met": req.Met, "not_yet": req.NotYet,
		"leaders": out})
	return nil
}
