package model

import "time"

// Opinion categories as stored.
const (
	OpinionLegislative  = "legislative"  // 立法建议
	OpinionSupervision  = "supervision"  // 监督建议
	OpinionSocial       = "social"       // 社情民意
	OpinionOther        = "other"        // 其他
	OpinionSolicitation = "solicitation" // 法规草案意见: on a solicitation
)

// Opinion statuses as stored.
const (
	OpinionReceived = "received" // 已收到
	OpinionAnswered = "answered" // 已答复
	OpinionClosed   = "closed"   // 已办结
)

// The channels an opinion can arrive through.
const (
	OpinionViaWeChat  = "wechat"
	OpinionViaConsole = "console"
	OpinionViaAPI     = "api"
)

// Solicitation is a draft regulation put out for deputies' opinions.
type Solicitation struct {
	ID        int64
	Title     string // e.g. 《XX省数据条例（草案）》征求意见
	Summary   string
	Link      string // URL of the draft
	Articles  int    // number of articles, 0 if unknown
	OpensAt   time.Time
	ClosesAt  time.Time
	CreatedAt time.Time
	Opinions  int // read only: opinions received on it
	Texts     int // read only: articles whose text is stored (SolicitationArticles)
	// Draft is the draft's articles, written with it by CreateSolicitation
	// (read back with SolicitationArticles).
	Draft []SolicitationArticle
}

// OpenAt reports whether the solicitation accepts opinions at t.
func (s Solicitation) OpenAt(t time.Time) bool {
	return !t.Before(s.OpensAt) && t.Before(s.ClosesAt)
}

// Opinion is one opinion (意见建议) a deputy sent.
type Opinion struct {
	ID                int64
	Receipt           string // YJ2026-00123, assigned by CreateOpinion
	DeputyID          int64
	DeputyName        string // read only
	DeputyDelegation  string // read only
	Category          string // OpinionLegislative …
	SolicitationID    int64  // 0 unless Category is OpinionSolicitation
	SolicitationTitle string // read only
	Article           string // e.g. 第十二条, or ""
	Body              string
	Status            string // OpinionReceived, OpinionAnswered or OpinionClosed
	StaffReply        string
	RepliedAt         *time.Time
	Channel           string // OpinionViaWeChat, OpinionViaConsole or OpinionViaAPI
	CreatedAt         time.Time
	Files             []File // read only: photos and voice audio sent with it (GetAs)
}

// OpinionFilter selects opinions for ListOpinions. Zero values match all.
type OpinionFilter struct {
	DeputyID       int64
	SolicitationID int64
	Category       string
	Status         string
	DeputyName     string // part of the author's name
	AssigneeID     int64  // only the opinions assigned to this staff account
	Limit, Offset  int    // Limit 0 means all
}

// Object names the opinion in the audit log.
func (o Opinion) Object() string { return "opinion/" + o.Receipt }
