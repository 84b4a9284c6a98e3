package model

import (
	"database/sql"
	"time"
)

// CampaignSummary is a campaign as the console lists it: with its notice's
// kind and title and its deliveries counted by status.
type CampaignSummary struct {
	Campaign
	Kind      string         `db:"kind"`
	Title     string         `db:"title"`
	Urgent    bool           `db:"urgent"`
	CreatedBy string         `db:"created_by"`
	Counts    map[string]int `db:"-"`
	Total     int            `db:"-"` // deliveries written so far
}

// CampaignFilter selects campaigns for ListCampaigns; zero values match all.
type CampaignFilter struct {
	Status        string
	Title         string // part of the notice's title
	Tests         bool   // only test sends; otherwise they are left out
	Limit, Offset int    // Limit 0 means 50
}

// CampaignDelivery is one recipient's delivery of a campaign, with the
// deputy's name and delegation.
type CampaignDelivery struct {
	ID          int64         `db:"id"`
	DeputyID    int64         `db:"deputy_id"`
	DeputyName  string        `db:"deputy_name"`
	Delegation  string        `db:"delegation"`
	Status      string        `db:"status"`
	Reason      string        `db:"reason"`
	ErrCode     int           `db:"errcode"`
	Channel     string        `db:"channel"`
	Attempts    int           `db:"attempts"`
	Reclaims    int           `db:"reclaims"`
	CreatedAt   time.Time     `db:"created_at"`
	SentAt      sql.NullTime  `db:"sent_at"`
	DeliveredAt sql.NullTime  `db:"delivered_at"`
	ReadAt      sql.NullTime  `db:"read_at"`
	MsgID       sql.NullInt64 `db:"msgid"`
	NextAt      time.Time     `db:"next_at"` // when a waiting delivery is next due
	Urgent      bool          `db:"urgent"`  // sent in quiet hours too
	Hold        Hold          `db:"-"`       // why a waiting delivery has not gone yet
}

// Hold says why a delivery waiting to go has not gone, and when it will
// (zero: nothing holds it).
type Hold struct {
	Reason string    // 免打扰时段（22:00-07:00）, 今日发送额度已用完 …
	Until  time.Time // when it is expected to go
}

// CampaignDeliveryFilter selects a campaign's deliveries. Pages go by
// Offset (the console's numbered pages) or by AfterID (an export reading
// every row in batches).
type CampaignDeliveryFilter struct {
	CampaignID    int64
	Status        string
	Limit, Offset int // Limit 0 means 50
	AfterID       int64
	// Counted says the caller has the total already (the campaign's
	// counts by status): the list is not counted again.
	Counted bool
}
