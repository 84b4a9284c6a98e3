package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// Liaison stations (代表联络站): the registry, each station's page with its
// QR code and reception days, and the Excel import.

type stationsView struct {
	Stations   []model.Station
	ImportRows []core.RowError
	ImportMsg  string
}

func (s *server) renderStations(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v stationsView) error {
	sts, err := s.core.Stations.List(r.Context(), by)
	if err != nil {
		return err
	}
	v.Stations = sts
	s.render(w, r, status, "stations", page{Title: "代表联络站", Nav: "stations", Me: by.Account, Data: v})
	return nil
}

// stationsList lists the stations, with the import form.
func stationsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	return s.renderStations(w, r, by, http.StatusOK, stationsView{})
}

// stationsImport imports stations from an uploaded .xlsx or .csv.
func stationsImport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 10<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return badInput("请选择要导入的文件（.xlsx 或 .csv，最大 10 MB）。")
	}
	defer f.Close()
	rep, err := s.core.Stations.Import(r.Context(), by, f, hdr.Filename)
	switch {
	case errors.Is(err, core.ErrImportInvalid), errors.Is(err, core.ErrImportFile):
		return s.renderStations(w, r, by, http.StatusUnprocessableEntity, stationsView{ImportRows: rep.Errors, ImportMsg: err.Error()})
	case err != nil:
		return err
	}
	s.flash(r, fmt.Sprintf("已导入联络站：新建 %d 个，更新 %d 个。", rep.Created, rep.Updated))
	http.Redirect(w, r, "/admin/stations", http.StatusSeeOther)
	return nil
}

type stationFormView struct {
	ID     int64
	Form   core.StationInput
	Errors fieldErrors
}

func (s *server) renderStationForm(w http.ResponseWriter, r *http.Request, by core.Actor, status int, v stationFormView) {
	title := "新建联络站"
	if v.ID != 0 {
		title = "编辑联络站"
	}
	s.render(w, r, status, "station_form", page{Title: title, Nav: "stations", Me: by.Account, Data: v})
}

func stationFormOf(r *http.Request) core.StationInput {
	f := r.PostFormValue
	return core.StationInput{Name: f("name"), Address: f("address"), MapURL: f("map_url"), Delegation: f("delegation"),
		ContactName: f("contact_name"), ContactPhone: f("contact_phone"), Deputies: f("deputies")}
}

// stationNew shows the empty form.
func stationNew(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	s.renderStationForm(w, r, by, http.StatusOK, stationFormView{})
	return nil
}

// stationCreate stores the form's station, or shows the form again.
func stationCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	in := stationFormOf(r)
	st, err := s.core.Stations.Create(r.Context(), by, in)
	if fe, ok := fieldErrorsOf(err); ok {
		s.renderStationForm(w, r, by, http.StatusUnprocessableEntity, stationFormView{Form: in, Errors: fe})
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "联络站“"+st.Name+"”已保存。")
	http.Redirect(w, r, fmt.Sprintf("/admin/stations/%d", st.ID), http.StatusSeeOther)
	return nil
}

// stationEdit shows the station's form filled in.
func stationEdit(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	st, ds, err := s.core.Stations.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	s.renderStationForm(w, r, by, http.StatusOK, stationFormView{ID: id, Form: core.StationInput{Name: st.Name, Address: st.Address,
		MapURL: st.MapURL, Delegation: st.Delegation, ContactName: st.ContactName, ContactPhone: st.ContactPhone,
		Deputies: strings.Join(names, "\n")}})
	return nil
}

// stationUpdate saves the form, or shows it again.
func stationUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	in := stationFormOf(r)
	st, err := s.core.Stations.Update(r.Context(), by, id, in)
	if fe, ok := fieldErrorsOf(err); ok {
		s.renderStationForm(w, r, by, http.StatusUnprocessableEntity, stationFormView{ID: id, Form: in, Errors: fe})
		return nil
	} else if err != nil {
		return err
	}
	s.flash(r, "联络站“"+st.Name+"”已保存。")
	http.Redirect(w, r, fmt.Sprintf("/admin/stations/%d", id), http.StatusSeeOther)
	return nil
}

type stationView struct {
	Station    model.Station
	Deputies   []model.StationDeputy
	PageURL    string
	Receptions []meetingRow
	Opinions   []publicOpinionLine
	Reception  core.ReceptionInput
	Errors     fieldErrors
}

type meetingRow struct {
	ID              int64
	Title, StartsAt string
}

// stationPageURL is the station's public page, which its QR code opens.
func (s *server) stationPageURL(id int64) string {
	return strings.TrimRight(s.d.PublicURL, "/") + "/h5/stations/" + strconv.FormatInt(id, 10)
}

// stationShow is a station with its deputies, QR code, reception days and
// latest opinions.
func stationShow(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.renderStation(w, r, by, http.StatusOK, id, stationView{})
}

func (s *server) renderStation(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64, v stationView) error {
	ctx := r.Context()
	st, ds, err := s.core.Stations.Get(ctx, by, id)
	if err != nil {
		return err
	}
	v.Station, v.Deputies, v.PageURL = st, ds, s.stationPageURL(id)
	ms, err := s.core.Stations.Receptions(ctx, by, id)
	if err != nil {
		return err
	}
	for _, m := range ms {
		v.Receptions = append(v.Receptions, meetingRow{ID: m.ID, Title: m.Title, StartsAt: s.fmtTime(m.StartsAt)})
	}
	os, _, err := s.core.PublicOpinions.List(ctx, by, model.PublicOpinionFilter{StationID: id, Limit: 10})
	if err != nil {
		return err
	}
	for _, o := range os {
		v.Opinions = append(v.Opinions, s.publicOpinionLineOf(o))
	}
	s.render(w, r, status, "station", page{Title: st.Name, Nav: "stations", Me: by.Account, Data: v})
	return nil
}

// stationQR is the PNG QR code of the station's public page, to print.
func stationQR(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if _, _, err := s.core.Stations.Get(r.Context(), by, id); err != nil {
		return err
	}
	png, err := qrcode.Encode(s.stationPageURL(id), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(png)
	return nil
}

// stationReception schedules a reception day, or shows the station's page
// again with the problems.
func stationReception(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if !httpkit.ParseTextForm(w, r) {
		return badInput("提交的内容过长。")
	}
	in := core.ReceptionInput{StartsAt: r.PostFormValue("starts_at"), EndsAt: r.PostFormValue("ends_at"), Deputies: r.PostFormValue("deputies")}
	m, err := s.core.Stations.ScheduleReception(r.Context(), by, id, in)
	if fe, ok := fieldErrorsOf(err); ok {
		return s.renderStation(w, r, by, http.StatusUnprocessableEntity, id, stationView{Reception: in, Errors: fe})
	} else if err != nil {
		return err
	}
	s.flash(r, "接待日已安排，值班代表已收到邀请。签到请在会议活动页面登记。")
	http.Redirect(w, r, fmt.Sprintf("/admin/meetings/%d", m.ID), http.StatusSeeOther)
	return nil
}
