package storage

import (
	"context"
	"deputybot/model"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// upsertBatch bounds the size of the IN lists used to find existing rows.
const upsertBatch = 500

// UpsertDeputies writes the registry fields of each deputy (name, gender,
// ethnicity, birth date, delegation, level, grassroots, occupation, group,
// phone, tags) in one transaction. A deputy is matched on its phone, or on
// name and delegation when it has no phone; a match whose fields are
// already equal is not written, so importing the same file twice changes
// nothing. Status and WeChat binding are never touched.
func (db *DB) UpsertDeputies(ctx context.Context, ds []model.Deputy) (model.UpsertResult, error) {
	var res model.UpsertResult
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res = model.UpsertResult{}
		for start := 0; start < len(ds); start += upsertBatch {
			batch := ds[start:min(start+upsertBatch, len(ds))]
			if err := db.upsertBatch(ctx, tx, batch, &res); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

func (db *DB) upsertBatch(ctx context.Context, tx *sqlx.Tx, batch []model.Deputy, res *model.UpsertResult) error {
	existing, err := db.existingFor(ctx, tx, batch)
	if err != nil {
		return err
	}
	var fresh []*model.Deputy
	for i := range batch {
		d := &batch[i]
		old, ok := existing[upsertKey(*d)]
		if !ok {
			fresh = append(fresh, d)
			res.Created++
			continue
		}
		if sameRegistryFields(old, *d) {
			d.ID = old.ID
			res.Unchanged++
			continue
		}
		merged := old
		copyRegistryFields(&merged, *d)
		if err := db.updateDeputy(ctx, tx, &merged); err != nil {
			return err
		}
		d.ID = old.ID
		res.Updated++
	}
	return db.createDeputies(ctx, tx, fresh)
}

// createDeputies inserts ds with one multi-row INSERT and tags them with
// one more: a 5,000-row import is a few dozen statements, not 30,000.
func (db *DB) createDeputies(ctx context.Context, tx *sqlx.Tx, ds []*model.Deputy) error {
	if len(ds) == 0 {
		return nil
	}
	delIDs := map[string]any{}
	for _, d := range ds {
		if _, ok := delIDs[d.Delegation]; !ok {
			id, err := db.delegationID(ctx, tx, d.Delegation)
			if err != nil {
				return err
			}
			delIDs[d.Delegation] = id
		}
	}
	now := db.now().UTC()
	var q strings.Builder
	q.WriteString(`INSERT INTO deputies (name, gender, ethnicity, birth_date, delegation_id,
		level, grassroots, occupation, professional_group, phone, status, terminated_on, termination_reason,
		openid, bound_at, created_at, updated_at) VALUES `)
	args := make([]any, 0, 17*len(ds))
	for i, d := range ds {
		if d.Status == "" {
			d.Status = model.StatusActive
		}
		if i > 0 {
			q.WriteString(",")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, d.Name, d.Gender, d.Ethnicity, dateOnly(d.BirthDate), delIDs[d.Delegation], d.Level,
			d.Grassroots, d.Occupation, d.ProfessionalGroup, nullStr(d.Phone), d.Status, dateOnly(d.TerminatedOn),
			d.TerminationReason, nullStr(d.OpenID), nullTime(d.BoundAt), now, now)
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	if isDuplicate(err) {
		return fmt.Errorf("storage: create deputies: %w", model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: create deputies: %w", err)
	}
	// Read the new ids back by key rather than assume a multi-row INSERT got
	// consecutive ids: MySQL's interleaved auto-increment mode does not
	// promise that.
	plain := make([]model.Deputy, len(ds))
	for i, d := range ds {
		plain[i] = *d
	}
	stored, err := db.existingFor(ctx, tx, plain)
	if err != nil {
		return err
	}
	for _, d := range ds {
		got, ok := stored[upsertKey(*d)]
		if !ok {
			return fmt.Errorf("storage: create deputies: row %q not found after insert", upsertKey(*d))
		}
		d.ID, d.CreatedAt, d.UpdatedAt = got.ID, now, now
	}
	return db.addTags(ctx, tx, ds)
}

// addTags tags newly created deputies in bulk.
func (db *DB) addTags(ctx context.Context, tx *sqlx.Tx, ds []*model.Deputy) error {
	var names []string
	seen := map[string]bool{}
	for _, d := range ds {
		for _, t := range d.Tags {
			if !seen[t] {
				seen[t] = true
				names = append(names, t)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	vals := strings.TrimSuffix(strings.Repeat("(?),", len(names)), ",")
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO tags (name) VALUES `+vals, args...); err != nil {
		return fmt.Errorf("storage: create tags: %w", err)
	}
	text, inArgs, err := sqlx.In(`SELECT id, name FROM tags WHERE name IN (?)`, names)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, text, inArgs...)
	if err != nil {
		return fmt.Errorf("storage: tags: %w", err)
	}
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		ids[name] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var q strings.Builder
	var pairs []any
	for _, d := range ds {
		for _, t := range d.Tags {
			if len(pairs) > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?, ?)")
			pairs = append(pairs, d.ID, ids[t])
		}
	}
	if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO deputy_tags (deputy_id, tag_id) VALUES `+q.String(), pairs...); err != nil {
		return fmt.Errorf("storage: tag deputies: %w", err)
	}
	return nil
}

func upsertKey(d model.Deputy) string {
	if d.Phone != "" {
		return "p:" + d.Phone
	}
	return "n:" + d.Name + "\x00" + d.Delegation
}

// MatchDeputies returns the stored deputies rows of ds would match on
// import, keyed as UpsertDeputies matches ("p:" and the phone, or "n:",
// the name, a NUL and the delegation), with their tags and binding.
func (db *DB) MatchDeputies(ctx context.Context, ds []model.Deputy) (map[string]model.Deputy, error) {
	out := map[string]model.Deputy{}
	for start := 0; start < len(ds); start += upsertBatch {
		part, err := db.existingFor(ctx, db.rq(ctx), ds[start:min(start+upsertBatch, len(ds))])
		if err != nil {
			return nil, err
		}
		maps.Copy(out, part)
	}
	return out, nil
}

// existingFor loads the stored deputies that rows of batch may match.
func (db *DB) existingFor(ctx context.Context, tx querier, batch []model.Deputy) (map[string]model.Deputy, error) {
	var phones, names []string
	for _, d := range batch {
		if d.Phone != "" {
			phones = append(phones, d.Phone)
		} else {
			names = append(names, d.Name)
		}
	}
	var rows []deputyRow
	for _, q := range []struct {
		col  string
		vals []string
	}{{"d.phone", phones}, {"d.name", names}} {
		if len(q.vals) == 0 {
			continue
		}
		sqlText, args, err := sqlx.In(deputySelect+` WHERE `+q.col+` IN (?)`, q.vals)
		if err != nil {
			return nil, err
		}
		var part []deputyRow
		if err := tx.SelectContext(ctx, &part, sqlText, args...); err != nil {
			return nil, fmt.Errorf("storage: find existing deputies: %w", err)
		}
		rows = append(rows, part...)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := db.tagsOf(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Deputy, len(rows))
	for _, r := range rows {
		d := r.deputy()
		d.Tags = tags[d.ID]
		out[upsertKey(d)] = d
		if d.Phone != "" {
			// A file row without a phone still matches by name and delegation.
			out["n:"+d.Name+"\x00"+d.Delegation] = d
		}
	}
	return out, nil
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

func sameRegistryFields(a, b model.Deputy) bool {
	at, bt := slices.Clone(a.Tags), slices.Clone(b.Tags)
	slices.Sort(at)
	slices.Sort(bt)
	return a.Name == b.Name && a.Gender == b.Gender && a.Ethnicity == b.Ethnicity &&
		sameDate(a.BirthDate, b.BirthDate) && a.Delegation == b.Delegation && a.Level == b.Level &&
		a.Grassroots == b.Grassroots && a.Occupation == b.Occupation &&
		a.ProfessionalGroup == b.ProfessionalGroup && (a.Phone == b.Phone || b.Phone == "") && slices.Equal(at, bt)
}

func copyRegistryFields(dst *model.Deputy, src model.Deputy) {
	dst.Name, dst.Gender, dst.Ethnicity, dst.BirthDate = src.Name, src.Gender, src.Ethnicity, src.BirthDate
	dst.Delegation, dst.Level, dst.Grassroots = src.Delegation, src.Level, src.Grassroots
	dst.Occupation, dst.ProfessionalGroup, dst.Tags = src.Occupation, src.ProfessionalGroup, src.Tags
	// An empty phone in a file never erases the one on record.
	if src.Phone != "" {
		dst.Phone = src.Phone
	}
}
