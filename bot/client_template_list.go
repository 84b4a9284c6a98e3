package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"deputybot/model"
)

// templateKeyword finds the keywords of a template's content: {{thing1.DATA}}.
var templateKeyword = regexp.MustCompile(`\{\{\s*([A-Za-z_]+[0-9]*)\.DATA\s*\}\}`)

// Templates lists the templates the account has added, with their titles
// and keywords, for the console's template mapping form.
func (c *Client) Templates(ctx context.Context) ([]model.AccountTemplate, error) {
	raw, err := c.call(ctx, clientRequest{op: "template/get_all_private_template", method: http.MethodGet, idempotent: true})
	if err != nil {
		return nil, err
	}
	var ans struct {
		List []struct {
			TemplateID string `json:"template_id"`
			Title      string `json:"title"`
			Content    string `json:"content"`
		} `json:"template_list"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, &APIError{Class: ClassRetryable, Msg: "unreadable template list", Op: "template/get_all_private_template"}
	}
	out := make([]model.AccountTemplate, len(ans.List))
	for i, t := range ans.List {
		out[i] = model.AccountTemplate{ID: t.TemplateID, Title: t.Title}
		for _, m := range templateKeyword.FindAllStringSubmatch(t.Content, -1) {
			out[i].Keywords = append(out[i].Keywords, m[1])
		}
	}
	return out, nil
}
