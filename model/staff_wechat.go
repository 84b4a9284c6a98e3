package model

import "time"

// StaffWeChat is a staff account's own WeChat binding: handling-unit staff
// (and committee staff) bind it with a code the account issues, to be
// told of their suggestions and of the weekly 督办 digest.
type StaffWeChat struct {
	StaffID int64
	OpenID  string     // "" when not bound
	BoundAt *time.Time // when it was bound
}

// Bound reports whether the account has a WeChat bound.
func (w StaffWeChat) Bound() bool { return w.OpenID != "" }

// BoundStaff is an enabled staff account with its bound WeChat.
type BoundStaff struct {
	Account
	OpenID string
}

// The notices a handling unit's bound staff receive about a suggestion
// (the kind of a unit notice).
const (
	UnitNoticeAssigned   = "assigned"   // 交办
	UnitNoticeRehandling = "rehandling" // 重新办理
	UnitNoticeDueSoon    = "due_soon"   // 办理期限临近
	UnitNoticeOverdue    = "overdue"    // 已超过办理期限
)
