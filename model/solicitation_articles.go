package model

// SolicitationArticle is one article (条) of a draft regulation under
// solicitation.
type SolicitationArticle struct {
	SolicitationID int64  `db:"solicitation_id"`
	Number         int    `db:"article_no"` // 12 for 第十二条
	Heading        string `db:"heading"`    // 第十二条
	Body           string `db:"body"`       // the article's text, without its heading
}
