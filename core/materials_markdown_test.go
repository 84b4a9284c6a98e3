package core_test

import (
	"strings"
	"testing"

	"deputybot/core"
)

func TestMarkdownIsRenderedAndSanitized(t *testing.T) {
	tests := []struct {
		name, in   string
		want, nope []string
	}{
		{"headings, lists and emphasis render", "# 预算法\n\n- 第一条\n- **第二条**", []string{"<h1", "预算法</h1>", "<li>第一条</li>", "<strong>第二条</strong>"}, nil},
		{"a table renders", "| 条 | 内容 |\n|---|---|\n| 1 | 总则 |", []string{"<table>", "<td>总则</td>"}, nil},
		{"a web link keeps its address", "[全文](https://www.npc.gov.cn/a.html)", []string{`href="https://www.npc.gov.cn/a.html"`, `noreferrer`}, nil},
		{"a script tag is dropped", "正文<script>alert(1)</script>", []string{"正文"}, []string{"<script"}},
		{"a javascript: link loses its address", "[点我](javascript:alert(1))", []string{"点我"}, []string{"javascript:"}},
		{"an event attribute is dropped", `<img src="x.png" onerror="alert(1)">` + "\n\n" + `<a href="https://a.cn" onclick="steal()">链接</a>`, nil, []string{"onerror", "onclick", "steal()"}},
		{"a data: link is dropped", "[看](data:text/html;base64,PHNjcmlwdD4=)", []string{"看"}, []string{"data:text/html"}},
		{"styles are dropped", `<p style="position:fixed">盖住页面</p>`, nil, []string{"position:fixed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := core.RenderMarkdown(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, n := range tt.nope {
				if strings.Contains(got, n) {
					t.Errorf("%q holds %q", got, n)
				}
			}
		})
	}
}

func bytesReader(b []byte) *strings.Reader { return strings.NewReader(string(b)) }
