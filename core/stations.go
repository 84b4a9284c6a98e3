package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"deputybot/model"
)

// Stations is the registry of liaison stations (代表联络站 / 代表之家):
// their deputies, contact staff and reception days (接待日, meetings of
// kind station held there, invited and checked in like any meeting).
type Stations struct {
	*env
	meetings *Meetings
}

// StationInput is a station as typed in the console, sent to the API or
// read from a row of an import: Deputies are names, one a line or
// separated by 、，, or spaces.
type StationInput struct {
	Name, Address, MapURL, Delegation, ContactName, ContactPhone, Deputies string
}

// Limits of a station's fields.
const (
	maxStationName    = 100
	maxStationAddress = 200
	maxStationMapURL  = 500
	maxStationContact = 50
	maxStationDeputy  = 200
)

// splitStationNames reads a list of names: one a line, or separated by 、，, ; or
// spaces.
func splitStationNames(s string) []string {
	f := func(r rune) bool { return strings.ContainsRune("\n\r、，,;；\t ", r) }
	var out []string
	seen := map[string]bool{}
	for _, n := range strings.FieldsFunc(s, f) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// stationOf checks a typed station and resolves its deputies by name, every
// problem at once.
func (s *Stations) stationOf(ctx context.Context, in StationInput) (model.Station, []int64, error) {
	t := strings.TrimSpace
	st := model.Station{Name: t(in.Name), Address: t(in.Address), MapURL: t(in.MapURL), Delegation: t(in.Delegation),
		ContactName: t(in.ContactName), ContactPhone: t(in.ContactPhone)}
	var errs ValidationError
	for _, c := range []struct {
		key, label, v string
		max           int
	}{{"name", "名称", st.Name, maxStationName}, {"address", "地址", st.Address, maxStationAddress},
		{"map_url", "地图链接", st.MapURL, maxStationMapURL}, {"delegation", "所属代表团", st.Delegation, maxStationContact},
		{"contact_name", "联系人", st.ContactName, maxStationContact}, {"contact_phone", "联系电话", st.ContactPhone, maxStationContact},
		{"deputies", "联系代表", in.Deputies, maxStationDeputy * 10}} {
		switch {
		case !utf8.ValidString(c.v):
			errs = append(errs, &FieldError{Key: c.key, Label: c.label, Msg: "含有无法识别的字符（乱码）"})
		case utf8.RuneCountInString(c.v) > c.max:
			errs = append(errs, &FieldError{Key: c.key, Label: c.label, Msg: fmt.Sprintf("最多 %d 个字", c.max)})
		}
	}
	if st.Name == "" {
		errs = append(errs, &FieldError{Key: "name", Label: "名称", Msg: "不能为空"})
	}
	if st.MapURL != "" {
		if u, err := url.Parse(st.MapURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, &FieldError{Key: "map_url", Label: "地图链接", Value: st.MapURL, Msg: "应为 http:// 或 https:// 开头的网址"})
		}
	}
	var ids []int64
	if utf8.ValidString(in.Deputies) {
		var missing, ambiguous, ended []string
		for _, name := range splitStationNames(in.Deputies) {
			ds, err := s.db.FindDeputiesByName(ctx, name)
			if err != nil {
				return st, nil, err
			}
			var active []model.Deputy
			for _, d := range ds {
				if d.Status == model.StatusActive {
					active = append(active, d)
				}
			}
			switch {
			case len(ds) == 0:
				missing = append(missing, name)
			case len(active) == 0:
				ended = append(ended, name)
			case len(active) > 1:
				ambiguous = append(ambiguous, name)
			default:
				ids = append(ids, active[0].ID)
			}
		}
		var msgs []string
		if len(missing) > 0 {
			msgs = append(msgs, "代表名册中没有："+strings.Join(missing, "、"))
		}
		if len(ended) > 0 {
			msgs = append(msgs, "代表资格已终止："+strings.Join(ended, "、"))
		}
		if len(ambiguous) > 0 {
			msgs = append(msgs, "有重名，请到联络站页面逐一核对："+strings.Join(ambiguous, "、"))
		}
		if len(msgs) > 0 {
			errs = append(errs, &FieldError{Key: "deputies", Label: "联系代表", Msg: strings.Join(msgs, "；")})
		}
		if len(ids) > maxStationDeputy {
			errs = append(errs, &FieldError{Key: "deputies", Label: "联系代表", Msg: fmt.Sprintf("最多 %d 位", maxStationDeputy)})
		}
	}
	if len(errs) > 0 {
		return st, nil, errs
	}
	return st, ids, nil
}

// Create stores a station with its deputies.
func (s *Stations) Create(ctx context.Context, by Actor, in StationInput) (model.Station, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Station{}, err
	}
	var st model.Station
	err := s.tx(ctx, func(ctx context.Context) error {
		var ids []int64
		var err error
		if st, ids, err = s.stationOf(ctx, in); err != nil {
			return err
		}
		if err := s.db.CreateStation(ctx, &st); errors.Is(err, model.ErrConflict) {
			return &FieldError{Key: "name", Label: "名称", Value: st.Name, Msg: "已有同名联络站"}
		} else if err != nil {
			return err
		}
		if err := s.db.SetStationDeputies(ctx, st.ID, ids); err != nil {
			return err
		}
		st.DeputyCount = len(ids)
		return s.audit(ctx, by, "station.create", st.Object(), fmt.Sprintf("新建联络站“%s”，联系代表 %d 位", st.Name, len(ids)))
	})
	return st, err
}

// Update saves a station's fields and replaces its deputies.
func (s *Stations) Update(ctx context.Context, by Actor, id int64, in StationInput) (model.Station, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Station{}, err
	}
	var st model.Station
	err := s.tx(ctx, func(ctx context.Context) error {
		if _, err := s.get(ctx, id); err != nil {
			return err
		}
		var ids []int64
		var err error
		if st, ids, err = s.stationOf(ctx, in); err != nil {
			return err
		}
		st.ID = id
		if err := s.db.UpdateStation(ctx, &st); errors.Is(err, model.ErrConflict) {
			return &FieldError{Key: "name", Label: "名称", Value: st.Name, Msg: "已有同名联络站"}
		} else if err != nil {
			return err
		}
		if err := s.db.SetStationDeputies(ctx, st.ID, ids); err != nil {
			return err
		}
		st.DeputyCount = len(ids)
		return s.audit(ctx, by, "station.update", st.Object(), fmt.Sprintf("修改联络站“%s”，联系代表 %d 位", st.Name, len(ids)))
	})
	return st, err
}

func (s *Stations) get(ctx context.Context, id int64) (model.Station, error) {
	st, err := s.db.GetStation(ctx, id)
	return st, withNotFoundText(err, "联络站不存在或已被删除。")
}

// Get returns a station with its deputies.
func (s *Stations) Get(ctx context.Context, by Actor, id int64) (model.Station, []model.StationDeputy, error) {
	if err := by.Require(Viewers...); err != nil {
		return model.Station{}, nil, err
	}
	st, err := s.get(ctx, id)
	if err != nil {
		return st, nil, err
	}
	ds, err := s.db.StationDeputies(ctx, id)
	return st, ds, err
}

// Public returns what a station's public page shows anyone who follows the
// account: the station and its deputies' names.
func (s *Stations) Public(ctx context.Context, id int64) (model.Station, []model.StationDeputy, error) {
	st, err := s.get(ctx, id)
	if err != nil {
		return st, nil, err
	}
	ds, err := s.db.StationDeputies(ctx, id)
	var active []model.StationDeputy
	for _, d := range ds {
		if d.Status == model.StatusActive {
			active = append(active, d)
		}
	}
	return st, active, err
}

// List returns every station by name.
func (s *Stations) List(ctx context.Context, by Actor) ([]model.Station, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.db.ListStations(ctx)
}

// stationColumns are the headers an import reads, by field.
var stationColumns = map[string]string{"名称": "name", "联络站": "name", "联络站名称": "name", "地址": "address",
	"地图链接": "map_url", "地图": "map_url", "代表团": "delegation", "所属代表团": "delegation", "联系代表": "deputies",
	"代表": "deputies", "联系人": "contact_name", "联系电话": "contact_phone", "电话": "contact_phone"}

// Import loads stations from rd, an .xlsx or .csv file named filename with
// the columns 名称, 地址, 地图链接, 代表团, 联系代表 (names separated by 、),
// 联系人 and 联系电话 under a header row. A station whose name is stored
// is updated; one bad row means nothing is written, and every bad row is
// listed. The stations and one audit entry are written together.
func (s *Stations) Import(ctx context.Context, by Actor, rd io.Reader, filename string) (ImportReport, error) {
	if err := by.Require(Editors...); err != nil {
		return ImportReport{}, err
	}
	src, err := openSheet(rd, filename)
	if err != nil {
		return ImportReport{}, err
	}
	defer src.close()
	cols, err := stationHeader(src, filename)
	if err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	err = s.tx(ctx, func(ctx context.Context) error {
		seen := map[string]int{}
		type good struct {
			st  model.Station
			ids []int64
		}
		var rows []good
		for {
			n, cells, err := src.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: 第%d行无法读取 (%w: %v)", filename, n, ErrImportFile, err)
			}
			if blank(cells) {
				continue
			}
			rep.Rows++
			if rep.Rows > maxImportRows {
				return fmt.Errorf("%s: 超过 %d 行，请分批导入 (%w)", filename, maxImportRows, ErrImportFile)
			}
			var in StationInput
			for i, c := range cells {
				switch cols[i] {
				case "name":
					in.Name = c
				case "address":
					in.Address = c
				case "map_url":
					in.MapURL = c
				case "delegation":
					in.Delegation = c
				case "deputies":
					in.Deputies = c
				case "contact_name":
					in.ContactName = c
				case "contact_phone":
					in.ContactPhone = c
				}
			}
			st, ids, err := s.stationOf(ctx, in)
			if fe, ok := Fields(err); ok {
				for _, e := range fe {
					rep.Errors = append(rep.Errors, RowError{Row: n, Field: e.Label, Value: e.Value, Msg: e.Msg})
				}
				continue
			} else if err != nil {
				return err
			}
			if first, dup := seen[st.Name]; dup {
				rep.Errors = append(rep.Errors, RowError{Row: n, Field: "名称", Value: st.Name, Msg: fmt.Sprintf("与第%d行重复", first)})
				continue
			}
			seen[st.Name] = n
			rows = append(rows, good{st, ids})
		}
		if len(rep.Errors) > 0 {
			return fmt.Errorf("%s: %d 行有错误，未导入任何数据 (%w)", filename, rep.Rows-len(rows), ErrImportInvalid)
		}
		for _, g := range rows {
			st := g.st
			old, err := s.db.StationByName(ctx, st.Name)
			switch {
			case errors.Is(err, model.ErrNotFound):
				if err := s.db.CreateStation(ctx, &st); err != nil {
					return err
				}
				rep.Created++
			case err != nil:
				return err
			default:
				st.ID = old.ID
				if err := s.db.UpdateStation(ctx, &st); err != nil {
					return err
				}
				rep.Updated++
			}
			if err := s.db.SetStationDeputies(ctx, st.ID, g.ids); err != nil {
				return err
			}
		}
		if rep.Created+rep.Updated == 0 {
			return nil
		}
		return s.audit(ctx, by, "station.import", "stations", fmt.Sprintf("从 %s 导入联络站：新建 %d 个，更新 %d 个",
			baseName(filename), rep.Created, rep.Updated))
	})
	if err != nil {
		return ImportReport{Rows: rep.Rows, Errors: rep.Errors}, err
	}
	return rep, nil
}

// stationHeader finds the header row and maps each column to a field.
func stationHeader(src sheetRows, filename string) (map[int]string, error) {
	for i := 0; i < headerSearchRows; i++ {
		_, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: 无法读取表头 (%w: %v)", filename, ErrImportFile, err)
		}
		cols := map[int]string{}
		hasName := false
		for j, c := range cells {
			if f, ok := stationColumns[strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))]; ok {
				cols[j] = f
				hasName = hasName || f == "name"
			}
		}
		if hasName {
			return cols, nil
		}
	}
	return nil, fmt.Errorf("%s: 没有找到“名称”列；表头应为 名称、地址、地图链接、代表团、联系代表、联系人、联系电话 (%w: no 名称 column)",
		filename, ErrImportFile)
}

// ReceptionInput is a reception day (接待日) as typed: its start and end
// (as meeting times are typed) and the deputies on duty, by name.
type ReceptionInput struct {
	StartsAt, EndsAt, Deputies string
}

// ScheduleReception schedules a reception day at the station: a meeting
// of kind station (代表联络站接待) at the station's address, with the
// deputies on duty invited (each gets the invitation and answers it like
// any other; staff check them in on the meeting's page, and attendance
// counts in the 履职档案). The deputies default to the station's own.
func (s *Stations) ScheduleReception(ctx context.Context, by Actor, stationID int64, in ReceptionInput) (model.Meeting, error) {
	if err := by.Require(Editors...); err != nil {
		return model.Meeting{}, err
	}
	var m model.Meeting
	err := s.tx(ctx, func(ctx context.Context) error {
		st, err := s.get(ctx, stationID)
		if err != nil {
			return err
		}
		var ids []int64
		if strings.TrimSpace(in.Deputies) == "" {
			ds, err := s.db.StationDeputies(ctx, st.ID)
			if err != nil {
				return err
			}
			for _, d := range ds {
				if d.Status == model.StatusActive {
					ids = append(ids, d.ID)
				}
			}
		} else {
			_, got, err := s.stationOf(ctx, StationInput{Name: st.Name, Deputies: in.Deputies})
			if err != nil {
				return err
			}
			ids = got
		}
		if len(ids) == 0 {
			return &FieldError{Key: "deputies", Label: "值班代表", Msg: "请填写值班代表，或先为联络站添加联系代表"}
		}
		m, err = s.meetings.Create(asPartOf(ctx), by, MeetingInput{Kind: model.MeetingStation, Title: st.Name + "代表接待日",
			StartsAt: in.StartsAt, EndsAt: in.EndsAt, Place: st.Address, Contact: strings.TrimSpace(st.ContactName + " " + st.ContactPhone)})
		if err != nil {
			return err
		}
		if err := s.db.AddStationReception(ctx, m.ID, st.ID); err != nil {
			return err
		}
		if _, err := s.meetings.Invite(asPartOf(ctx), by, m.ID, model.Audience{DeputyIDs: ids}); err != nil {
			return err
		}
		return s.audit(ctx, by, "station.reception", st.Object(), fmt.Sprintf("安排“%s”接待日 %s，值班代表 %d 位", st.Name,
			m.StartsAt.In(s.loc).Format("2006-01-02 15:04"), len(ids)))
	})
	return m, err
}

// Receptions returns the station's reception days, latest first.
func (s *Stations) Receptions(ctx context.Context, by Actor, stationID int64) ([]model.Meeting, error) {
	if err := by.Require(Viewers...); err != nil {
		return nil, err
	}
	if _, err := s.get(ctx, stationID); err != nil {
		return nil, err
	}
	return s.db.StationReceptions(ctx, stationID)
}
