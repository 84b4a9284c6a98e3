package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"deputybot/model"
	"deputybot/storage"
)

// SuggestionImportReport says what a suggestion import did: the rows read,
// the suggestions created, and every row error (then nothing is created).
type SuggestionImportReport struct {
	Rows    int
	Created int
	Errors  []RowError
}

// suggestionColumns are the columns of an imported suggestion sheet, in
// the order errors are reported.
var suggestionColumns = []string{"建议编号", "标题", "内容摘要", "届次", "领衔代表", "附议代表", "主办单位", "协办单位", "办理期限"}

// suggestionHeaderAliases maps headers staff commonly use to ours.
var suggestionHeaderAliases = map[string]string{
	"编号": "建议编号", "建议号": "建议编号", "案号": "建议编号",
	"建议标题": "标题", "案由": "标题", "题目": "标题",
	"摘要": "内容摘要", "内容": "内容摘要", "建议内容": "内容摘要",
	"会次": "届次", "会议": "届次",
	"领衔人": "领衔代表", "领衔": "领衔代表", "提出代表": "领衔代表",
	"附议人": "附议代表", "附议": "附议代表",
	"承办单位": "主办单位", "主办": "主办单位",
	"会办单位": "协办单位", "协办": "协办单位",
	"办理时限": "办理期限", "答复期限": "办理期限", "期限": "办理期限",
}

// maxImportedSuggestions bounds one file.
const maxImportedSuggestions = 10000

// ImportSuggestions reads suggestions from rd, an .xlsx or .csv file named
// filename, with the columns 建议编号, 标题, 内容摘要, 届次, 领衔代表, 附议代表
// (names separated by 、), 主办单位, 协办单位 and 办理期限, found by header in
// any order. Deputies are matched by name, written 张三 or, to tell
// namesakes apart, 张三（代表团）. The whole file is validated first: a
// single bad row (an unknown or ambiguous name, a number already taken or
// repeated, a missing title …) means nothing is written and the error wraps
// ErrImportInvalid; otherwise every suggestion is created in one
// transaction, each assigned to its host unit.
func (s *Suggestions) ImportSuggestions(ctx context.Context, rd io.Reader, filename string) (SuggestionImportReport, error) {
	src, err := openSheet(rd, filename)
	if err != nil {
		return SuggestionImportReport{}, err
	}
	defer src.close()
	rows, err := readSuggestionRows(src, filename)
	if err != nil {
		return SuggestionImportReport{}, err
	}
	rep := SuggestionImportReport{Rows: len(rows)}
	if len(rows) > maxImportedSuggestions {
		return rep, fmt.Errorf("%s: 一次最多导入 %d 件建议，请分批导入 (%w: %d rows)", filename, maxImportedSuggestions, ErrImportFile, len(rows))
	}
	names := &deputyNames{db: s.db, cache: map[string][]model.Deputy{}}
	for i := range rows {
		if err := rows[i].resolve(ctx, names); err != nil {
			return rep, fmt.Errorf("core: import %s: %w", filename, err)
		}
	}
	if err := s.checkNumbers(ctx, rows); err != nil {
		return rep, fmt.Errorf("core: import %s: %w", filename, err)
	}
	batch := make([]model.NewSuggestion, 0, len(rows))
	bad := 0
	for _, row := range rows {
		if len(row.errs) > 0 {
			sortRowErrors(row.errs)
			rep.Errors = append(rep.Errors, row.errs...)
			bad++
			continue
		}
		batch = append(batch, model.NewSuggestion{Suggestion: row.sg, Seconders: row.seconders})
	}
	if bad > 0 {
		return rep, fmt.Errorf("%s: %d 行有错误，未导入任何数据 (%w)", filename, bad, ErrImportInvalid)
	}
	if len(batch) == 0 {
		return rep, nil
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateSuggestions(ctx, batch); err != nil {
			return err
		}
		staff, err := s.env.unitStaff(ctx)
		if err != nil {
			return err
		}
		for _, n := range batch {
			if err := s.assigned(ctx, staff, *n.Suggestion); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, model.ErrConflict) {
		return rep, fmt.Errorf("%s: 导入过程中有建议编号被他人占用，未导入任何数据，请重新导入 (%w: %v)", filename, ErrImportFile, err)
	}
	if err != nil {
		return rep, fmt.Errorf("core: import %s: %w", filename, err)
	}
	rep.Created = len(batch)
	return rep, nil
}

// suggestionRow is one data row of the file.
type suggestionRow struct {
	row       int
	sg        *model.Suggestion
	lead      string // as written
	seconders []int64
	names     []string // seconders as written
	errs      []RowError
}

func (r *suggestionRow) bad(field, value, msg string) {
	r.errs = append(r.errs, RowError{Row: r.row, Field: field, Value: value, Msg: msg})
}

func readSuggestionRows(src sheetRows, filename string) ([]suggestionRow, error) {
	cols, err := readSuggestionHeader(src, filename)
	if err != nil {
		return nil, err
	}
	var out []suggestionRow
	for {
		n, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: 第%d行无法读取，文件可能已损坏 (%w: %v)", filename, n, ErrImportFile, err)
		}
		if blank(cells) {
			continue
		}
		if len(out) > maxImportedSuggestions {
			return out, nil // reported by the caller
		}
		out = append(out, parseSuggestionRow(n, cols, cells))
	}
}

// readSuggestionHeader returns, for each column of the file, the name of
// the suggestion column it holds, or "".
func readSuggestionHeader(src sheetRows, filename string) ([]string, error) {
	for seen := 0; seen < headerSearchRows; {
		_, cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: 文件无法读取 (%w: %v)", filename, ErrImportFile, err)
		}
		if blank(cells) {
			continue
		}
		seen++
		cols := make([]string, len(cells))
		found := map[string]bool{}
		for i, c := range cells {
			h := suggestionHeader(c)
			if h != "" && !found[h] {
				cols[i], found[h] = h, true
			}
		}
		if !found["建议编号"] || !found["标题"] {
			continue
		}
		var missing []string
		for _, need := range []string{"领衔代表", "主办单位"} {
			if !found[need] {
				missing = append(missing, need)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: 缺少“%s”列 (%w: missing columns)", filename, strings.Join(missing, "”“"), ErrImportFile)
		}
		return cols, nil
	}
	return nil, fmt.Errorf("%s: 没有找到“建议编号”和“标题”列，请把表头（建议编号、标题、内容摘要、届次、领衔代表、附议代表、主办单位、协办单位、办理期限）放在第一行 (%w: missing header)",
		filename, ErrImportFile)
}

func suggestionHeader(cell string) string {
	h := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == '＊' {
			return -1
		}
		return r
	}, cell)
	if i := strings.IndexAny(h, "(（"); i > 0 {
		h = h[:i]
	}
	if a, ok := suggestionHeaderAliases[h]; ok {
		h = a
	}
	for _, c := range suggestionColumns {
		if c == h {
			return h
		}
	}
	return ""
}

func parseSuggestionRow(n int, cols []string, cells []string) suggestionRow {
	row := suggestionRow{row: n, sg: &model.Suggestion{}}
	for i, cell := range cells {
		if i >= len(cols) || cols[i] == "" {
			continue
		}
		v := strings.TrimFunc(cell, unicode.IsSpace)
		sg := row.sg
		switch cols[i] {
		case "建议编号":
			sg.Number = v
		case "标题":
			sg.Title = v
		case "内容摘要":
			sg.Summary = v
		case "届次":
			sg.Session = v
		case "领衔代表":
			row.lead = v
		case "附议代表":
			row.names = splitNames(v)
		case "主办单位":
			sg.HostUnit = v
		case "协办单位":
			sg.CoUnits = v
		case "办理期限":
			if v == "" {
				continue
			}
			t, ok := parseDate(v)
			if !ok {
				row.bad("办理期限", v, "不是有效的日期（请写成 2026-06-30）")
				continue
			}
			sg.Deadline = &t
		}
	}
	for _, fe := range normalizeSuggestion(row.sg) {
		row.bad(fe.Label, fe.Value, fe.Msg)
	}
	return row
}

// splitNames splits a list of names written with 、 , ， ; ； or spaces.
func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("、,，;；", r)
	})
}

// resolve finds the row's deputies by name.
func (r *suggestionRow) resolve(ctx context.Context, names *deputyNames) error {
	if r.lead == "" {
		r.bad("领衔代表", "", "不能为空")
	} else {
		id, msg, err := names.resolve(ctx, r.lead)
		if err != nil {
			return err
		}
		if msg != "" {
			r.bad("领衔代表", r.lead, msg)
		}
		r.sg.LeadDeputyID = id
	}
	for _, n := range r.names {
		id, msg, err := names.resolve(ctx, n)
		if err != nil {
			return err
		}
		if msg != "" {
			r.bad("附议代表", n, msg)
			continue
		}
		r.seconders = append(r.seconders, id)
	}
	return nil
}

// checkNumbers flags numbers repeated in the file or already taken.
func (s *Suggestions) checkNumbers(ctx context.Context, rows []suggestionRow) error {
	first := map[string]int{}
	var numbers []string
	for i := range rows {
		row := &rows[i]
		num := row.sg.Number
		if num == "" || hasFieldError(row.errs, "建议编号") {
			continue
		}
		if f, ok := first[num]; ok {
			row.bad("建议编号", num, fmt.Sprintf("与第%d行重复", f))
			continue
		}
		first[num] = row.row
		numbers = append(numbers, num)
	}
	taken, err := s.db.ExistingSuggestionNumbers(ctx, numbers)
	if err != nil {
		return err
	}
	for i := range rows {
		row := &rows[i]
		if taken[row.sg.Number] && first[row.sg.Number] == row.row {
			row.bad("建议编号", row.sg.Number, "已存在")
		}
	}
	return nil
}

// sortRowErrors orders one row's errors by column, as staff see them.
func sortRowErrors(errs []RowError) {
	idx := func(f string) int {
		for i, c := range suggestionColumns {
			if c == f {
				return i
			}
		}
		return len(suggestionColumns)
	}
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && idx(errs[j].Field) < idx(errs[j-1].Field); j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// deputyNames resolves deputies' names, each looked up once.
type deputyNames struct {
	db    *storage.DB
	cache map[string][]model.Deputy
}

// resolve finds the one deputy ref names: 张三, or 张三（济南市代表团）
// when namesakes must be told apart. msg says why it cannot, in Chinese.
func (n *deputyNames) resolve(ctx context.Context, ref string) (id int64, msg string, err error) {
	name, delegation := splitDelegation(ref)
	ds, ok := n.cache[name]
	if !ok {
		if ds, err = n.db.FindDeputiesByName(ctx, name); err != nil {
			return 0, "", err
		}
		n.cache[name] = ds
	}
	if delegation != "" {
		var in []model.Deputy
		for _, d := range ds {
			if d.Delegation == delegation {
				in = append(in, d)
			}
		}
		if len(in) == 0 && len(ds) > 0 {
			return 0, "在该代表团中没有这位代表", nil
		}
		ds = in
	}
	switch len(ds) {
	case 0:
		return 0, "不是名册中的代表", nil
	case 1:
		return ds[0].ID, "", nil
	}
	var dels []string
	for _, d := range ds {
		dels = append(dels, orNoDelegation(d.Delegation))
	}
	return 0, fmt.Sprintf("有 %d 位同名代表（%s），请写成“%s（代表团）”", len(ds), strings.Join(dels, "、"), name), nil
}

func orNoDelegation(s string) string {
	if s == "" {
		return "无代表团"
	}
	return s
}

// splitDelegation splits 张三（济南市代表团） or 张三(济南市代表团) into the
// name and the delegation.
func splitDelegation(ref string) (name, delegation string) {
	ref = strings.TrimSpace(ref)
	i := strings.IndexAny(ref, "(（")
	if i <= 0 {
		return ref, ""
	}
	rest := strings.TrimRight(ref[i:], ")）")
	rest = strings.TrimLeft(rest, "(（")
	return strings.TrimSpace(ref[:i]), strings.TrimSpace(rest)
}

// ResolveDeputies finds the deputies named in refs (written as in an
// import: 张三 or 张三（代表团）) for a form's field; names it cannot match,
// or cannot match to one deputy, come back as field errors.
func (s *Suggestions) ResolveDeputies(ctx context.Context, field string, refs []string) ([]int64, ValidationError, error) {
	names := &deputyNames{db: s.db, cache: map[string][]model.Deputy{}}
	var ids []int64
	var errs ValidationError
	for _, ref := range refs {
		id, msg, err := names.resolve(ctx, ref)
		if err != nil {
			return nil, nil, err
		}
		if msg != "" {
			errs = append(errs, &FieldError{Label: field, Value: ref, Msg: "“" + ref + "”" + msg})
			continue
		}
		ids = append(ids, id)
	}
	return ids, errs, nil
}

// SplitDeputyNames splits a list of deputies' names written with 、 , ，
// ; ； or spaces, as the 附议代表 column and form field are.
func SplitDeputyNames(s string) []string { return splitNames(s) }

// ParseDeadline reads a 办理期限 as the import does (2026-06-30,
// 2026/6/30, 2026年6月30日 …).
func ParseDeadline(s string) (time.Time, bool) { return parseDate(strings.TrimSpace(s)) }

// CheckSuggestion reports what Create would refuse in sg's own fields
// (number, title, units, lengths), without touching sg or the database:
// forms use it to show every problem at once.
func CheckSuggestion(sg model.Suggestion) ValidationError { return normalizeSuggestion(&sg) }
