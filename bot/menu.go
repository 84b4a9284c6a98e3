package bot

import (
	"encoding/json"

	"deputybot/config"
)

// DefaultMenu is the custom menu used when wechat.menu is empty.
func DefaultMenu() []config.MenuButton {
	return []config.MenuButton{
		{Name: "学习材料", Key: KeyMaterials},
		{Name: "会议活动", Key: KeyMeetings},
		{Name: "我的", SubButtons: []config.MenuButton{
			{Name: "我的建议", Key: KeyMySuggestions},
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

// MenuJSON renders buttons (DefaultMenu when empty) as the body of
// /cgi-bin/menu/create.
func MenuJSON(buttons []config.MenuButton) []byte {
	if len(buttons) == 0 {
		buttons = DefaultMenu()
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
