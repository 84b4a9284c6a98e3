package model

import (
	"database/sql"
	"slices"
	"time"
)

// Delivery statuses.
const (
	DeliveryQueued    = "queued"    // waiting to be sent
	DeliverySending   = "sending"   // claimed by a dispatcher until its lease ends
	DeliveryRetry     = "retry"     // failed for now; due again at next_at
	DeliveryHeld      = "held"      // its campaign is paused
	DeliverySent      = "sent"      // WeChat accepted it
	DeliveryDelivered = "delivered" // WeChat reported it delivered
	DeliveryRead      = "read"      // the deputy opened its page
	DeliveryFailed    = "failed"    // will not be sent; reason says why
	DeliverySkipped   = "skipped"   // never sent: unbound, unfollowed, terminated
	DeliveryCancelled = "cancelled" // its campaign was cancelled first
)

// Campaign statuses.
const (
	CampaignScheduled = "scheduled"
	CampaignSending   = "sending"
	CampaignPaused    = "paused"
	CampaignCancelled = "cancelled"
	CampaignDone      = "done"
)

// Notice is what a push carries: a title, the full text for its detail
// page, the values for its template message fields.
type Notice struct {
	ID        int64
	Kind      string
	Title     string
	Body      string
	Fields    map[string]string // named values the template mapping picks from
	Link      string            // an external link, instead of the detail page
	Urgent    bool              // ignores quiet hours
	RefKind   string            // meeting, suggestion, survey, solicitation, material, opinion
	RefID     int64
	CreatedBy string
	CreatedAt time.Time
}

// TestTitlePrefix starts the title of a test send: the one who receives
// it knows, and lists and daily counts leave test sends out.
const TestTitlePrefix = "【测试】"

// Audience says who a campaign reaches. Empty lists match everyone; the
// lists are combined with AND.
type Audience struct {
	All            bool     `json:"all,omitempty"`
	Delegations    []string `json:"delegations,omitempty"`
	Levels         []string `json:"levels,omitempty"`
	GrassrootsOnly bool     `json:"grassroots_only,omitempty"`
	Groups         []string `json:"groups,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	DeputyIDs      []int64  `json:"deputy_ids,omitempty"`
	MeetingID      int64    `json:"meeting_id,omitempty"`    // everyone invited to the meeting
	SuggestionID   int64    `json:"suggestion_id,omitempty"` // the suggestion's deputies
}

// Campaign sends one notice to an audience.
type Campaign struct {
	ID         int64        `db:"id"`
	NoticeID   int64        `db:"notice_id"`
	Audience   Audience     `db:"-"`
	AudienceJS string       `db:"audience"`
	Status     string       `db:"status"`
	SendAt     time.Time    `db:"send_at"`
	Reason     string       `db:"reason"`
	CreatedAt  time.Time    `db:"created_at"`
	ExpandedAt sql.NullTime `db:"expanded_at"`
	FinishedAt sql.NullTime `db:"finished_at"`
}

// Announcement is a campaign created with the thing it announces (a survey,
// a solicitation), in the same transaction; its notice's RefID is set to
// the new thing's id.
type Announcement struct {
	Notice   Notice
	Audience Audience
	SendAt   time.Time
}

// Notice kinds.
const (
	KindMaterial      = "study_material"
	KindInvitation    = "meeting_invitation"
	KindProgress      = "suggestion_progress"
	KindRatingRequest = "rating_request"
	KindSurvey        = "survey"
	KindSolicitation  = "solicitation"
	KindGeneral       = "general_notice"
	KindReminder      = "reminder"
	KindMessageReply  = "message_reply" // staff's answer to a message (留言) a follower left
	// KindUnitTask tells a handling unit's bound staff of a suggestion
	// assigned, sent back, near or past its deadline, and of the weekly
	// 督办 digest.
	KindUnitTask = "unit_task"
	KindCosign   = "cosign_request" // a deputy is asked to co-sign (附议) another's suggestion
)

// KindLabels names the notice kinds in Chinese.
var KindLabels = map[string]string{
	KindMaterial: "学习材料", KindInvitation: "会议活动邀请", KindProgress: "建议办理进展", KindRatingRequest: "满意度测评",
	KindSurvey: "问卷调查", KindSolicitation: "法规草案征求意见", KindGeneral: "通知公告", KindReminder: "提醒",
	KindMessageReply: "留言答复", KindUnitTask: "承办通知", KindCosign: "附议邀请",
}

// NoticeKinds lists the notice kinds in the order staff meet them: the
// ones a campaign is sent as first, then the rest by name.
func NoticeKinds() []string {
	out := []string{KindGeneral, KindMaterial, KindInvitation, KindSurvey, KindSolicitation, KindReminder}
	var rest []string
	for k := range KindLabels {
		if !slices.Contains(out, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

var deliveryLabels = map[string]string{
	DeliveryQueued: "排队中", DeliverySending: "发送中", DeliveryRetry: "待重试",
	DeliveryHeld: "已暂停", DeliverySent: "已发送", DeliveryDelivered: "已送达",
	DeliveryRead: "已阅读", DeliveryFailed: "失败", DeliverySkipped: "未发送",
	DeliveryCancelled: "已取消",
}

// DeliveryLabel returns a delivery status's Chinese name ("" for an
// unknown one).
func DeliveryLabel(status string) string { return deliveryLabels[status] }

var campaignLabels = map[string]string{
	CampaignScheduled: "待发送", CampaignSending: "发送中", CampaignPaused: "已暂停",
	CampaignCancelled: "已取消", CampaignDone: "已完成",
}

// CampaignLabel returns a campaign status's Chinese name, the one the
// console, the API, the command line and the exports all show (the
// status itself for an unknown one). A paused campaign and its held
// deliveries both read 已暂停.
func CampaignLabel(status string) string {
	if l, ok := campaignLabels[status]; ok {
		return l
	}
	return status
}

// CampaignStates lists the campaign statuses in the order lists and
// filters show them.
var CampaignStates = []string{CampaignScheduled, CampaignSending, CampaignPaused, CampaignDone, CampaignCancelled}

// DeliveryStates lists the delivery statuses in the order lists and
// dashboards show them.
var DeliveryStates = []string{DeliveryQueued, DeliverySending, DeliveryRetry,
	DeliveryHeld, DeliverySent, DeliveryDelivered, DeliveryRead,
	DeliveryFailed, DeliverySkipped, DeliveryCancelled}
