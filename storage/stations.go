package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// Liaison stations (代表联络站), their deputies and reception days, and
// the opinions the public leave at them (群众意见).

const stationSelect = `SELECT s.id, s.name, s.address, s.map_url, s.delegation, s.contact_name, s.contact_phone,
	s.created_at, s.updated_at, (SELECT COUNT(*) FROM station_deputies sd WHERE sd.station_id = s.id) AS deputy_count
	FROM stations s`

// CreateStation stores st and sets its id; a name already used is
// ErrConflict.
func (db *DB) CreateStation(ctx context.Context, st *model.Station) error {
	now := db.now().UTC()
	st.CreatedAt, st.UpdatedAt = now, now
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO stations (name, address, map_url, delegation, contact_name,
		contact_phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, st.Name, st.Address, st.MapURL, st.Delegation,
		st.ContactName, st.ContactPhone, now, now)
	if isDuplicate(err) {
		return fmt.Errorf("storage: create station: %w", model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: create station: %w", err)
	}
	st.ID, err = res.LastInsertId()
	return err
}

// UpdateStation saves st's fields; a name another station uses is
// ErrConflict.
func (db *DB) UpdateStation(ctx context.Context, st *model.Station) error {
	st.UpdatedAt = db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `UPDATE stations SET name = ?, address = ?, map_url = ?, delegation = ?,
		contact_name = ?, contact_phone = ?, updated_at = ? WHERE id = ?`, st.Name, st.Address, st.MapURL, st.Delegation,
		st.ContactName, st.ContactPhone, st.UpdatedAt, st.ID)
	if isDuplicate(err) {
		return fmt.Errorf("storage: update station: %w", model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: update station: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// MySQL counts only changed rows: make sure it exists.
		if _, err := db.GetStation(ctx, st.ID); err != nil {
			return err
		}
	}
	return nil
}

// GetStation returns a station, or ErrNotFound.
func (db *DB) GetStation(ctx context.Context, id int64) (model.Station, error) {
	var st model.Station
	err := db.rq(ctx).GetContext(ctx, &st, stationSelect+` WHERE s.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("storage: station %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("storage: station %d: %w", id, err)
	}
	return st, nil
}

// LockStation holds station id's row until the transaction ends (MySQL;
// SQLite's transactions already take the one writer), so that what is
// counted and then written for the station is done one transaction at a
// time. Counting with a locking read alone locks gaps: two transactions
// holding the same gap and inserting into it deadlock.
func (db *DB) LockStation(ctx context.Context, id int64) error {
	var got int64
	err := db.wq(ctx).GetContext(ctx, &got, `SELECT id FROM stations WHERE id = ?`+db.current(ctx), id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("storage: station %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: lock station %d: %w", id, err)
	}
	return nil
}

// StationByName returns the station named name, or ErrNotFound.
func (db *DB) StationByName(ctx context.Context, name string) (model.Station, error) {
	var st model.Station
	err := db.rq(ctx).GetContext(ctx, &st, stationSelect+` WHERE s.name = ?`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("storage: station %q: %w", name, model.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("storage: station %q: %w", name, err)
	}
	return st, nil
}

// ListStations returns every station by name.
func (db *DB) ListStations(ctx context.Context) ([]model.Station, error) {
	var out []model.Station
	if err := db.rq(ctx).SelectContext(ctx, &out, stationSelect+` ORDER BY s.name, s.id`); err != nil {
		return nil, fmt.Errorf("storage: list stations: %w", err)
	}
	return out, nil
}

// SetStationDeputies replaces the station's deputies with ids.
func (db *DB) SetStationDeputies(ctx context.Context, stationID int64, ids []int64) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM station_deputies WHERE station_id = ?`, stationID); err != nil {
			return fmt.Errorf("storage: station deputies: %w", err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO station_deputies (station_id, deputy_id) VALUES (?, ?)`,
				stationID, id); err != nil {
				return fmt.Errorf("storage: station deputies: %w", err)
			}
		}
		return nil
	})
}

// StationDeputies returns the station's deputies by name.
func (db *DB) StationDeputies(ctx context.Context, stationID int64) ([]model.StationDeputy, error) {
	var out []model.StationDeputy
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT d.id, d.name, COALESCE(g.name, '') AS delegation, d.status,
		CASE WHEN d.openid IS NULL OR d.openid = '' THEN 0 ELSE 1 END AS bound
		FROM station_deputies sd JOIN deputies d ON d.id = sd.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE sd.station_id = ? ORDER BY d.name, d.id`, stationID)
	if err != nil {
		return nil, fmt.Errorf("storage: station deputies: %w", err)
	}
	return out, nil
}

// AddStationReception records that the meeting is a reception day at the
// station.
func (db *DB) AddStationReception(ctx context.Context, meetingID, stationID int64) error {
	_, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO station_receptions (meeting_id, station_id) VALUES (?, ?)`, meetingID, stationID)
	if err != nil {
		return fmt.Errorf("storage: station reception: %w", err)
	}
	return nil
}

// StationReceptions returns the station's reception days, latest first.
func (db *DB) StationReceptions(ctx context.Context, stationID int64) ([]model.Meeting, error) {
	var out []model.Meeting
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT m.id, m.kind, m.title, m.starts_at, m.ends_at, m.place, m.organiser,
		m.contact, m.rsvp_deadline, m.created_at FROM station_receptions r JOIN meetings m ON m.id = r.meeting_id
		WHERE r.station_id = ? ORDER BY m.starts_at DESC, m.id DESC`, stationID)
	if err != nil {
		return nil, fmt.Errorf("storage: station receptions: %w", err)
	}
	return out, nil
}

// publicOpinionSelect joins the station with LEFT JOIN although every
// opinion has one (a foreign key): with an inner join MariaDB read the
// stations first and sorted every opinion for a page, instead of walking
// public_opinions_created.
const publicOpinionSelect = `SELECT o.id, o.receipt, o.station_id, COALESCE(s.name, '') AS station_name, o.openid, o.category, o.body,
	o.name, o.phone, o.anonymous, o.status, o.unit, o.close_reason, o.routed_by, o.created_at, o.routed_at, o.handled_at
	FROM public_opinions o LEFT JOIN stations s ON s.id = o.station_id`

// CreatePublicOpinion stores o as new and sets its id, receipt (QY2026-
// 00012, from a per-year counter bumped in the same transaction) and
// creation time.
func (db *DB) CreatePublicOpinion(ctx context.Context, o *model.PublicOpinion) error {
	now := db.now().UTC()
	year := now.In(chinaTime).Year()
	bump := `INSERT INTO public_opinion_counters (receipt_year, last_seq) VALUES (?, 1)
		ON CONFLICT (receipt_year) DO UPDATE SET last_seq = last_seq + 1`
	if db.dialect == MySQL {
		bump = `INSERT INTO public_opinion_counters (receipt_year, last_seq) VALUES (?, 1)
		ON DUPLICATE KEY UPDATE last_seq = last_seq + 1`
	}
	err := db.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, bump, year); err != nil {
			return err
		}
		var seq int
		if err := tx.GetContext(ctx, &seq, `SELECT last_seq FROM public_opinion_counters WHERE receipt_year = ?`, year); err != nil {
			return err
		}
		receipt := fmt.Sprintf("QY%d-%05d", year, seq)
		res, err := tx.ExecContext(ctx, `INSERT INTO public_opinions (receipt, station_id, openid, category, body, name, phone,
			anonymous, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, receipt, o.StationID, o.OpenID, o.Category,
			o.Body, o.Name, o.Phone, o.Anonymous, model.PublicOpinionNew, now)
		if err != nil {
			return err
		}
		if o.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		o.Receipt, o.Status, o.CreatedAt = receipt, model.PublicOpinionNew, now
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: create public opinion: %w", err)
	}
	return nil
}

// CountPublicOpinionsSince counts the opinions openid left at the station
// since t.
func (db *DB) CountPublicOpinionsSince(ctx context.Context, openid string, stationID int64, t time.Time) (int, error) {
	var n int
	// A locking read in a transaction: two opinions sent at once are
	// counted one after the other, so the limit holds.
	err := db.wq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM public_opinions WHERE openid = ? AND station_id = ? AND created_at >= ?`+
		db.current(ctx), openid, stationID, t.UTC())
	if err != nil {
		return 0, fmt.Errorf("storage: count public opinions: %w", err)
	}
	return n, nil
}

// PublicOpinionsOf returns the latest opinions openid left at the station,
// newest first, at most limit.
func (db *DB) PublicOpinionsOf(ctx context.Context, openid string, stationID int64, limit int) ([]model.PublicOpinion, error) {
	var out []model.PublicOpinion
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(publicOpinionSelect+` WHERE o.openid = ? AND o.station_id = ?
		ORDER BY o.created_at DESC, o.id DESC LIMIT %d`, max(limit, 1)), openid, stationID)
	if err != nil {
		return nil, fmt.Errorf("storage: public opinions of a follower: %w", err)
	}
	return out, nil
}

// GetPublicOpinion returns a public opinion, or ErrNotFound.
func (db *DB) GetPublicOpinion(ctx context.Context, id int64) (model.PublicOpinion, error) {
	var o model.PublicOpinion
	err := db.wq(ctx).GetContext(ctx, &o, publicOpinionSelect+` WHERE o.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("storage: public opinion %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("storage: public opinion %d: %w", id, err)
	}
	return o, nil
}

// ListPublicOpinions returns one page of public opinions, newest first,
// and how many match.
func (db *DB) ListPublicOpinions(ctx context.Context, f model.PublicOpinionFilter) ([]model.PublicOpinion, int, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.StationID != 0 {
		where, args = where+` AND o.station_id = ?`, append(args, f.StationID)
	}
	if f.Status != "" {
		where, args = where+` AND o.status = ?`, append(args, f.Status)
	}
	if f.DeputyID != 0 {
		where, args = where+` AND o.id IN (SELECT opinion_id FROM public_opinion_deputies WHERE deputy_id = ?)`, append(args, f.DeputyID)
	}
	var total int
	if err := db.rq(ctx).GetContext(ctx, &total, `SELECT COUNT(*) FROM public_opinions o`+where, args...); err != nil {
		return nil, 0, fmt.Errorf("storage: count public opinions: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	var out []model.PublicOpinion
	err := db.rq(ctx).SelectContext(ctx, &out, fmt.Sprintf(publicOpinionSelect+`%s ORDER BY o.created_at DESC, o.id DESC
		LIMIT %d OFFSET %d`, where, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: list public opinions: %w", err)
	}
	return out, total, nil
}

// RoutePublicOpinion records where staff sent an opinion: status, unit
// (for a unit), close reason (for a close) and who did it; handled marks
// it handled now.
func (db *DB) RoutePublicOpinion(ctx context.Context, o model.PublicOpinion, handled bool) error {
	now := db.now().UTC()
	var handledAt any
	if handled {
		handledAt = now
	}
	_, err := db.wq(ctx).ExecContext(ctx, `UPDATE public_opinions SET status = ?, unit = ?, close_reason = ?, routed_by = ?,
		routed_at = ?, handled_at = COALESCE(?, handled_at) WHERE id = ?`, o.Status, o.Unit, o.CloseReason, o.RoutedBy, now,
		handledAt, o.ID)
	if err != nil {
		return fmt.Errorf("storage: route public opinion %d: %w", o.ID, err)
	}
	return nil
}

// SetPublicOpinionDeputies records the deputies an opinion was routed to.
func (db *DB) SetPublicOpinionDeputies(ctx context.Context, opinionID int64, ids []int64) error {
	for _, id := range ids {
		if _, err := db.wq(ctx).ExecContext(ctx, db.insertIgnore()+` INTO public_opinion_deputies (opinion_id, deputy_id) VALUES (?, ?)`,
			opinionID, id); err != nil {
			return fmt.Errorf("storage: public opinion deputies: %w", err)
		}
	}
	return nil
}

// PublicOpinionDeputies returns the deputies an opinion was routed to.
func (db *DB) PublicOpinionDeputies(ctx context.Context, opinionID int64) ([]model.StationDeputy, error) {
	var out []model.StationDeputy
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT d.id, d.name, COALESCE(g.name, '') AS delegation, d.status,
		CASE WHEN d.openid IS NULL OR d.openid = '' THEN 0 ELSE 1 END AS bound
		FROM public_opinion_deputies pd JOIN deputies d ON d.id = pd.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE pd.opinion_id = ? ORDER BY d.name, d.id`, opinionID)
	if err != nil {
		return nil, fmt.Errorf("storage: public opinion deputies: %w", err)
	}
	return out, nil
}

// AddPublicOpinionReply stores an answer and marks the opinion replied
// and handled.
func (db *DB) AddPublicOpinionReply(ctx context.Context, r *model.PublicOpinionReply) error {
	now := db.now().UTC()
	r.CreatedAt = now
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO public_opinion_replies (opinion_id, deputy_id, author, body, created_at)
		VALUES (?, ?, ?, ?, ?)`, r.OpinionID, r.DeputyID, r.Author, r.Body, now)
	if err != nil {
		return fmt.Errorf("storage: public opinion reply: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	_, err = db.wq(ctx).ExecContext(ctx, `UPDATE public_opinions SET status = ?, handled_at = COALESCE(handled_at, ?) WHERE id = ?`,
		model.PublicOpinionReplied, now, r.OpinionID)
	if err != nil {
		return fmt.Errorf("storage: public opinion reply: %w", err)
	}
	return nil
}

// PublicOpinionReplies returns an opinion's answers, oldest first.
func (db *DB) PublicOpinionReplies(ctx context.Context, opinionID int64) ([]model.PublicOpinionReply, error) {
	var out []model.PublicOpinionReply
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT id, opinion_id, deputy_id, author, body, created_at
		FROM public_opinion_replies WHERE opinion_id = ? ORDER BY id`, opinionID)
	if err != nil {
		return nil, fmt.Errorf("storage: public opinion replies: %w", err)
	}
	return out, nil
}

// PublicOpinionTimes returns, for the opinions received in [from, to),
// each one's station, creation time and whether it is handled: what the
// per-month counts are made of (months are cut in the committee's zone
// by the caller).
func (db *DB) PublicOpinionTimes(ctx context.Context, from, to time.Time) ([]model.PublicOpinion, error) {
	var out []model.PublicOpinion
	err := db.rq(ctx).SelectContext(ctx, &out, `SELECT o.id, o.station_id, s.name AS station_name, o.status, o.created_at,
		o.handled_at FROM public_opinions o JOIN stations s ON s.id = o.station_id
		WHERE o.created_at >= ? AND o.created_at < ? ORDER BY s.name, o.station_id, o.created_at`, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("storage: public opinion times: %w", err)
	}
	return out, nil
}
