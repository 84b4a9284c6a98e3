package core

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Import kinds with a template sheet.
const (
	TemplateDeputies    = "deputies"
	TemplateSuggestions = "suggestions"
	TemplateStations    = "stations"
)

// importTemplates are the header row each importer reads and one example
// row, as staff fill it in.
var importTemplates = map[string]struct {
	name    string
	header  []string
	example []string
	widths  float64
}{
	TemplateDeputies: {"代表名册导入模板.xlsx",
		[]string{"姓名", "性别", "民族", "出生日期", "代表团", "代表层级", "是否基层代表", "职业", "专业小组", "手机号", "标签"},
		[]string{"张三", "男", "汉族", "1970-01-02", "济南市代表团", "省人大代表", "是", "历城区某村党支部书记", "农业与农村", "13800000000", "乡村振兴、教育"}, 16},
	TemplateSuggestions: {"建议导入模板.xlsx", suggestionColumns,
		[]string{"第0001号", "关于加强农村公路养护的建议", "建议加大农村公路养护投入", "十四届人大三次会议", "张三", "李四、王五", "省交通运输厅", "省财政厅", "2026-06-30"}, 18},
	TemplateStations: {"联络站导入模板.xlsx",
		[]string{"名称", "地址", "地图链接", "代表团", "联系代表", "联系人", "联系电话"},
		[]string{"历下区代表联络站", "济南市历下区泺源大街 1 号", "", "济南市代表团", "张三、李四", "王五", "0531-12345678"}, 18},
}

// ImportTemplate is the sheet to fill in for an import of kind
// (TemplateDeputies, TemplateSuggestions or TemplateStations): the header
// row the importer reads and one example row to overwrite.
func ImportTemplate(kind string) (ExportFile, error) {
	t, ok := importTemplates[kind]
	if !ok {
		return ExportFile{}, NotFound("没有这种导入模板。")
	}
	cols := make([]sheetColumn, len(t.header))
	for i, h := range t.header {
		cols[i] = sheetColumn{name: h, width: t.widths}
	}
	sh, err := newSheetWriter(strings.TrimSuffix(strings.TrimSuffix(t.name, ".xlsx"), "导入模板"), cols)
	if err != nil {
		return ExportFile{}, fmt.Errorf("core: import template: %w", err)
	}
	if err := sh.add(excelize.RowOpts{}, t.example...); err != nil {
		return ExportFile{}, fmt.Errorf("core: import template: %w", err)
	}
	data, err := sh.bytes()
	if err != nil {
		return ExportFile{}, fmt.Errorf("core: import template: %w", err)
	}
	return ExportFile{Name: t.name, Data: data}, nil
}
