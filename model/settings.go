package model

// DeliverySetting replaces the configured quiet hours and send rate.
type DeliverySetting struct {
	QuietHours    string  `json:"quiet_hours"` // "22:00-07:00" or empty for none
	RatePerSecond float64 `json:"rate_per_second"`
}

// TemplateSetting maps a notice kind to a WeChat template: its ID and, per
// keyword (thing1), the notice field it shows (title).
type TemplateSetting struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

// DeputyRating is a rating the deputy gave, with its suggestion.
type DeputyRating struct {
	SuggestionRating
	Number string `db:"number"`
	Title  string `db:"title"`
}

// AccountTemplate is a template the WeChat account has added (公众号后台 ›
// 模板消息 › 我的模板): its ID, title and the keywords its content shows
// (thing1, time2 …), in order.
type AccountTemplate struct {
	ID       string
	Title    string
	Keywords []string
}
