package bot

import (
	"encoding/json"
	"strings"

	"deputybot/config"
)

// SuggestPage is the H5 form to write a suggestion (提建议).
const SuggestPage = "/h5/suggest"

// MaterialsPage is the H5 list of study materials (with its search box),
// under the service's public address.
const MaterialsPage = "/h5/m/materials"

// DefaultMenu is the custom menu used when wechat.menu is empty. With the
// service's public address pagesURL, 学习材料 opens the H5 list of study
// materials and 提建议 its form (VIEW buttons; the page signs the deputy in
// through WeChat's OAuth); without one they are CLICK buttons the chat
// answers.
func DefaultMenu(pagesURL string) []config.MenuButton {
	study := config.MenuButton{Name: "学习材料", Key: KeyMaterials}
	suggest := config.MenuButton{Name: "提建议", Key: KeySuggest}
	if pagesURL != "" {
		study = config.MenuButton{Name: "学习材料", URL: strings.TrimRight(pagesURL, "/") + MaterialsPage}
		suggest = config.MenuButton{Name: "提建议", URL: strings.TrimRight(pagesURL, "/") + SuggestPage}
	}
	return []config.MenuButton{
		study,
		{Name: "会议活动", Key: KeyMeetings},
		{Name: "我的", SubButtons: []config.MenuButton{
			{Name: "我的建议", Key: KeyMySuggestions},
			suggest,
			{Name: "意见反馈", Key: KeyFeedback},
			{Name: "绑定/帮助", Key: KeyBindHelp},
		}},
	}
}

type wxButton struct {
	Type      string     `json:"type,omitempty"`
	Name      string     `json:"name"`
	Key       string     `json:"key,omitempty"`
	URL       string     `json:"url,omitempty"`
	SubButton []wxButton `json:"sub_button,omitempty"`
}

func toWX(b config.MenuButton) wxButton {
	w := wxButton{Name: b.Name}
	switch {
	case len(b.SubButtons) > 0:
		for _, s := range b.SubButtons {
			w.SubButton = append(w.SubButton, toWX(s))
		}
	case b.URL != "":
		w.Type, w.URL = "view", b.URL
	default:
		w.Type, w.Key = "click", b.Key
	}
	return w
}

// MenuJSON renders buttons (DefaultMenu(pagesURL) when empty) as the body
// of /cgi-bin/menu/create.
func MenuJSON(buttons []config.MenuButton, pagesURL string) []byte {
	if len(buttons) == 0 {
		buttons = DefaultMenu(pagesURL)
	}
	body := struct {
		Button []wxButton `json:"button"`
	}{}
	for _, b := range buttons {
		body.Button = append(body.Button, toWX(b))
	}
	out, _ := json.MarshalIndent(body, "", "  ")
	return out
}
