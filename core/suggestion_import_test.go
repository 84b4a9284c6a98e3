package core_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// suggestionSheet builds an .xlsx from rows, the first being the header.
func suggestionSheet(t *testing.T, rows [][]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

var suggestionHeader = []any{"建议编号", "标题", "内容摘要", "届次", "领衔代表", "附议代表", "主办单位", "协办单位", "办理期限"}

func importDeputies(t *testing.T, db *storage.DB) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, d := range []model.Deputy{
		{Name: "王芳", Delegation: "济南市代表团"}, {Name: "李强", Delegation: "济南市代表团"},
		{Name: "张伟", Delegation: "济南市代表团"}, {Name: "张伟", Delegation: "青岛市代表团"},
	} {
		d.Level = model.LevelProvincial
		if err := db.CreateDeputy(context.Background(), &d); err != nil {
			t.Fatal(err)
		}
		ids[d.Name+"/"+d.Delegation] = d.ID
	}
	return ids
}

func TestImportSuggestions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := importDeputies(t, db)
		svc := core.NewSuggestions(db)
		existing := model.Suggestion{Number: "9", Title: "已有的建议", HostUnit: "省教育厅", LeadDeputyID: ids["王芳/济南市代表团"]}
		if err := svc.Create(ctx, &existing, nil); err != nil {
			t.Fatal(err)
		}

		t.Run("three bad rows are all listed and nothing is written", func(t *testing.T) {
			sheet := suggestionSheet(t, [][]any{suggestionHeader,
				{"1", "关于农村公路的建议", "", "十四届三次", "王芳", "李强", "省交通运输厅", "", "2026-06-30"},
				{"2", "关于课后服务的建议", "", "十四届三次", "赵六", "", "省教育厅", "", ""},
				{"3", "关于医保的建议", "", "十四届三次", "李强", "王芳、张伟", "省医保局", "", ""},
				{"9", "编号已存在", "", "十四届三次", "王芳", "", "省教育厅", "", ""},
				{"4", "关于养老的建议", "", "十四届三次", "王芳", "", "省民政厅", "", ""},
			})
			rep, err := svc.ImportSuggestions(ctx, sheet, "建议.xlsx")
			if !errors.Is(err, core.ErrImportInvalid) {
				t.Fatalf("err %v", err)
			}
			var got []string
			for _, e := range rep.Errors {
				got = append(got, e.String())
			}
			want := []string{
				`第3行 领衔代表: "赵六" 不是名册中的代表`,
				`第4行 附议代表: "张伟" 有 2 位同名代表（济南市代表团、青岛市代表团），请写成“张伟（代表团）”`,
				`第5行 建议编号: "第0009号" 已存在`,
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if rep.Rows != 5 || rep.Created != 0 {
				t.Fatalf("report %+v", rep)
			}
			if n, _ := db.CountRows(ctx, "suggestions"); n != 1 {
				t.Fatalf("%d suggestions stored, want only the existing one", n)
			}
		})
		t.Run("a valid sheet creates every suggestion with its deputies", func(t *testing.T) {
			sheet := suggestionSheet(t, [][]any{
				{"编号", "案由", "领衔人", "附议人", "承办单位", "会办单位", "办理期限", "届次"},
				{"21", "关于农村公路的建议", "王芳", "李强、张伟（青岛市代表团）", "省交通运输厅", "省财政厅，省自然资源厅", time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), "十四届三次"},
				{"22", "关于课后服务的建议", "张伟(济南市代表团)", "", "省教育厅", "", "2026/7/15", "十四届三次"},
			})
			rep, err := svc.ImportSuggestions(ctx, sheet, "建议.xlsx")
			if err != nil || rep.Created != 2 || len(rep.Errors) != 0 {
				t.Fatalf("%+v %v", rep, err)
			}
			sg, err := svc.GetByNumber(ctx, "21")
			if err != nil {
				t.Fatal(err)
			}
			if sg.Status != model.SuggestionAssigned || sg.CoUnits != "省财政厅、省自然资源厅" || sg.Deadline == nil ||
				sg.Deadline.Format(time.DateOnly) != "2026-06-30" || len(sg.Deputies) != 3 || sg.Deputies[0].DeputyID != ids["王芳/济南市代表团"] {
				t.Fatalf("imported %+v", sg)
			}
			if sg.Deputies[2].DeputyID != ids["张伟/青岛市代表团"] {
				t.Fatalf("seconders %+v", sg.Deputies)
			}
			other, _ := svc.GetByNumber(ctx, "22")
			if other.LeadDeputyID != ids["张伟/济南市代表团"] || other.Deadline.Format(time.DateOnly) != "2026-07-15" {
				t.Fatalf("imported %+v", other)
			}
			steps, _ := db.SuggestionSteps(ctx, sg.ID)
			if len(steps) != 1 || steps[0].Kind != model.StepAssigned {
				t.Fatalf("steps %+v", steps)
			}
		})
		t.Run("a number repeated within the file names the first row", func(t *testing.T) {
			sheet := suggestionSheet(t, [][]any{suggestionHeader,
				{"31", "甲", "", "", "王芳", "", "省教育厅", "", ""},
				{"第0031号", "乙", "", "", "王芳", "", "省教育厅", "", "下个月"},
			})
			rep, err := svc.ImportSuggestions(ctx, sheet, "建议.xlsx")
			if !errors.Is(err, core.ErrImportInvalid) || len(rep.Errors) != 2 ||
				rep.Errors[0].String() != `第3行 建议编号: "第0031号" 与第2行重复` || rep.Errors[1].Field != "办理期限" {
				t.Fatalf("%+v %v", rep.Errors, err)
			}
		})
		t.Run("a sheet without the lead deputy column is refused", func(t *testing.T) {
			sheet := suggestionSheet(t, [][]any{{"建议编号", "标题", "主办单位"}, {"41", "甲", "省教育厅"}})
			if _, err := svc.ImportSuggestions(ctx, sheet, "建议.xlsx"); !errors.Is(err, core.ErrImportFile) || !strings.Contains(err.Error(), "领衔代表") {
				t.Fatalf("err %v", err)
			}
		})
	})
}
