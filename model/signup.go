package model

import "time"

// Sign-up statuses as stored (活动报名).
const (
	SignupConfirmed = "confirmed" // holds a place; the deputy's invitation is answered 参加
	SignupWaiting   = "waiting"   // on the waiting list, in order of signing up
	SignupWithdrawn = "withdrawn" // withdrew (退出报名)
)

// SignupLabel returns a sign-up status's Chinese name.
func SignupLabel(status string) string {
	switch status {
	case SignupConfirmed:
		return "已报名"
	case SignupWaiting:
		return "候补"
	case SignupWithdrawn:
		return "已退出"
	}
	return "未报名"
}

// SignupWindow is a meeting or activity opened for sign-up: its places
// and the deadline until which deputies may sign up or withdraw.
type SignupWindow struct {
	MeetingID int64     `db:"meeting_id"`
	Capacity  int       `db:"capacity"`
	Deadline  time.Time `db:"deadline"`
	OpenedBy  string    `db:"opened_by"`
	OpenedAt  time.Time `db:"opened_at"`
}

// OpenAt reports whether deputies may sign up or withdraw at t: until the
// deadline, inclusive.
func (w SignupWindow) OpenAt(t time.Time) bool { return !t.After(w.Deadline) }

// Signup is one deputy's sign-up for a meeting.
type Signup struct {
	ID        int64     `db:"id"`
	MeetingID int64     `db:"meeting_id"`
	DeputyID  int64     `db:"deputy_id"`
	Status    string    `db:"status"`
	Channel   string    `db:"channel"`
	SignedAt  time.Time `db:"signed_at"`
	ChangedAt time.Time `db:"changed_at"`
}

// Active reports whether the sign-up holds a place or waits for one.
func (s Signup) Active() bool { return s.Status == SignupConfirmed || s.Status == SignupWaiting }

// SignupRow is one line of a meeting's sign-up list, with the deputy's
// name and, for the waiting list, their position (from 1).
type SignupRow struct {
	Signup
	DeputyName string `db:"deputy_name"`
	Delegation string `db:"delegation"`
	Position   int    `db:"-"`
}

// SignupSummary is a meeting's sign-up: the window, and how many hold a
// place and how many wait.
type SignupSummary struct {
	Window             SignupWindow
	Confirmed, Waiting int
}

// Left is how many places are free.
func (s SignupSummary) Left() int { return max(s.Window.Capacity-s.Confirmed, 0) }

// OpenActivity is an activity open for sign-up as a deputy sees it, with
// their own sign-up (Mine.Status empty when they have none) and, when
// they wait, their position on the waiting list.
type OpenActivity struct {
	Meeting  Meeting
	Summary  SignupSummary
	Mine     Signup
	Position int
}

// SignupResult is what signing up or withdrawing did: the sign-up as it
// now stands, its position on the waiting list (0 unless waiting),
// whether it was already so (a second 报名), and, after a withdrawal, the
// deputy who took the freed place (DeputyID 0 when nobody waited).
type SignupResult struct {
	Signup   Signup
	Meeting  Meeting
	Window   SignupWindow
	Position int
	Already  bool
	Promoted Signup
}
