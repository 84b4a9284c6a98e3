package handlers

import (
	"context"
	"slices"
	"sort"
	"sync/atomic"

	"deputybot/core"
	"deputybot/model"
)

// TemplateLister lists the template IDs the WeChat account has added.
type TemplateLister func(ctx context.Context) ([]string, error)

var templateLister atomic.Pointer[TemplateLister]

// SetTemplateLister lets the settings page check template IDs against the
// account's own list; without it IDs are checked for form only.
func SetTemplateLister(l TemplateLister) { templateLister.Store(&l) }

// checkTemplateIDs names each mapped template the account does not have.
// When WeChat cannot be asked, it says so in note and checks nothing.
func checkTemplateIDs(ctx context.Context, m map[string]model.TemplateSetting) (errs core.ValidationError, note string) {
	l := templateLister.Load()
	if l == nil || *l == nil || len(m) == 0 {
		return nil, ""
	}
	ids, err := (*l)(ctx)
	if err != nil {
		return nil, "未能从微信获取模板列表，模板 ID 未与公众号核对。"
	}
	kinds := make([]string, 0, len(m))
	for kind := range m {
		kinds = append(kinds, kind)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		if id := m[kind].ID; id != "" && !slices.Contains(ids, id) {
			errs = append(errs, &core.FieldError{Label: kind + ".id", Value: id, Msg: "公众号的模板列表中没有这个模板 ID，请先在公众号后台“模板消息 › 我的模板”中添加"})
		}
	}
	return errs, ""
}
