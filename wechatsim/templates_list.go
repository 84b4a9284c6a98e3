package wechatsim

import (
	"net/http"
	"sort"
)

const pathTemplateList = "/cgi-bin/template/get_all_private_template"

func init() { apiRoutes[pathTemplateList] = (*Sim).apiTemplateList }

type privateTemplate struct {
	TemplateID string `json:"template_id"`
	Title      string `json:"title"`
	Content    string `json:"content"`
	Example    string `json:"example"`
}

// apiTemplateList answers get_all_private_template with the templates set
// by SetTemplates (none when any template ID is accepted).
func (s *Sim) apiTemplateList(_ *http.Request, _ []byte) any {
	s.mu.Lock()
	ids := make([]string, 0, len(s.templates))
	for id := range s.templates {
		ids = append(ids, id)
	}
	info := make(map[string]TemplateInfo, len(ids))
	for _, id := range ids {
		info[id] = s.tplInfo[id]
	}
	s.mu.Unlock()
	sort.Strings(ids)
	list := make([]privateTemplate, len(ids))
	for i, id := range ids {
		title := info[id].Title
		if title == "" {
			title = "模拟模板 " + id
		}
		list[i] = privateTemplate{TemplateID: id, Title: title,
			Content: "{{thing1.DATA}}\n{{time2.DATA}}\n{{thing3.DATA}}"}
	}
	return map[string]any{"template_list": list}
}
