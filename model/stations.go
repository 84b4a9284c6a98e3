package model

import (
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Station is a liaison station (代表联络站 / 代表之家): where deputies
// receive the public.
type Station struct {
	ID           int64     `db:"id"`
	Name         string    `db:"name"`
	Address      string    `db:"address"`
	MapURL       string    `db:"map_url"`
	Delegation   string    `db:"delegation"`
	ContactName  string    `db:"contact_name"`
	ContactPhone string    `db:"contact_phone"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
	DeputyCount  int       `db:"deputy_count"`
}

// Object names the station in the audit log.
func (s Station) Object() string { return fmt.Sprintf("station/%d", s.ID) }

// StationDeputy is a deputy attached to a station.
type StationDeputy struct {
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	Delegation string `db:"delegation"`
	Status     string `db:"status"`
	Bound      bool   `db:"bound"`
}

// Public opinion categories, as stored, in the order the page offers them.
var PublicOpinionCategories = []string{"urban", "traffic", "education", "health", "welfare", "environment", "rural", "law", "other"}

var publicOpinionCategoryLabels = map[string]string{
	"urban": "城乡建设", "traffic": "交通出行", "education": "教育", "health": "医疗卫生", "welfare": "社会保障",
	"environment": "生态环境", "rural": "农业农村", "law": "法治建设", "other": "其他",
}

// IsPublicOpinionCategory reports whether c is one of the categories.
func IsPublicOpinionCategory(c string) bool { return slices.Contains(PublicOpinionCategories, c) }

// PublicOpinionCategoryLabel is a category's Chinese name.
func PublicOpinionCategoryLabel(c string) string {
	if l, ok := publicOpinionCategoryLabels[c]; ok {
		return l
	}
	return c
}

// Public opinion statuses as stored.
const (
	PublicOpinionNew      = "new"      // 待处理
	PublicOpinionDeputies = "deputies" // 已转交联络站代表
	PublicOpinionUnit     = "unit"     // 已转交办理单位
	PublicOpinionReplied  = "replied"  // 代表已答复
	PublicOpinionClosed   = "closed"   // 已办结
)

// PublicOpinionStatuses lists the statuses in the order filters offer them.
var PublicOpinionStatuses = []string{PublicOpinionNew, PublicOpinionDeputies, PublicOpinionUnit, PublicOpinionReplied, PublicOpinionClosed}

// PublicOpinionStatusLabel is a status's Chinese name.
func PublicOpinionStatusLabel(s string) string {
	switch s {
	case PublicOpinionNew:
		return "待处理"
	case PublicOpinionDeputies:
		return "已转交代表"
	case PublicOpinionUnit:
		return "已转交办理单位"
	case PublicOpinionReplied:
		return "代表已答复"
	case PublicOpinionClosed:
		return "已办结"
	}
	return s
}

// PublicOpinion is an opinion a member of the public (群众意见) left at a
// station's page, with its receipt number (QY2026-00012).
type PublicOpinion struct {
	ID          int64        `db:"id"`
	Receipt     string       `db:"receipt"`
	StationID   int64        `db:"station_id"`
	StationName string       `db:"station_name"`
	OpenID      string       `db:"openid"`
	Category    string       `db:"category"`
	Body        string       `db:"body"`
	Name        string       `db:"name"`
	Phone       string       `db:"phone"`
	Anonymous   bool         `db:"anonymous"`
	Status      string       `db:"status"`
	Unit        string       `db:"unit"`
	CloseReason string       `db:"close_reason"`
	RoutedBy    string       `db:"routed_by"`
	CreatedAt   time.Time    `db:"created_at"`
	RoutedAt    sql.NullTime `db:"routed_at"`
	HandledAt   sql.NullTime `db:"handled_at"`
}

// Object names the opinion in the audit log.
func (o PublicOpinion) Object() string { return fmt.Sprintf("public_opinion/%d", o.ID) }

// StatusLabel is the status in Chinese.
func (o PublicOpinion) StatusLabel() string { return PublicOpinionStatusLabel(o.Status) }

// CategoryLabel is the category in Chinese.
func (o PublicOpinion) CategoryLabel() string { return PublicOpinionCategoryLabel(o.Category) }

// SenderName is who left it, as staff see it: the name given, or 匿名.
func (o PublicOpinion) SenderName() string {
	if o.Anonymous || o.Name == "" {
		return "匿名"
	}
	return o.Name
}

// PublicOpinionReply is an answer to a public opinion: a deputy's.
type PublicOpinionReply struct {
	ID        int64         `db:"id"`
	OpinionID int64         `db:"opinion_id"`
	DeputyID  sql.NullInt64 `db:"deputy_id"`
	Author    string        `db:"author"`
	Body      string        `db:"body"`
	CreatedAt time.Time     `db:"created_at"`
}

// PublicOpinionThread is an opinion with the deputies it went to and the
// replies.
type PublicOpinionThread struct {
	Opinion  PublicOpinion
	Deputies []StationDeputy
	Replies  []PublicOpinionReply
}

// PublicOpinionFilter selects public opinions, newest first.
type PublicOpinionFilter struct {
	StationID     int64
	Status        string
	DeputyID      int64 // routed to this deputy
	Limit, Offset int   // Limit 0 means 50
}

// StationMonthCount is how many public opinions a station received in a
// month, and how many of them are handled (replied, sent to a unit or
// closed).
type StationMonthCount struct {
	StationID   int64  `db:"station_id"`
	StationName string `db:"station_name"`
	Month       string `db:"month"` // 2026-03
	Received    int    `db:"received"`
	Handled     int    `db:"handled"`
}
