package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/handlers/httpkit"
	"deputybot/model"
)

// deputyPageSize is the default page length of GET /api/v1/deputies.
const deputyPageSize = 50

// deputyFilterOf reads the console's filters (delegation, level,
// grassroots, group, tag, status, bound, q); values it does not know are
// ignored.
func deputyFilterOf(r *http.Request) model.DeputyFilter {
	v := r.URL.Query()
	c := httpkit.CleanText
	one := func(val string, allowed ...string) string {
		for _, a := range allowed {
			if val == a {
				return val
			}
		}
		return ""
	}
	yn := func(val string) *bool {
		switch val {
		case "yes", "no":
			b := val == "yes"
			return &b
		}
		return nil
	}
	return model.DeputyFilter{Delegation: c(v.Get("delegation")), ProfessionalGroup: c(v.Get("group")), Tag: c(v.Get("tag")),
		Query: c(v.Get("q")), Level: one(v.Get("level"), model.LevelProvincial, model.LevelNational),
		Status: one(v.Get("status"), model.StatusActive, model.StatusEnded), Grassroots: yn(v.Get("grassroots")),
		Bound: yn(v.Get("bound"))}
}

// deputiesList pages through deputies with the console's filters plus
// per_page (1–500, default 50).
func deputiesList(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	per, err := perPageOf(r.URL.Query(), deputyPageSize, 500)
	if err != nil {
		return err
	}
	page := pageOf(r.URL.Query())
	f := deputyFilterOf(r)
	f.Limit, f.Offset = per, (page-1)*per
	ds, total, note, err := s.core.Deputies.ListAs(r.Context(), by, f)
	if err != nil {
		return err
	}
	out := struct {
		Total    int      `json:"total"`
		Page     int      `json:"page"`
		PerPage  int      `json:"per_page"`
		Note     string   `json:"note,omitempty"`
		Deputies []deputy `json:"deputies"`
	}{Total: total, Page: page, PerPage: per, Note: note, Deputies: []deputy{}}
	for _, d := range ds {
		out.Deputies = append(out.Deputies, deputyOf(d))
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func deputyGet(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	d, err := s.core.Deputies.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, deputyOf(d))
	return nil
}

// deputyInput is the body of create and update. On update, a property
// left out keeps its value.
type deputyInput struct {
	Name              *string   `json:"name"`
	Gender            *string   `json:"gender"`
	Ethnicity         *string   `json:"ethnicity"`
	BirthDate         *string   `json:"birth_date"`
	Delegation        *string   `json:"delegation"`
	Level             *string   `json:"level"`
	Grassroots        *bool     `json:"grassroots"`
	Occupation        *string   `json:"occupation"`
	ProfessionalGroup *string   `json:"professional_group"`
	Phone             *string   `json:"phone"`
	Tags              *[]string `json:"tags"`
}

// apply writes the given properties onto d and returns the problems found
// while decoding them.
func (in deputyInput) apply(d *model.Deputy) core.ValidationError {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&d.Name, in.Name)
	set(&d.Gender, in.Gender)
	set(&d.Ethnicity, in.Ethnicity)
	set(&d.Delegation, in.Delegation)
	set(&d.Level, in.Level)
	set(&d.Occupation, in.Occupation)
	set(&d.ProfessionalGroup, in.ProfessionalGroup)
	set(&d.Phone, in.Phone)
	if in.Grassroots != nil {
		d.Grassroots = *in.Grassroots
	}
	if in.Tags != nil {
		d.Tags = *in.Tags
	}
	if in.BirthDate != nil {
		d.BirthDate = nil
		if *in.BirthDate != "" {
			t, err := time.Parse(time.DateOnly, *in.BirthDate)
			if err != nil {
				return core.ValidationError{{Key: "birth_date", Label: "出生日期", Value: *in.BirthDate, Msg: "格式应为 1970-01-31"}}
			}
			d.BirthDate = &t
		}
	}
	return nil
}

func deputyCreate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	var in deputyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var d model.Deputy
	if err := s.core.Deputies.CreateAs(r.Context(), by, &d, in.apply(&d)); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/deputies/%d", d.ID))
	httpkit.WriteJSON(w, http.StatusCreated, deputyOf(d))
	return nil
}

// deputyUpdate changes the properties the body names; the others keep
// their values. Status is changed only by terminate.
func deputyUpdate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in deputyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.core.Deputies.UpdateAs(r.Context(), by, id, in.apply)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, deputyOf(d))
	return nil
}

// deputyTerminate ends a term: {"date": "2026-03-31", "reason": "…"}.
func deputyTerminate(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Date   string `json:"date"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.core.Deputies.TerminateAs(r.Context(), by, id, in.Date, true, in.Reason)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, deputyOf(d))
	return nil
}

// deputiesExport downloads the registry (format=xlsx or csv) filtered
// like GET /api/v1/deputies.
func deputiesExport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, err := s.core.Deputies.ExportAs(r.Context(), by, r.URL.Query().Get("format"), deputyFilterOf(r))
	if verr, ok := core.Fields(err); ok {
		return badRequest("format " + verr[0].Msg)
	} else if err != nil {
		return err
	}
	httpkit.SendExport(w, f)
	return nil
}

// deputiesImport imports the multipart field "file" (.xlsx or .csv);
// skip_invalid=true imports the valid rows. Invalid rows without it give
// 422 with every row error, and nothing is written; so does a file that
// renames deputies bound to WeChat, without confirm_renames=true.
func deputiesImport(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, name, err := httpkit.SheetUpload(w, r)
	switch {
	case errors.Is(err, httpkit.ErrUploadTooLarge):
		return tooLarge(err.Error())
	case err != nil:
		return badRequest(err.Error())
	}
	defer f.Close()
	yes := func(k string) bool { return r.FormValue(k) != "" && r.FormValue(k) != "false" }
	rep, err := s.core.Deputies.ImportAs(r.Context(), by, f, name, core.ImportOptions{SkipInvalid: yes("skip_invalid"), ConfirmRenames: yes("confirm_renames")})
	rows := importRowErrors(rep.Errors)
	if refused, err := writeImportRefusal(w, err, "未导入任何数据。请修改后重新上传，或勾选“跳过有错误的行”。", rep.Errors); refused || err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"file": name, "rows": rep.Rows, "created": rep.Created,
		"updated": rep.Updated, "unchanged": rep.Unchanged, "skipped": rep.Skipped, "errors": rows})
	return nil
}

// deputyBindCode issues a fresh binding code; the request body is ignored.
func deputyBindCode(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	d, code, expires, err := s.core.Binding.IssueCode(r.Context(), by, id, core.BindCodeValidity)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, struct {
		DeputyID  int64     `json:"deputy_id"`
		Code      string    `json:"code"`
		ExpiresAt time.Time `json:"expires_at"`
		// Bound warns that the deputy is bound already: the code binds
		// another WeChat account only after an unbind.
		Bound bool `json:"bound"`
	}{d.ID, code, expires.UTC(), d.OpenID != ""})
	return nil
}

// deputyUnbind removes the deputy's WeChat binding (409 when there is
// none) and returns the deputy.
func deputyUnbind(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	id, err := httpkit.PathID(r)
	if err != nil {
		return err
	}
	if _, err := s.core.Binding.Unbind(r.Context(), by, id); err != nil {
		return err
	}
	d, err := s.core.Deputies.GetAs(r.Context(), by, id)
	if err != nil {
		return err
	}
	httpkit.WriteJSON(w, http.StatusOK, deputyOf(d))
	return nil
}

// deputiesImportPreview reads the multipart field "file" as the import
// would and answers what importing it would change; nothing is written.
func deputiesImportPreview(s *server, w http.ResponseWriter, r *http.Request, by core.Actor) error {
	f, name, err := httpkit.SheetUpload(w, r)
	switch {
	case errors.Is(err, httpkit.ErrUploadTooLarge):
		return tooLarge(err.Error())
	case err != nil:
		return badRequest(err.Error())
	}
	defer f.Close()
	p, err := s.core.Deputies.PreviewImport(r.Context(), by, f, name)
	if refused, err := writeImportRefusal(w, err, "", nil); refused || err != nil {
		return err
	}
	type change struct {
		Field string `json:"field"`
		Old   string `json:"old"`
		New   string `json:"new"`
	}
	type updated struct {
		Row      int      `json:"row"`
		DeputyID int64    `json:"deputy_id"`
		Name     string   `json:"name"`
		Bound    bool     `json:"bound"`
		Renamed  bool     `json:"renamed"`
		Changes  []change `json:"changes"`
	}
	type added struct {
		Row        int    `json:"row"`
		Name       string `json:"name"`
		Delegation string `json:"delegation"`
		Phone      string `json:"phone"`
	}
	out := struct {
		File      string           `json:"file"`
		Rows      int              `json:"rows"`
		New       []added          `json:"new"`
		Updated   []updated        `json:"updated"`
		Unchanged int              `json:"unchanged"`
		Renames   int              `json:"renames"`
		Errors    []map[string]any `json:"errors"`
	}{File: name, Rows: p.Rows, New: []added{}, Updated: []updated{}, Unchanged: p.Unchanged, Renames: p.Renames, Errors: importRowErrors(p.Errors)}
	for _, n := range p.New {
		out.New = append(out.New, added{Row: n.Row, Name: n.Deputy.Name, Delegation: n.Deputy.Delegation, Phone: n.Deputy.Phone})
	}
	for _, u := range p.Updated {
		x := updated{Row: u.Row, DeputyID: u.DeputyID, Name: u.Name, Bound: u.Bound, Renamed: u.Renamed}
		for _, c := range u.Changes {
			x.Changes = append(x.Changes, change{Field: c.Field, Old: c.Old, New: c.New})
		}
		out.Updated = append(out.Updated, x)
	}
	httpkit.WriteJSON(w, http.StatusOK, out)
	return nil
}
