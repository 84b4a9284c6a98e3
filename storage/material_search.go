package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// Searching study materials. Neither SQLite's FTS5 (its trigram tokenizer
// cannot find two characters) nor MariaDB (no ngram parser) finds 预算
// in 预算法 by an index, and LIKE '%预算%' reads every body (0.5–1 s for
// 10,000 materials, docs/benchmarks.md), so the database holds an index of
// its own: material_grams (migration 00083), one row per material and
// bigram with the positions it occurs at and a copy of what a search
// filters and orders by. Both databases answer it alike, and every
// instance sees the same index because it is written in the material's
// transaction.

// Fields of a material in the index: where their positions start.
const (
	fieldTitle   = 0
	fieldSummary = 1
	fieldBody    = 2
	fieldShift   = 20 // positions of field f start at f<<fieldShift
)

// maxSearchTerms bounds the words of one search.
const maxSearchTerms = 5

// normRunes lower-cases s for the index and for searches alike.
func normRunes(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return rs
}

// posting is one index row being built: the first field a gram occurs in
// and its positions.
type posting struct {
	field int
	pos   []int
}

// materialGrams is a material's index: every bigram of each field (and
// the field's last character alone) with its positions.
func materialGrams(title, summary, body string) map[string]*posting {
	out := map[string]*posting{}
	for f, text := range []string{fieldTitle: title, fieldSummary: summary, fieldBody: body} {
		rs := normRunes(text)
		base := f << fieldShift
		for i := range rs {
			g := string(rs[i:min(i+2, len(rs))])
			p := out[g]
			if p == nil {
				p = &posting{field: f}
				out[g] = p
			}
			p.pos = append(p.pos, base+i)
		}
	}
	return out
}

// encodePositions writes ascending positions as varint deltas.
func encodePositions(pos []int) []byte {
	out := make([]byte, 0, len(pos)*2)
	last := 0
	for _, p := range pos {
		out = binary.AppendUvarint(out, uint64(p-last))
		last = p
	}
	return out
}

// decodePositions reads what encodePositions wrote.
func decodePositions(b []byte) []int {
	var out []int
	last := 0
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		last += int(d)
		out = append(out, last)
		b = b[n:]
	}
	return out
}

// gramBatch is how many index rows one INSERT writes.
const gramBatch = 200

// searchDoc is what a search filters and orders a material by; every
// index row of the material carries it.
type searchDoc struct {
	id        int64
	status    string
	category  string
	published int64 // Unix microseconds
}

func searchDocOf(m *model.Material) searchDoc {
	return searchDoc{m.ID, m.Status, m.Category, m.PublishedAt.UnixMicro()}
}

// gramRow is one row of material_grams.
type gramRow struct {
	gram string
	doc  searchDoc
	p    *posting
}

// gramRowsOf lists a material's index rows.
func gramRowsOf(doc searchDoc, title, summary, body string) []gramRow {
	grams := materialGrams(title, summary, body)
	out := make([]gramRow, 0, len(grams))
	for g, p := range grams {
		out = append(out, gramRow{g, doc, p})
	}
	return out
}

// insertGrams writes index rows, in key order (fewer pages touched).
func (db *DB) insertGrams(ctx context.Context, tx *sqlx.Tx, rows []gramRow) error {
	slices.SortFunc(rows, func(a, b gramRow) int {
		return cmp.Or(strings.Compare(a.gram, b.gram), cmp.Compare(a.doc.id, b.doc.id))
	})
	for start := 0; start < len(rows); start += gramBatch {
		part := rows[start:min(start+gramBatch, len(rows))]
		args := make([]any, 0, 7*len(part))
		for _, r := range part {
			args = append(args, []byte(r.gram), r.doc.id, r.p.field, encodePositions(r.p.pos), r.doc.status, r.doc.category, r.doc.published)
		}
		q := db.insertIgnore() + ` INTO material_grams (gram, material_id, field, pos, status, category, published_us) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(part)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("storage: index materials: %w", err)
		}
	}
	return nil
}

// indexMaterial rewrites the index of one material in tx.
func (db *DB) indexMaterial(ctx context.Context, tx *sqlx.Tx, m *model.Material) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM material_grams WHERE material_id = ?`, m.ID); err != nil {
		return fmt.Errorf("storage: index material %d: %w", m.ID, err)
	}
	if err := db.insertGrams(ctx, tx, gramRowsOf(searchDocOf(m), m.Title, m.Summary, m.Body)); err != nil {
		return err
	}
	return bumpSearchGeneration(ctx, tx)
}

// bumpSearchGeneration raises the number that says the index changed
// (migration 00084), in the writing transaction.
func bumpSearchGeneration(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE material_search_generation SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("storage: search generation: %w", err)
	}
	return nil
}

// reindexMaterial brings the index of a material rewritten in tx up to
// date: all of it when its text changed, its copy of the status,
// category and publication time when those did.
func (db *DB) reindexMaterial(ctx context.Context, tx *sqlx.Tx, old model.Material, m *model.Material) error {
	if old.Title != m.Title || old.Summary != m.Summary || old.Body != m.Body {
		return db.indexMaterial(ctx, tx, m)
	}
	if d := searchDocOf(m); d != searchDocOf(&old) {
		if _, err := tx.ExecContext(ctx, `UPDATE material_grams SET status = ?, category = ?, published_us = ? WHERE material_id = ?`,
			d.status, d.category, d.published, m.ID); err != nil {
			return fmt.Errorf("storage: index material %d: %w", m.ID, err)
		}
		return bumpSearchGeneration(ctx, tx)
	}
	return nil
}

// indexUnindexedMaterials indexes the materials that have no index yet
// (those from before migration 00083): every material has a title, so an
// indexed one has rows. It returns how many it indexed.
func (db *DB) indexUnindexedMaterials(ctx context.Context) (int, error) {
	n := 0
	var last int64
	for {
		var rows []model.Material
		if err := db.w.SelectContext(ctx, &rows, `SELECT `+materialColumns+` FROM materials m
			WHERE NOT EXISTS (SELECT 1 FROM material_grams g WHERE g.material_id = m.id) AND m.id > ? ORDER BY m.id LIMIT 100`,
			last); err != nil {
			return n, fmt.Errorf("storage: materials to index: %w", err)
		}
		for _, m := range rows {
			last = m.ID
			if strings.TrimSpace(m.Title+m.Summary+m.Body) == "" {
				continue // nothing to find, and nothing to say it was indexed
			}
			m = utcMaterial(m)
			err := db.inTx(ctx, func(tx *sqlx.Tx) error { return db.indexMaterial(ctx, tx, &m) })
			if err != nil {
				return n, err
			}
			n++
		}
		if len(rows) < 100 {
			return n, nil
		}
	}
}

// searchTerms splits a search into its words (at most maxSearchTerms,
// each lower-cased, control characters dropped).
func searchTerms(q string) [][]rune {
	var out [][]rune
	for _, w := range strings.Fields(q) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == utf8.RuneError {
				return -1
			}
			return r
		}, w)
		if w == "" {
			continue
		}
		rs := normRunes(w)
		if !slices.ContainsFunc(out, func(x []rune) bool { return slices.Equal(x, rs) }) {
			out = append(out, rs)
		}
		if len(out) == maxSearchTerms {
			break
		}
	}
	return out
}

// nextRune is the character after r, skipping the surrogates (not
// characters): the end of the index range holding r and r followed by
// anything.
func nextRune(r rune) rune {
	if r+1 >= 0xD800 && r+1 <= 0xDFFF {
		return 0xE000
	}
	return r + 1
}

// searchHit is a material a search found: the best field it was found in
// (every word of the search counted) and when it was published.
type searchHit struct {
	id        int64
	field     int
	published int64 // Unix microseconds
}

// searchMaterials returns one page (offset, limit; 0: the rest) of the
// materials holding every word of q (each an exact substring of the
// title, the summary or the body, case aside) among those where selects
// (a condition on the index's copy m: m.status, m.category,
// m.published_us, the publication time in Unix microseconds), and, when
// count is set, how many there are in all; best first: found in the
// title, then the summary, then the body, the latest published first
// within each.
func (db *DB) searchMaterials(ctx context.Context, q, where string, args []any, offset, limit int, count bool) ([]int64, int, error) {
	terms := searchTerms(q)
	if len(terms) == 0 {
		return nil, 0, nil
	}
	if where == "" {
		where = "1 = 1"
	}
	if len(terms) == 1 && len(terms[0]) <= 2 {
		page, total, err := db.searchKey(ctx, terms[0], where, args, offset, limit, count)
		if err != nil {
			return nil, 0, fmt.Errorf("storage: search materials: %w", err)
		}
		return page, total, nil
	}
	if len(terms) == 1 && !count && limit > 0 && offset == 0 {
		page, err := db.searchPhrasePage(ctx, terms[0], where, args, limit)
		if err != nil {
			return nil, 0, fmt.Errorf("storage: search materials: %w", err)
		}
		return page, -1, nil
	}
	hits, err := db.searchAll(ctx, terms, where, args)
	if err != nil {
		return nil, 0, fmt.Errorf("storage: search materials: %w", err)
	}
	offset = min(max(offset, 0), len(hits))
	end := len(hits)
	if limit > 0 {
		end = min(offset+limit, end)
	}
	page := make([]int64, 0, end-offset)
	for _, h := range hits[offset:end] {
		page = append(page, h.id)
	}
	return page, len(hits), nil
}

// searchCache keeps the latest full searches of one instance with the
// index generation they were made at (migration 00084).
type searchCache struct {
	mu      sync.Mutex
	entries map[string]cachedSearch
}

type cachedSearch struct {
	gen  int64
	hits []searchHit
}

// maxCachedSearches bounds an instance's searchCache.
const maxCachedSearches = 64

// searchGeneration reads the index's generation.
func (db *DB) searchGeneration(ctx context.Context) (int64, error) {
	var n int64
	err := db.rq(ctx).GetContext(ctx, &n, `SELECT n FROM material_search_generation WHERE id = 1`)
	return n, err
}

// searchAll returns every material holding each of the terms among those
// where selects, in the order shown. Outside a transaction the result is
// kept while the index's generation stays the same (read before and
// after, so a write meanwhile keeps nothing).
func (db *DB) searchAll(ctx context.Context, terms [][]rune, where string, args []any) ([]searchHit, error) {
	cacheable := txOf(ctx) == nil
	var key string
	var gen int64
	if cacheable {
		var err error
		if gen, err = db.searchGeneration(ctx); err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, t := range terms {
			b.WriteString(string(t) + "\x00")
		}
		fmt.Fprintf(&b, "%s\x00%v", where, args)
		key = b.String()
		db.searches.mu.Lock()
		c, ok := db.searches.entries[key]
		db.searches.mu.Unlock()
		if ok && c.gen == gen {
			return c.hits, nil
		}
	}
	hits, err := db.searchTerms(ctx, terms, where, args)
	if err != nil || !cacheable {
		return hits, err
	}
	if after, err := db.searchGeneration(ctx); err != nil || after != gen {
		return hits, err
	}
	db.searches.mu.Lock()
	defer db.searches.mu.Unlock()
	if db.searches.entries == nil || len(db.searches.entries) >= maxCachedSearches {
		db.searches.entries = map[string]cachedSearch{} // simple: start again when full
	}
	db.searches.entries[key] = cachedSearch{gen, hits}
	return hits, nil
}

// searchTerms checks every material holding each term.
func (db *DB) searchTerms(ctx context.Context, terms [][]rune, where string, args []any) ([]searchHit, error) {
	var found map[int64]searchHit
	for _, t := range terms {
		hits, err := db.searchTerm(ctx, t, where, args)
		if err != nil {
			return nil, err
		}
		if found == nil {
			found = hits
			continue
		}
		for id, h := range found {
			o, ok := hits[id]
			if !ok {
				delete(found, id)
				continue
			}
			h.field = max(h.field, o.field)
			found[id] = h
		}
	}
	hits := make([]searchHit, 0, len(found))
	for _, h := range found {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, rankOrder)
	return hits, nil
}

// searchKey answers a search of one word of one or two characters from
// the index alone: a key of material_grams_rank for two characters (in
// the order shown, so a page stops early), a range for one.
func (db *DB) searchKey(ctx context.Context, t []rune, where string, args []any, offset, limit int, count bool) ([]int64, int, error) {
	key, keyArgs := `m.gram = ?`, []any{[]byte(string(t))}
	counted, order := `COUNT(*)`, ` ORDER BY m.field, m.published_us DESC, m.material_id DESC`
	if len(t) == 1 {
		key, keyArgs = `m.gram >= ? AND m.gram < ?`, []any{[]byte(string(t)), []byte(string(nextRune(t[0])))}
		counted = `COUNT(DISTINCT m.material_id)`
		order = ` GROUP BY m.material_id, m.published_us ORDER BY MIN(m.field), m.published_us DESC, m.material_id DESC`
	}
	all := append(keyArgs, args...)
	total := -1
	if count {
		if err := db.rq(ctx).GetContext(ctx, &total, `SELECT `+counted+` FROM material_grams m WHERE `+key+` AND (`+where+`)`, all...); err != nil {
			return nil, 0, err
		}
		if total == 0 || offset >= total {
			return nil, total, nil
		}
	}
	q := `SELECT m.material_id FROM material_grams m WHERE ` + key + ` AND (` + where + `)` + order
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, max(offset, 0))
	} else if offset > 0 {
		q += fmt.Sprintf(` LIMIT %d OFFSET %d`, 1<<40, offset)
	}
	var page []int64
	if err := db.rq(ctx).SelectContext(ctx, &page, q, all...); err != nil {
		return nil, 0, err
	}
	return page, total, nil
}

// searchTerm finds one word: a range of the index for one character, a
// key for two, the bigrams at the right distances for more.
func (db *DB) searchTerm(ctx context.Context, t []rune, where string, args []any) (map[int64]searchHit, error) {
	out := map[int64]searchHit{}
	if len(t) <= 2 {
		key, keyArgs := `m.gram = ?`, []any{[]byte(string(t))}
		if len(t) == 1 {
			key, keyArgs = `m.gram >= ? AND m.gram < ?`, []any{[]byte(string(t)), []byte(string(nextRune(t[0])))}
		}
		rows, err := db.rq(ctx).QueryContext(ctx, `SELECT m.material_id, m.field, m.published_us FROM material_grams m WHERE `+key+
			` AND (`+where+`)`, append(keyArgs, args...)...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var h searchHit
			if err := rows.Scan(&h.id, &h.field, &h.published); err != nil {
				return nil, err
			}
			if o, ok := out[h.id]; !ok || h.field < o.field {
				out[h.id] = h
			}
		}
		return out, rows.Err()
	}
	offsets, distinct, slot := bigramsOf(t)
	params := make([]any, 0, len(distinct)+len(args))
	for _, g := range distinct {
		params = append(params, []byte(g))
	}
	rows, err := db.rq(ctx).QueryContext(ctx, `SELECT m.material_id, m.gram, m.pos, m.published_us FROM material_grams m
		WHERE m.gram IN (?`+strings.Repeat(", ?", len(distinct)-1)+`) AND (`+where+`)`, append(params, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs, err := readPostings(rows, distinct)
	if err != nil {
		return nil, err
	}
	for id, d := range docs {
		if f, ok := d.phraseField(offsets, slot); ok {
			out[id] = searchHit{id: id, field: f, published: d.published}
		}
	}
	return out, nil
}

// bigramsOf is a word's bigrams at offsets 0, 2, 4 … and the last one,
// which cover every character of it: a material holds the word where
// each sits at its offset. distinct lists them once; offsets[i]'s bigram
// is distinct[slot[i]].
func bigramsOf(t []rune) (offsets []int, distinct []string, slot []int) {
	for o := 0; o < len(t)-1; o += 2 {
		offsets = append(offsets, o)
	}
	if last := len(t) - 2; offsets[len(offsets)-1] != last {
		offsets = append(offsets, last)
	}
	slot = make([]int, len(offsets))
	for i, o := range offsets {
		g := string(t[o : o+2])
		j := slices.Index(distinct, g)
		if j < 0 {
			j = len(distinct)
			distinct = append(distinct, g)
		}
		slot[i] = j
	}
	return offsets, distinct, slot
}

// phraseChunk is how many candidates searchPhrasePage checks at a time.
const phraseChunk = 200

// searchPhrasePage returns the first limit materials holding the word t
// of three characters or more, without counting them all: it walks the
// materials holding the word's first bigram in the order shown (the rank
// index: field, then the latest), a chunk at a time, checks each for the
// whole word, and stops once no material not yet checked could come
// before the limit-th found. A material holding the word in a field
// holds its first bigram in that field or an earlier one, so a candidate
// not yet checked ranks no better than the last one checked.
func (db *DB) searchPhrasePage(ctx context.Context, t []rune, where string, args []any, limit int) ([]int64, error) {
	offsets, distinct, slot := bigramsOf(t)
	var hits []searchHit
	for start := 0; ; start += phraseChunk {
		var cands []searchHit
		rows, err := db.rq(ctx).QueryContext(ctx, `SELECT m.material_id, m.field, m.published_us FROM material_grams m
			WHERE m.gram = ? AND (`+where+`) ORDER BY m.field, m.published_us DESC, m.material_id DESC`+
			fmt.Sprintf(` LIMIT %d OFFSET %d`, phraseChunk, start), append([]any{[]byte(distinct[0])}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h searchHit
			if err := rows.Scan(&h.id, &h.field, &h.published); err != nil {
				rows.Close()
				return nil, err
			}
			cands = append(cands, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(cands) > 0 {
			params := make([]any, 0, len(distinct)+len(cands))
			for _, g := range distinct {
				params = append(params, []byte(g))
			}
			for _, c := range cands {
				params = append(params, c.id)
			}
			prows, err := db.rq(ctx).QueryContext(ctx, `SELECT m.material_id, m.gram, m.pos, m.published_us FROM material_grams m
				WHERE m.gram IN (?`+strings.Repeat(", ?", len(distinct)-1)+`) AND m.material_id IN (?`+
				strings.Repeat(", ?", len(cands)-1)+`)`, params...)
			if err != nil {
				return nil, err
			}
			docs, err := readPostings(prows, distinct)
			prows.Close()
			if err != nil {
				return nil, err
			}
			for _, c := range cands {
				if d := docs[c.id]; d != nil {
					if f, ok := d.phraseField(offsets, slot); ok {
						hits = append(hits, searchHit{id: c.id, field: f, published: c.published})
					}
				}
			}
			slices.SortFunc(hits, rankOrder)
		}
		done := len(cands) < phraseChunk
		if !done && len(hits) >= limit {
			// Settled when the limit-th hit ranks before the last
			// candidate checked: every later candidate ranks after it.
			last := cands[len(cands)-1]
			done = rankOrder(hits[limit-1], last) < 0
		}
		if done {
			page := make([]int64, 0, min(limit, len(hits)))
			for _, h := range hits[:min(limit, len(hits))] {
				page = append(page, h.id)
			}
			return page, nil
		}
	}
}

// rankOrder orders search hits as shown: by field, then the latest, then
// the highest id.
func rankOrder(a, b searchHit) int {
	return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(b.published, a.published), cmp.Compare(b.id, a.id))
}

// postings are one material's positions of the bigrams of a word, as read.
type postings struct {
	published int64
	seen      int
	raw       [][]byte // each bigram's positions, decoded only when all are there
}

// readPostings reads rows of (material_id, gram, pos, published_us) of
// the distinct bigrams of a word, by material.
func readPostings(rows *sql.Rows, distinct []string) (map[int64]*postings, error) {
	docs := map[int64]*postings{}
	for rows.Next() {
		var id, published int64
		var gram, pos sql.RawBytes
		if err := rows.Scan(&id, &gram, &pos, &published); err != nil {
			return nil, err
		}
		j := slices.Index(distinct, string(gram))
		if j < 0 {
			continue
		}
		d := docs[id]
		if d == nil {
			d = &postings{published: published, raw: make([][]byte, len(distinct))}
			docs[id] = d
		}
		if d.raw[j] == nil {
			d.seen++
		}
		d.raw[j] = slices.Clone(pos)
	}
	return docs, rows.Err()
}

// phraseField reports whether the material holds the word whose bigrams
// at offsets are distinct[slot[i]], and the first field it does.
func (d *postings) phraseField(offsets, slot []int) (int, bool) {
	if d.seen != len(d.raw) {
		return 0, false
	}
	pos := make([][]int, len(d.raw))
	for j, b := range d.raw {
		pos[j] = decodePositions(b)
	}
	// The earliest start where every bigram sits at its offset: it says
	// the best field, as positions are ordered by field.
	for _, p := range pos[slot[0]] {
		ok := true
		for i := 1; i < len(offsets) && ok; i++ {
			_, ok = slices.BinarySearch(pos[slot[i]], p+offsets[i])
		}
		if ok {
			return p >> fieldShift, true
		}
	}
	return 0, false
}

// CreateMaterials inserts many materials (attachments aside) in one
// transaction, like CreateMaterial each, their index written a chunk at a
// time in key order: for bulk loads and benchmarks.
func (db *DB) CreateMaterials(ctx context.Context, ms []*model.Material) error {
	const chunk = 200
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []gramRow
		for i, m := range ms {
			if m.PublishedAt.IsZero() {
				m.PublishedAt = now
			}
			if m.Status == "" {
				m.Status = model.MaterialPublished
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO materials (title, summary, link, body, category, video_link, status,
				created_by, published_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.Title, m.Summary, m.Link, m.Body,
				m.Category, m.VideoLink, m.Status, m.CreatedBy, m.PublishedAt.UTC(), now)
			if err != nil {
				return fmt.Errorf("storage: create materials: %w", err)
			}
			if m.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			m.PublishedAt, m.CreatedAt = m.PublishedAt.UTC(), now
			rows = append(rows, gramRowsOf(searchDocOf(m), m.Title, m.Summary, m.Body)...)
			if (i+1)%chunk == 0 || i == len(ms)-1 {
				if err := db.insertGrams(ctx, tx, rows); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return bumpSearchGeneration(ctx, tx)
	})
}
