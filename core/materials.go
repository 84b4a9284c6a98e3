package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/storage"
)

// Materials publishes study materials (学习材料) and records who studied them.
type Materials struct {
	db  *storage.DB
	now func() time.Time
}

// NewMaterials returns the materials service over db.
func NewMaterials(db *storage.DB) *Materials { return &Materials{db: db, now: time.Now} }

// SetClock replaces the clock that decides what is open (tests, and the
// bot's own clock, inject one).
func (m *Materials) SetClock(now func() time.Time) { m.now = now }

// Publish validates and stores a material: a title, and a link or a body
// (or both). A zero PublishedAt means now; a later one schedules it.
func (m *Materials) Publish(ctx context.Context, mat *model.Material) error {
	var errs ValidationError
	bad := func(field, value, msg string) { errs = append(errs, &FieldError{Label: field, Value: value, Msg: msg}) }
	mat.Title = strings.TrimSpace(mat.Title)
	switch n := utf8.RuneCountInString(mat.Title); {
	case n == 0:
		bad("标题", "", "不能为空")
	case n > 200:
		bad("标题", "", "过长（最多 200 字）")
	}
	mat.Summary = strings.TrimSpace(mat.Summary)
	if utf8.RuneCountInString(mat.Summary) > 500 {
		bad("摘要", "", "过长（最多 500 字）")
	}
	mat.Link = strings.TrimSpace(mat.Link)
	mat.Body = strings.TrimSpace(mat.Body)
	switch {
	case mat.Link == "" && mat.Body == "":
		bad("链接或正文", "", "至少填写一项")
	case mat.Link != "" && !isWebLink(mat.Link):
		bad("链接", mat.Link, "应为 http:// 或 https:// 开头的网址")
	}
	if n := utf8.RuneCountInString(mat.Body); n > 100000 {
		bad("正文", "", fmt.Sprintf("过长（最多 100000 字，现有 %d 字）", n))
	}
	if len(errs) > 0 {
		return errs
	}
	if mat.PublishedAt.IsZero() {
		mat.PublishedAt = m.now()
	}
	return m.db.CreateMaterial(ctx, mat)
}

// Get returns one material.
func (m *Materials) Get(ctx context.Context, id int64) (model.Material, error) {
	return m.db.GetMaterial(ctx, id)
}

// List returns a page of every material (scheduled ones too), the latest
// published first, and how many there are (limit 0 means all).
func (m *Materials) List(ctx context.Context, limit, offset int) ([]model.Material, int, error) {
	return m.db.ListMaterials(ctx, limit, offset)
}

// Latest returns the n most recently published materials, newest first,
// each with whether the deputy studied it: the list the chat numbers 1…n.
func (m *Materials) Latest(ctx context.Context, deputyID int64, n int) ([]model.DeputyMaterial, error) {
	return m.db.LatestMaterials(ctx, deputyID, n)
}

// MarkStudied records that the deputy studied the material with that id;
// first is false when it was recorded before.
func (m *Materials) MarkStudied(ctx context.Context, deputyID, materialID int64) (mat model.Material, first bool, err error) {
	if mat, err = m.db.GetMaterial(ctx, materialID); err != nil {
		return model.Material{}, false, err
	}
	if first, err = m.db.MarkStudied(ctx, materialID, deputyID); err != nil {
		return model.Material{}, false, err
	}
	return mat, first, nil
}

// MarkStudiedNth records that the deputy studied the nth (1-based) entry
// of Latest(deputyID, listLen), the list the chat showed; first is false
// when it was recorded before. An n outside the list is a ValidationError.
func (m *Materials) MarkStudiedNth(ctx context.Context, deputyID int64, nth, listLen int) (mat model.Material, first bool, err error) {
	list, err := m.db.LatestMaterials(ctx, deputyID, listLen)
	if err != nil {
		return model.Material{}, false, err
	}
	switch {
	case len(list) == 0:
		return model.Material{}, false, ValidationError{{Label: "序号", Msg: "暂无学习材料"}}
	case nth < 1 || nth > len(list):
		return model.Material{}, false, ValidationError{{Label: "序号", Value: strconv.Itoa(nth), Msg: fmt.Sprintf("请回复 1–%d 中的一个序号", len(list))}}
	}
	mat = list[nth-1].Material
	if first, err = m.db.MarkStudied(ctx, mat.ID, deputyID); err != nil {
		return model.Material{}, false, err
	}
	return mat, first, nil
}

// StudyCounts returns how many deputies studied each material (every
// material when no id is given); a material nobody studied is absent.
func (m *Materials) StudyCounts(ctx context.Context, materialIDs ...int64) (map[int64]int, error) {
	return m.db.StudyCounts(ctx, materialIDs...)
}
