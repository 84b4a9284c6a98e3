package core

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"deputybot/model"
)

// FieldChange is one field an import changes on a stored deputy.
type FieldChange struct {
	Field    string // the column, 姓名
	Old, New string
}

// ImportChange is a stored deputy an import would update.
type ImportChange struct {
	Row      int // the file's row number
	DeputyID int64
	Name     string // as stored
	Bound    bool   // bound to WeChat
	Renamed  bool   // the name changes on a deputy bound to WeChat
	Changes  []FieldChange
}

// ImportNew is a row an import would add.
type ImportNew struct {
	Row    int
	Deputy model.Deputy
}

// ImportPreview is what importing a file would do, before anything is
// written: the rows it adds, the deputies it updates with each changed
// field, how many it leaves unchanged, and the rows it cannot read.
type ImportPreview struct {
	Filename  string
	Rows      int
	New       []ImportNew
	Updated   []ImportChange
	Unchanged int
	Errors    []RowError
	// Renames counts the bound deputies whose name the file changes: the
	// import needs ImportOptions.ConfirmRenames for them.
	Renames int
}

// PreviewImport reads a registry file as ImportAs would and returns what it
// would change, writing nothing.
func (r *Registry) PreviewImport(ctx context.Context, by Actor, rd io.Reader, filename string) (ImportPreview, error) {
	if err := by.Require(Editors...); err != nil {
		return ImportPreview{}, err
	}
	rows, err := r.readImport(ctx, rd, filename)
	if err != nil {
		return ImportPreview{}, err
	}
	p := ImportPreview{Filename: filename, Rows: len(rows)}
	var good []importRow
	for _, row := range rows {
		if len(row.errs) > 0 {
			p.Errors = append(p.Errors, row.errs...)
			continue
		}
		good = append(good, row)
	}
	ds := make([]model.Deputy, len(good))
	for i, row := range good {
		ds[i] = row.d
	}
	stored, err := r.db.MatchDeputies(ctx, ds)
	if err != nil {
		return p, fmt.Errorf("core: preview import: %w", err)
	}
	for _, row := range good {
		old, ok := stored[matchKey(row.d)]
		if !ok {
			p.New = append(p.New, ImportNew{Row: row.row, Deputy: row.d})
			continue
		}
		changes := registryChanges(old, row.d)
		if len(changes) == 0 {
			p.Unchanged++
			continue
		}
		c := ImportChange{Row: row.row, DeputyID: old.ID, Name: old.Name, Bound: old.OpenID != "", Changes: changes}
		c.Renamed = c.Bound && old.Name != row.d.Name
		if c.Renamed {
			p.Renames++
		}
		p.Updated = append(p.Updated, c)
	}
	return p, nil
}

// registryChanges lists the columns an imported row changes on the stored
// deputy, as the registry's columns read (an empty phone changes nothing,
// tags compare in any order).
func registryChanges(old, d model.Deputy) []FieldChange {
	var out []FieldChange
	for _, c := range deputyColumns {
		if c.set == nil {
			continue
		}
		was, now := c.get(&old), c.get(&d)
		switch c.name {
		case "手机号":
			if now == "" {
				continue
			}
		case "标签":
			a, b := slices.Clone(old.Tags), slices.Clone(d.Tags)
			slices.Sort(a)
			slices.Sort(b)
			if slices.Equal(a, b) {
				continue
			}
		}
		if was != now {
			out = append(out, FieldChange{Field: c.name, Old: was, New: now})
		}
	}
	return out
}

// refuseBoundRenames refuses rows that would change the name of a deputy
// bound to WeChat: a renamed record would push to the wrong person.
func (r *Registry) refuseBoundRenames(ctx context.Context, ds []model.Deputy) error {
	stored, err := r.db.MatchDeputies(ctx, ds)
	if err != nil {
		return fmt.Errorf("core: import: %w", err)
	}
	var names []string
	for _, d := range ds {
		if old, ok := stored[matchKey(d)]; ok && old.OpenID != "" && old.Name != d.Name {
			names = append(names, old.Name+"→"+d.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	shown := names[:min(len(names), 5)]
	more := ""
	if len(names) > len(shown) {
		more = fmt.Sprintf("等 %d 位", len(names))
	}
	return &FieldError{Key: "confirm_renames", Label: "确认改名",
		Msg: fmt.Sprintf("文件将修改已绑定微信代表的姓名（%s%s），请先预览核对，确认后再导入", strings.Join(shown, "、"), more)}
}
