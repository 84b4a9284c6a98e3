package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// The public's opinions (群众意见) left at the stations' pages: the list,
// one opinion with its routing form, and the counts per station and month.

type publicOpinionLine struct {
	ID                                          int64
	Receipt, Station, Category, Snippet, Sender string
	Status, StatusLabel, CreatedAt              string
}

func (s *server) publicOpinionLineOf(o model.PublicOpinion) publicOpinionLine {
	return publicOpinionLine{ID: o.ID, Receipt: o.Receipt, Station: o.StationName, Category: o.CategoryLabel(),
		Snippet: truncateRunes(o.Body, 40), Sender: o.SenderName(), Status: o.Status, StatusLabel: o.StatusLabel(),
		CreatedAt: s.fmtTime(o.CreatedAt)}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

type publicOpinionsView struct {
	Opinions []publicOpinionLine
	Stations []model.Station
	Statuses []option
	Station  int64
	Status   string
	Pager    pager
}

const publicOpinionPageSize = 50

// publicOpinionsList lists the public opinions (?station_id=, ?status=).
func publicOpinionsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	v := publicOpinionsView{Status: q.Get("status")}
	if !slices.Contains(model.PublicOpinionStatuses, v.Status) {
		v.Status = ""
	}
	v.Station, _ = strconv.ParseInt(q.Get("station_id"), 10, 64)
	pg := pageParam(q)
	os, total, err := s.core.PublicOpinions.List(r.Context(), by, model.PublicOpinionFilter{StationID: max(v.Station, 0), Status: v.Status,
		Limit: publicOpinionPageSize, Offset: (pg - 1) * publicOpinionPageSize})
	if err != nil {
		return err
	}
	for _, o := range os {
		v.Opinions = append(v.Opinions, s.publicOpinionLineOf(o))
	}
	if v.Stations, err = s.core.Stations.List(r.Context(), by); err != nil {
		return err
	}
	for _, st := range model.PublicOpinionStatuses {
		v.Statuses = append(v.Statuses, option{st, model.PublicOpinionStatusLabel(st)})
	}
	v.Pager = newPager(total, pg, publicOpinionPageSize, func(p int) string {
		u := url.Values{"page": {strconv.Itoa(p)}}
		if v.Status != "" {
			u.Set("status", v.Status)
		}
		if v.Station > 0 {
			u.Set("station_id", strconv.FormatInt(v.Station, 10))
		}
		return "/admin/public-opinions?" + u.Encode()
	})
	s.render(w, r, http.StatusOK, "public_opinions", page{Title: "群众意见", Nav: "stations", Me: by.Account, Data: v})
	return nil
}

type publicOpinionView struct {
	O        model.PublicOpinion
	Phone    string
	Paras    []string
	Deputies []model.StationDeputy
	Replies  []messageReplyLine
	Open     bool
	Form     core.RouteInput
	Errors   fieldErrors
}

func (s *server) renderPublicOpinion(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, v publicOpinionView) error {
	t, err := s.core.PublicOpinions.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	v.O, v.Paras, v.Deputies, v.Open = t.Opinion, lines(t.Opinion.Body), t.Deputies, t.Opinion.Status != model.PublicOpinionClosed
	v.Phone = t.Opinion.Phone
	if by.Role() == model.RoleReadonly {
		v.Phone = core.MaskPhone(v.Phone)
	}
	for _, rp := range t.Replies {
		v.Replies = append(v.Replies, messageReplyLine{StaffName: rp.Author, At: s.fmtTime(rp.CreatedAt), Paras: lines(rp.Body)})
	}
	s.render(w, r, status, "public_opinion", page{Title: "群众意见 " + t.Opinion.Receipt, Nav: "stations", Me: by.Account, Data: v})
	return nil
}

// publicOpinionShow is one opinion with its routing form.
func publicOpinionShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderPublicOpinion(w, r, by, http.StatusOK, id, publicOpinionView{})
}

// publicOpinionRoute sends an opinion to the station's deputies, to a
// unit, or closes it.
func publicOpinionRoute(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	in := core.RouteInput{Action: r.PostFormValue("action"), Unit: r.PostFormValue("unit"), Reason: r.PostFormValue("reason")}
	o, err := s.core.PublicOpinions.Route(r.Context(), by, id, in)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderPublicOpinion(w, r, by, http.StatusUnprocessableEntity, id, publicOpinionView{Form: in, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("群众意见 %s：%s。", o.Receipt, o.StatusLabel()))
	http.Redirect(w, r, fmt.Sprintf("/admin/public-opinions/%d", id), http.StatusSeeOther)
	return nil
}

type publicOpinionCountsView struct {
	Year  int
	Rows  []model.StationMonthCount
	Total model.StationMonthCount
}

func countsYear(s *server, r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 2000 || y > 2100 {
		return s.core.Now().In(s.core.Location()).Year()
	}
	return y
}

// publicOpinionCounts is the counts per station and month of ?year=.
func publicOpinionCounts(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	v := publicOpinionCountsView{Year: countsYear(s, r)}
	var err error
	if v.Rows, err = s.core.PublicOpinions.Counts(r.Context(), by, v.Year); err != nil {
		return err
	}
	for _, c := range v.Rows {
		v.Total.Received += c.Received
		v.Total.Handled += c.Handled
	}
	s.render(w, r, http.StatusOK, "public_opinion_counts", page{Title: "群众意见统计", Nav: "stations", Me: by.Account, Data: v})
	return nil
}

// publicOpinionCountsXLSX exports the counts of ?year=.
func publicOpinionCountsXLSX(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.PublicOpinions.ExportCounts(r.Context(), by, countsYear(s, r))
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
