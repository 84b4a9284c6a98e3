package core

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ImportAs imports deputies from rd (see Import) as by, a staff member or
// the command line's operator, and audits the import with its counts, in
// one transaction: a registry whose audit entry cannot be written is not
// imported. A file refused as a whole writes nothing and no entry.
func (r *Registry) ImportAs(ctx context.Context, by Actor, rd io.Reader, filename string, opts ImportOptions) (ImportReport, error) {
	if err := by.Require(Editors...); err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	err := r.env.tx(ctx, func(ctx context.Context) error {
		var err error
		if rep, err = r.Import(ctx, rd, filename, opts); err != nil {
			return err
		}
		return r.env.audit(ctx, by, "deputy.import", "deputies", fmt.Sprintf("导入 %s：共 %d 行，新增 %d，更新 %d，未变 %d，跳过 %d",
			filepath.Base(filename), rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Skipped))
	})
	return rep, err
}

// ImportFileAs imports deputies from an .xlsx or .csv file as by; see
// ImportAs.
func (r *Registry) ImportFileAs(ctx context.Context, by Actor, path string, opts ImportOptions) (ImportReport, error) {
	if _, err := fileFormat(path); err != nil {
		return ImportReport{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportReport{}, fmt.Errorf("core: import: %w", err)
	}
	defer f.Close()
	return r.ImportAs(ctx, by, f, path, opts)
}
