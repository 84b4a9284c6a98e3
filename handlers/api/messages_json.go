package api

import (
	"net/url"
	"strconv"
	"time"

	"deputybot/core"
	"deputybot/model"
)

// message is a message (留言) as the API shows it.
type message struct {
	ID           int64      `json:"id"`
	Receipt      string     `json:"receipt"`
	Sender       string     `json:"sender"` // deputy or public
	DeputyID     int64      `json:"deputy_id,omitempty"`
	DeputyName   string     `json:"deputy_name,omitempty"`
	Delegation   string     `json:"delegation,omitempty"`
	Kind         string     `json:"kind"`
	Text         string     `json:"text"`
	Status       string     `json:"status"`
	StatusLabel  string     `json:"status_label"`
	AssigneeID   int64      `json:"assignee_id,omitempty"`
	AssigneeName string     `json:"assignee_name,omitempty"`
	AssignedBy   string     `json:"assigned_by,omitempty"`
	AssignedAt   *time.Time `json:"assigned_at,omitempty"`
	CloseNote    string     `json:"close_note,omitempty"`
	Replies      int        `json:"replies"`
	CreatedAt    time.Time  `json:"created_at"`
	RepliedAt    *time.Time `json:"replied_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

func messageOf(m model.Message) message {
	return message{ID: m.ID, Receipt: m.Receipt, Sender: m.Sender(), DeputyID: m.DeputyID, DeputyName: m.DeputyName,
		Delegation: m.DeputyDelegation, Kind: m.Kind, Text: m.Body, Status: m.Status, StatusLabel: m.StatusLabel(),
		AssigneeID: m.AssigneeID, AssigneeName: m.AssigneeName, AssignedBy: m.AssignedBy, AssignedAt: m.AssignedAt,
		CloseNote: m.CloseNote, Replies: m.Replies, CreatedAt: m.CreatedAt, RepliedAt: m.RepliedAt, ClosedAt: m.ClosedAt}
}

// messageReply is a staff reply, and how its push went.
type messageReply struct {
	ID        int64     `json:"id"`
	Text      string    `json:"text"`
	StaffName string    `json:"staff_name"`
	CreatedAt time.Time `json:"created_at"`
	Delivery  struct {
		Status string `json:"status"`
		Label  string `json:"label"`
		// Channel is template or custom (a customer-service message).
		Channel string `json:"channel,omitempty"`
		Reason  string `json:"reason,omitempty"`
	} `json:"delivery"`
}

func messageReplyOf(r model.MessageReply) messageReply {
	out := messageReply{ID: r.ID, Text: r.Body, StaffName: r.StaffName, CreatedAt: r.CreatedAt}
	out.Delivery.Status, out.Delivery.Label = r.DeliveryStatus, model.DeliveryLabel(r.DeliveryStatus)
	out.Delivery.Channel, out.Delivery.Reason = r.DeliveryChannel, r.DeliveryReason
	return out
}

// messageFilterOf reads the inbox's filters from a query: status, sender
// (deputy or public), assignee (an account id, or me) and deputy_id.
func messageFilterOf(q url.Values, by core.Actor) (model.MessageFilter, error) {
	f := model.MessageFilter{Status: q.Get("status"), Sender: q.Get("sender")}
	switch v := q.Get("assignee"); v {
	case "":
	case "me":
		f.AssigneeID = by.Account.ID
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, badRequest("assignee 应为账号 id 或 me")
		}
		f.AssigneeID = id
	}
	if v := q.Get("deputy_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, badRequest("deputy_id 应为代表 id")
		}
		f.DeputyID = id
	}
	return f, nil
}
