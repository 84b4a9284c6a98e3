package core

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// A preview lists what an import would do, writes nothing, and flags a
// bound deputy's new name; the import refuses that rename until confirmed.
func TestAnImportPreviewShowsEachChangeAndARenameNeedsConfirming(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		reg := NewRegistry(db)
		staff := StaffActor(model.Account{ID: 1, Username: "u", Name: "工作人员", Role: model.RoleStaff}, ViaConsole)
		ds := SampleDeputies(3, 7)
		if _, err := db.UpsertDeputies(ctx, ds); err != nil {
			t.Fatal(err)
		}
		bound, err := db.GetDeputyByPhone(ctx, ds[0].Phone)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, bound.ID, "o-bound"); err != nil {
			t.Fatal(err)
		}
		edited := append([]model.Deputy{}, ds...)
		edited[0].Name = "改名后"
		edited[1].Occupation = "新的职业"
		extra := SampleDeputies(4, 9)[3]
		extra.Phone = "13700000009"
		edited = append(edited, extra)
		file := func() *bytes.Buffer {
			var buf bytes.Buffer
			if err := WriteDeputies(&buf, "xlsx", edited); err != nil {
				t.Fatal(err)
			}
			return &buf
		}

		p, err := reg.PreviewImport(ctx, staff, file(), "名册.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		if p.Rows != 4 || len(p.New) != 1 || len(p.Updated) != 2 || p.Unchanged != 1 || p.Renames != 1 {
			t.Fatalf("preview %+v", p)
		}
		var renamed, other ImportChange
		for _, u := range p.Updated {
			if u.Renamed {
				renamed = u
			} else {
				other = u
			}
		}
		if renamed.DeputyID != bound.ID || !renamed.Bound || len(renamed.Changes) != 1 ||
			renamed.Changes[0] != (FieldChange{Field: "姓名", Old: ds[0].Name, New: "改名后"}) {
			t.Errorf("the rename %+v", renamed)
		}
		if len(other.Changes) != 1 || other.Changes[0].Field != "职业" || other.Changes[0].New != "新的职业" {
			t.Errorf("the other change %+v", other)
		}
		if d, _ := db.GetDeputy(ctx, bound.ID); d.Name != ds[0].Name {
			t.Fatalf("the preview wrote: %s", d.Name)
		}

		_, err = reg.ImportAs(ctx, staff, file(), "名册.xlsx", ImportOptions{})
		if fe, ok := Fields(err); !ok || fe[0].Key != "confirm_renames" || !strings.Contains(fe[0].Msg, ds[0].Name+"→改名后") {
			t.Fatalf("an unconfirmed rename: %v", err)
		}
		if d, _ := db.GetDeputy(ctx, bound.ID); d.Name != ds[0].Name {
			t.Fatalf("the refused import wrote: %s", d.Name)
		}
		rep, err := reg.ImportAs(ctx, staff, file(), "名册.xlsx", ImportOptions{ConfirmRenames: true})
		if err != nil || rep.Created != 1 || rep.Updated != 2 {
			t.Fatalf("the confirmed import %+v %v", rep, err)
		}
		if d, _ := db.GetDeputy(ctx, bound.ID); d.Name != "改名后" {
			t.Fatalf("after the confirmed import: %s", d.Name)
		}
	})
}

// The import templates read back through their importers' headers.
func TestImportTemplatesOpen(t *testing.T) {
	for _, kind := range []string{TemplateDeputies, TemplateSuggestions, TemplateStations} {
		f, err := ImportTemplate(kind)
		if err != nil || len(f.Data) == 0 || !strings.HasSuffix(f.Name, ".xlsx") {
			t.Fatalf("%s: %q %v", kind, f.Name, err)
		}
	}
	f, _ := ImportTemplate(TemplateDeputies)
	src, err := openSheet(bytes.NewReader(f.Data), f.Name)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readDeputyRows(context.Background(), src, f.Name)
	if err != nil || len(rows) != 1 || len(rows[0].errs) != 0 {
		t.Fatalf("the deputies template reads %+v %v", rows, err)
	}
	if _, err := ImportTemplate("nothing"); err == nil {
		t.Fatal("an unknown template was offered")
	}
}
