package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// UpsertResult counts what UpsertDeputies did.
type UpsertResult struct {
	Created, Updated, Unchanged int
}

// upsertBatch bounds the size of the IN lists used to find existing rows.
const upsertBatch = 500

// UpsertDeputies writes the registry fields of each deputy (name, gender,
// ethnicity, birth date, delegation, level, grassroots, occupation, group,
// phone, tags) in one transaction. A deputy is matched on its phone, or on
// name and delegation when it has no phone; a match whose fields are
// already equal is not written, so importing the same file twice changes
// nothing. Status and WeChat binding are never touched.
func (db *DB) UpsertDeputies(ctx context.Context, ds []Deputy) (UpsertResult, error) {
	var res UpsertResult
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res = UpsertResult{}
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

func (db *DB) upsertBatch(ctx context.Context, tx *sqlx.Tx, batch []Deputy, res *UpsertResult) error {
	existing, err := db.existingFor(ctx, tx, batch)
	if err != nil {
		return err
	}
	for i := range batch {
		d := &batch[i]
		old, ok := existing[upsertKey(*d)]
		if !ok {
			if err := db.createDeputy(ctx, tx, d); err != nil {
				return err
			}
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
	return nil
}

func upsertKey(d Deputy) string {
	if d.Phone != "" {
		return "p:" + d.Phone
	}
	return "n:" + d.Name + "\x00" + d.Delegation
}

// existingFor loads the stored deputies that rows of batch may match.
func (db *DB) existingFor(ctx context.Context, tx *sqlx.Tx, batch []Deputy) (map[string]Deputy, error) {
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
	out := make(map[string]Deputy, len(rows))
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

func sameRegistryFields(a, b Deputy) bool {
	at, bt := slices.Clone(a.Tags), slices.Clone(b.Tags)
	slices.Sort(at)
	slices.Sort(bt)
	return a.Name == b.Name && a.Gender == b.Gender && a.Ethnicity == b.Ethnicity &&
		sameDate(a.BirthDate, b.BirthDate) && a.Delegation == b.Delegation && a.Level == b.Level &&
		a.Grassroots == b.Grassroots && a.Occupation == b.Occupation &&
		a.ProfessionalGroup == b.ProfessionalGroup && a.Phone == b.Phone && slices.Equal(at, bt)
}

func copyRegistryFields(dst *Deputy, src Deputy) {
	dst.Name, dst.Gender, dst.Ethnicity, dst.BirthDate = src.Name, src.Gender, src.Ethnicity, src.BirthDate
	dst.Delegation, dst.Level, dst.Grassroots = src.Delegation, src.Level, src.Grassroots
	dst.Occupation, dst.ProfessionalGroup, dst.Phone, dst.Tags = src.Occupation, src.ProfessionalGroup, src.Phone, src.Tags
}
