package bot

import (
	"context"
	"encoding/json"
	"net/http"
)

// TemplateIDs lists the template IDs the account has added (公众号后台 ›
// 模板消息 › 我的模板), so a mapping can be checked before it is used.
func (c *Client) TemplateIDs(ctx context.Context) ([]string, error) {
	raw, err := c.call(ctx, clientRequest{op: "template/get_all_private_template", method: http.MethodGet, idempotent: true})
	if err != nil {
		return nil, err
	}
	var ans struct {
		List []struct {
			TemplateID string `json:"template_id"`
		} `json:"template_list"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, &APIError{Class: ClassRetryable, Msg: "unreadable template list", Op: "template/get_all_private_template"}
	}
	ids := make([]string, len(ans.List))
	for i, t := range ans.List {
		ids[i] = t.TemplateID
	}
	return ids, nil
}
