package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"deputybot/model"
)

// MaterialImportOptions tunes a bulk load of materials.
type MaterialImportOptions struct {
	// SkipInvalid imports the valid rows and lists the others, instead of
	// importing nothing when any row is invalid.
	SkipInvalid bool
	// Draft keeps the imported materials as drafts; by default they are
	// published at once, without a push.
	Draft bool
}

// materialColumns are the headers an import reads, by field.
var materialColumns = map[string]string{"标题": "title", "摘要": "summary", "链接": "link", "原文链接": "link",
	"分类": "category", "正文": "body", "视频链接": "video_link"}

// ImportFile imports materials from an .xlsx or .csv file; see Import.
func (s *Materials) ImportFile(ctx context.Context, by Actor, path string, opts MaterialImportOptions) (ImportReport, error) {
	if _, err := fileFormat(path); err != nil {
		return ImportReport{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportReport{}, fmt.Errorf("core: import: %w", err)
	}
	defer f.Close()
	return s.Import(ctx, by, f, path, opts)
}

// Import bulk-loads study materials from rd, an .xlsx or .csv file named
// filename, with the columns 标题, 摘要, 链接 and 分类 (正文 and 视频链接
// too, when present) in any order under a header row. Each row is checked
// as a material typed in the console; a title already stored is left as
// it is (Unchanged), so importing a file twice changes nothing. Unless
// opts.SkipInvalid, one bad row means nothing is written, and every bad
// row is listed. The materials and one audit entry are written together.
func (s *Materials) Import(ctx context.Context, by Actor, rd io.Reader, filename string, opts MaterialImportOptions) (ImportReport, error) {
	if err := by.Require(Editors...); err != nil {
		return ImportReport{}, err
	}
	src, err := openSheet(rd, filename)
	if err != nil {
		return ImportReport{}, err
	}
	defer src.close()
	cols, err := materialHeader(src, filename)
	if err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	type row struct {
		n  int
		in MaterialInput
	}
	var good []row
	seen := map[string]int{}
	for {
		n, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("%s: 第%d行无法读取 (%w: %v)", filename, n, ErrImportFile, err)
		}
		if blank(cells) {
			continue
		}
		rep.Rows++
		if rep.Rows > maxImportRows {
			return rep, fmt.Errorf("%s: 超过 %d 行，请分批导入 (%w)", filename, maxImportRows, ErrImportFile)
		}
		in := MaterialInput{}
		for i, c := range cells {
			v := strings.TrimSpace(c)
			switch cols[i] {
			case "title":
				in.Title = v
			case "summary":
				in.Summary = v
			case "link":
				in.Link = v
			case "category":
				in.Category = v
			case "body":
				in.Body = c
			case "video_link":
				in.VideoLink = v
			}
		}
		var errs []RowError
		m, err := s.materialOf(ctx, in, model.Material{})
		if fe, ok := Fields(err); ok {
			for _, e := range fe {
				errs = append(errs, RowError{Row: n, Field: e.Label, Value: e.Value, Msg: e.Msg})
			}
		} else if err != nil {
			return rep, err
		}
		if len(errs) == 0 && m.Body == "" && m.Link == "" && m.VideoLink == "" {
			errs = append(errs, RowError{Row: n, Field: "链接", Msg: "不能为空（没有正文的材料以原文链接供代表阅读）"})
		}
		if first, dup := seen[m.Title]; dup && m.Title != "" {
			errs = append(errs, RowError{Row: n, Field: "标题", Value: m.Title, Msg: fmt.Sprintf("与第%d行重复", first)})
		} else {
			seen[m.Title] = n
		}
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		good = append(good, row{n, in})
	}
	bad := rep.Rows - len(good)
	if bad > 0 && !opts.SkipInvalid {
		return rep, fmt.Errorf("%s: %d 行有错误，未导入任何数据 (%w)", filename, bad, ErrImportInvalid)
	}
	rep.Skipped = bad
	titles := make([]string, len(good))
	for i, g := range good {
		titles[i] = strings.TrimSpace(g.in.Title)
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		exist, err := s.db.MaterialTitles(ctx, titles)
		if err != nil {
			return err
		}
		for _, g := range good {
			if exist[strings.TrimSpace(g.in.Title)] {
				rep.Unchanged++
				continue
			}
			m, err := s.materialOf(ctx, g.in, model.Material{})
			if err != nil {
				return err
			}
			m.Status, m.CreatedBy, m.PublishedAt = model.MaterialPublished, by.handle(), s.now()
			if opts.Draft {
				m.Status = model.MaterialDraft
			}
			if err := s.db.CreateMaterial(ctx, &m); err != nil {
				return err
			}
			rep.Created++
		}
		if rep.Created == 0 {
			return nil
		}
		state := "发布"
		if opts.Draft {
			state = "存为草稿"
		}
		return s.audit(ctx, by, "material.import", "materials", fmt.Sprintf("从 %s 导入学习材料 %d 份（%s），%d 份已存在未改动，%d 行有错误未导入",
			baseName(filename), rep.Created, state, rep.Unchanged, rep.Skipped))
	})
	if err != nil {
		return ImportReport{Rows: rep.Rows, Errors: rep.Errors}, err
	}
	return rep, nil
}

// materialHeader finds the header row (within the first rows, so a title
// row above it is tolerated) and maps each column to a field.
func materialHeader(src sheetRows, filename string) (map[int]string, error) {
	for i := 0; i < headerSearchRows; i++ {
		_, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: 无法读取表头 (%w: %v)", filename, ErrImportFile, err)
		}
		cols := map[int]string{}
		for j, c := range cells {
			if f, ok := materialColumns[strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))]; ok {
				cols[j] = f
			}
		}
		for _, f := range cols {
			if f == "title" {
				return cols, nil
			}
		}
	}
	return nil, fmt.Errorf("%s: 没有找到“标题”列；表头应为 标题、摘要、链接、分类 (%w: no 标题 column)", filename, ErrImportFile)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
