package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// Liaison stations (代表联络站) and the opinions the public leave there
// (群众意见).

type stationJSON struct {
	ID           int64            `json:"id"`
	Name         string           `json:"name"`
	Address      string           `json:"address"`
	MapURL       string           `json:"map_url"`
	Delegation   string           `json:"delegation"`
	ContactName  string           `json:"contact_name"`
	ContactPhone string           `json:"contact_phone"`
	DeputyCount  int              `json:"deputy_count"`
	PageURL      string           `json:"page_url"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Deputies     *[]stationDeputy `json:"deputies,omitempty"`
}

type stationDeputy struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Delegation string `json:"delegation"`
	Status     string `json:"status"`
	Bound      bool   `json:"bound"`
}

func (s *server) stationOf(st model.Station) stationJSON {
	return stationJSON{ID: st.ID, Name: st.Name, Address: st.Address, MapURL: st.MapURL, Delegation: st.Delegation,
		ContactName: st.ContactName, ContactPhone: st.ContactPhone, DeputyCount: st.DeputyCount, PageURL: s.stationPage(st.ID),
		CreatedAt: st.CreatedAt.UTC(), UpdatedAt: st.UpdatedAt.UTC()}
}

// stationPage is the station's public page, which its QR code opens.
func (s *server) stationPage(id int64) string {
	return strings.TrimRight(s.d.PublicURL, "/") + "/h5/stations/" + strconv.FormatInt(id, 10)
}

func stationDeputies(ds []model.StationDeputy) *[]stationDeputy {
	out := make([]stationDeputy, len(ds))
	for i, d := range ds {
		out[i] = stationDeputy{ID: d.ID, Name: d.Name, Delegation: d.Delegation, Status: d.Status, Bound: d.Bound}
	}
	return &out
}

// stationBody is a station as sent: deputies by name.
type stationBody struct {
	Name         string   `json:"name"`
	Address      string   `json:"address"`
	MapURL       string   `json:"map_url"`
	Delegation   string   `json:"delegation"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
	Deputies     []string `json:"deputies"`
}

func (b stationBody) input() core.StationInput {
	return core.StationInput{Name: b.Name, Address: b.Address, MapURL: b.MapURL, Delegation: b.Delegation,
		ContactName: b.ContactName, ContactPhone: b.ContactPhone, Deputies: strings.Join(b.Deputies, "\n")}
}

func stationsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	sts, err := s.core.Stations.List(r.Context(), by)
	if err != nil {
		return err
	}
	out := make([]stationJSON, len(sts))
	for i, st := range sts {
		out[i] = s.stationOf(st)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"stations": out})
	return nil
}

func stationCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in stationBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.core.Stations.Create(r.Context(), by, in.input())
	if err != nil {
		return err
	}
	return s.writeStation(w, r, by, http.StatusCreated, st.ID)
}

func stationUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in stationBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.core.Stations.Update(r.Context(), by, id, in.input()); err != nil {
		return err
	}
	return s.writeStation(w, r, by, http.StatusOK, id)
}

func stationGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.writeStation(w, r, by, http.StatusOK, id)
}

func (s *server) writeStation(w http.ResponseWriter, r *http.Request, by core.Actor, status int, id int64) error {
	st, ds, err := s.core.Stations.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := s.stationOf(st)
	out.Deputies = stationDeputies(ds)
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/stations/"+strconv.FormatInt(id, 10))
	}
	httpkit.WriteJSON(w, status, out)
	return nil
}

// stationQR is the PNG QR code of the station's public page.
func stationQR(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	st, _, err := s.core.Stations.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.stationPage(st.ID), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Disposition", `attachment; filename="station-`+strconv.FormatInt(st.ID, 10)+`.png"`)
	_, _ = w.Write(png)
	return nil
}

// stationImport imports the multipart field "file" (.xlsx or .csv).
func stationImport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, 10<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return badRequest("请以 multipart/form-data 上传文件，字段名 file（.xlsx 或 .csv，最大 10 MB）")
	}
	defer f.Close()
	rep, err := s.core.Stations.Import(r.Context(), by, f, hdr.Filename)
	body := map[string]any{"file": hdr.Filename, "rows": rep.Rows, "created": rep.Created, "updated": rep.Updated,
		"errors": importRowErrors(rep.Errors)}
	switch {
	case errors.Is(err, core.ErrImportInvalid):
		body["error"] = err.Error()
		httpkit.WriteJSON(w, http.StatusUnprocessableEntity, body)
		return nil
	case errors.Is(err, core.ErrImportFile):
		return badRequest(err.Error())
	case err != nil:
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, body)
	return nil
}

func importRowErrors(errs []core.RowError) []map[string]any {
	out := make([]map[string]any, len(errs))
	for i, e := range errs {
		out[i] = map[string]any{"row": e.Row, "field": e.Field, "value": e.Value, "message": e.Msg}
	}
	return out
}

// stationReception schedules a reception day ({"starts_at", "ends_at",
// "deputies": [names]}; the station's deputies when empty).
func stationReception(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		StartsAt string   `json:"starts_at"`
		EndsAt   string   `json:"ends_at"`
		Deputies []string `json:"deputies"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.core.Stations.ScheduleReception(r.Context(), by, id, core.ReceptionInput{StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		Deputies: strings.Join(in.Deputies, "\n")})
	if err != nil {
		return err
	}
	sum, err := s.core.Meetings.Summary(r.Context(), by, m.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/meetings/"+strconv.FormatInt(m.ID, 10))
	httpkit.WriteJSON(w, http.StatusCreated, meetingOf(sum))
	return nil
}

type publicOpinionJSON struct {
	ID            int64                 `json:"id"`
	Receipt       string                `json:"receipt"`
	StationID     int64                 `json:"station_id"`
	Station       string                `json:"station"`
	Category      string                `json:"category"`
	CategoryLabel string                `json:"category_label"`
	Body          string                `json:"body"`
	Name          string                `json:"name"`
	Phone         string                `json:"phone"`
	Anonymous     bool                  `json:"anonymous"`
	Status        string                `json:"status"`
	StatusLabel   string                `json:"status_label"`
	Unit          string                `json:"unit,omitempty"`
	CloseReason   string                `json:"close_reason,omitempty"`
	RoutedBy      string                `json:"routed_by,omitempty"`
	CreatedAt     time.Time             `json:"created_at"`
	RoutedAt      *time.Time            `json:"routed_at"`
	HandledAt     *time.Time            `json:"handled_at"`
	Deputies      *[]stationDeputy      `json:"deputies,omitempty"`
	Replies       *[]publicOpinionReply `json:"replies,omitempty"`
}

type publicOpinionReply struct {
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

func publicOpinionOf(o model.PublicOpinion, by core.Actor) publicOpinionJSON {
	phone := o.Phone
	if by.Role() == model.RoleReadonly {
		phone = core.MaskPhone(phone)
	}
	return publicOpinionJSON{ID: o.ID, Receipt: o.Receipt, StationID: o.StationID, Station: o.StationName, Category: o.Category,
		CategoryLabel: o.CategoryLabel(), Body: o.Body, Name: o.Name, Phone: phone, Anonymous: o.Anonymous, Status: o.Status,
		StatusLabel: o.StatusLabel(), Unit: o.Unit, CloseReason: o.CloseReason, RoutedBy: o.RoutedBy, CreatedAt: o.CreatedAt.UTC(),
		RoutedAt: nullTime(o.RoutedAt), HandledAt: nullTime(o.HandledAt)}
}

func publicOpinionsList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	q := r.URL.Query()
	per, err := perPageOf(q, 50, 200)
	if err != nil {
		return err
	}
	pg := pageOf(q)
	f := model.PublicOpinionFilter{Status: q.Get("status"), Limit: per, Offset: (pg - 1) * per}
	if v := q.Get("station_id"); v != "" {
		if f.StationID, err = strconv.ParseInt(v, 10, 64); err != nil || f.StationID <= 0 {
			return badRequest("station_id 应为联络站编号")
		}
	}
	os, total, err := s.core.PublicOpinions.List(r.Context(), by, f)
	if err != nil {
		return err
	}
	out := make([]publicOpinionJSON, len(os))
	for i, o := range os {
		out[i] = publicOpinionOf(o, by)
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "page": pg, "per_page": per, "public_opinions": out})
	return nil
}

func (s *server) writePublicOpinion(w http.ResponseWriter, r *http.Request, by core.Actor, id int64) error {
	t, err := s.core.PublicOpinions.Get(r.Context(), by, id)
	if err != nil {
		return err
	}
	out := publicOpinionOf(t.Opinion, by)
	out.Deputies = stationDeputies(t.Deputies)
	replies := make([]publicOpinionReply, len(t.Replies))
	for i, rp := range t.Replies {
		replies[i] = publicOpinionReply{Author: rp.Author, Body: rp.Body, CreatedAt: rp.CreatedAt.UTC()}
	}
	out.Replies = &replies
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func publicOpinionGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	return s.writePublicOpinion(w, r, by, id)
}

// publicOpinionRoute sends an opinion on ({"action": "deputies"|"unit"|
// "close", "unit", "reason"}).
func publicOpinionRoute(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Action string `json:"action"`
		Unit   string `json:"unit"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.core.PublicOpinions.Route(r.Context(), by, id, core.RouteInput{Action: in.Action, Unit: in.Unit, Reason: in.Reason}); err != nil {
		return err
	}
	return s.writePublicOpinion(w, r, by, id)
}

func yearOf(s *server, r *http.Request) (int, error) {
	v := r.URL.Query().Get("year")
	if v == "" {
		return s.core.Now().In(s.core.Location()).Year(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("year 应为年份，如 2026")
	}
	return y, nil
}

// publicOpinionCounts is how many opinions each station received per
// month of ?year= (default this year), and how many are handled.
func publicOpinionCounts(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	year, err := yearOf(s, r)
	if err != nil {
		return err
	}
	rows, err := s.core.PublicOpinions.Counts(r.Context(), by, year)
	if err != nil {
		return err
	}
	type row struct {
		StationID int64  `json:"station_id"`
		Station   string `json:"station"`
		Month     string `json:"month"`
		Received  int    `json:"received"`
		Handled   int    `json:"handled"`
	}
	out := make([]row, len(rows))
	for i, c := range rows {
		out[i] = row{c.StationID, c.StationName, c.Month, c.Received, c.Handled}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"year": year, "counts": out})
	return nil
}

func publicOpinionCountsExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	year, err := yearOf(s, r)
	if err != nil {
		return err
	}
	f, err := s.core.PublicOpinions.ExportCounts(r.Context(), by, year)
	if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}
