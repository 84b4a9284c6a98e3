package model

import (
	"database/sql"
	"time"
)

// Delivery is one recipient's copy of a push.
type Delivery struct {
	ID            int64         `db:"id"`
	Source        string        `db:"source"`
	CampaignID    sql.NullInt64 `db:"campaign_id"`
	NoticeID      int64         `db:"notice_id"`
	DeputyID      int64         `db:"deputy_id"`
	OpenID        string        `db:"openid"`
	Status        string        `db:"status"`
	Urgent        bool          `db:"urgent"`
	Reason        string        `db:"reason"`
	ErrCode       int           `db:"errcode"`
	Channel       string        `db:"channel"`
	ChannelReason string        `db:"channel_reason"`
	ClientMsgID   string        `db:"client_msg_id"`
	MsgID         sql.NullInt64 `db:"msgid"`
	Attempts      int           `db:"attempts"`   // WeChat's answers so far (sends whose outcome was recorded)
	Reclaims      int           `db:"reclaims"`   // times taken back from a dispatcher that died mid-send
	ClaimedBy     string        `db:"claimed_by"` // the dispatcher sending it (see storage.BeatDispatcher)
	NextAt        time.Time     `db:"next_at"`
	FirstTryAt    sql.NullTime  `db:"first_try_at"`
	CreatedAt     time.Time     `db:"created_at"`
	SentAt        sql.NullTime  `db:"sent_at"`
	DeliveredAt   sql.NullTime  `db:"delivered_at"`
	ReadAt        sql.NullTime  `db:"read_at"`
	// Reclaimed is set by ClaimDue when the row was sending under a lease
	// that ran out: its dispatcher died and may have sent it already.
	Reclaimed bool `db:"-"`
}

// Interrupted reports whether an earlier claim of d was cut off (its
// dispatcher died, so the send may have reached WeChat unanswered),
// this claim included.
func (d Delivery) Interrupted() bool {
	return d.Reclaimed || d.Reclaims > 0
}

// Outcome is what happened to one claimed delivery.
type Outcome struct {
	ID            int64
	Status        string // DeliverySent, DeliveryRetry or DeliveryFailed
	MsgID         int64
	ErrCode       int
	Reason        string
	Channel       string
	ChannelReason string
	ClientMsgID   string
	NextAt        time.Time // for DeliveryRetry
	Template      bool      // counts against the daily template quota
	// Attempted says a send went to WeChat: its answer (or its silence, a
	// timeout) counts as an attempt towards the backoff and the limit. A
	// delivery handed back unsent (shutdown, a failed read) has none.
	Attempted bool
}

// TemplateStatus is one TEMPLATESENDJOBFINISH report: the msgid of a
// template send and what WeChat says became of it.
type TemplateStatus struct {
	MsgID  int64
	OpenID string
	Status string // "success", "failed:user block", "failed: system failed"
}

// DeliveryFilter selects deliveries for lists.
type DeliveryFilter struct {
	CampaignID int64
	DeputyID   int64
	Status     string
	Limit      int
	AfterID    int64
}
