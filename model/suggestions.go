package model

import (
	"database/sql"
	"time"
)

// Suggestion statuses as stored.
const (
	SuggestionAssigned   = "assigned"   // 已交办
	SuggestionHandling   = "handling"   // 办理中
	SuggestionReplied    = "replied"    // 已答复
	SuggestionConcluded  = "concluded"  // 已办结
	SuggestionRehandling = "rehandling" // 重新办理

	// The statuses of a suggestion a deputy writes, before it is handled:
	// their own draft, waiting for staff review, returned to them with a
	// reason, or merged into another suggestion. Accepted, it becomes
	// assigned and runs the handling lifecycle above.
	SuggestionDraft     = "draft"     // 草稿
	SuggestionSubmitted = "submitted" // 待审查
	SuggestionReturned  = "returned"  // 已退回
	SuggestionMerged    = "merged"    // 已并案
)

// Where a suggestion came from.
const (
	SourceStaff  = "staff"  // imported or entered by staff
	SourceDeputy = "deputy" // drafted and submitted by the deputy
)

// BeforeHandling reports whether a suggestion in status is still the
// deputy's or under review: not yet assigned, so it counts in no rate,
// list of handling or performance record.
func BeforeHandling(status string) bool {
	switch status {
	case SuggestionDraft, SuggestionSubmitted, SuggestionReturned, SuggestionMerged:
		return true
	}
	return false
}

// Editable reports whether the deputy may still change and submit a
// suggestion in status: a draft, or one returned to them.
func Editable(status string) bool { return status == SuggestionDraft || status == SuggestionReturned }

// A co-signer's (附议代表) answer, as stored.
const (
	CosignPending   = "pending"   // named in a draft, not asked yet
	CosignInvited   = "invited"   // asked, no answer yet
	CosignConfirmed = "confirmed" // 同意附议
	CosignDeclined  = "declined"  // 不同意附议
)

var cosignLabels = map[string]string{CosignPending: "未提交", CosignInvited: "待确认",
	CosignConfirmed: "已同意", CosignDeclined: "已谢绝"}

// CosignLabel names a co-signer's answer in Chinese.
func CosignLabel(state string) string {
	if l, ok := cosignLabels[state]; ok {
		return l
	}
	return state
}

// Cosigner is a deputy asked to co-sign (附议) a suggestion and their answer.
type Cosigner struct {
	DeputyID   int64      `db:"deputy_id"`
	Name       string     `db:"name"`
	State      string     `db:"state"`
	AnsweredAt *time.Time `db:"answered_at"`
}

// SuggestionCategories are the subjects a deputy files a suggestion under.
var SuggestionCategories = []string{"经济发展", "城乡建设", "交通运输", "教育科技", "医疗卫生",
	"社会保障", "生态环境", "农业农村", "民主法治", "其他"}

// Handling-step kinds as stored.
const (
	StepAssigned   = "assigned"
	StepContacted  = "contacted"
	StepReplied    = "replied"
	StepConcluded  = "concluded"
	StepRehandling = "rehandling"
	StepNote       = "note"
	// The review of a deputy's suggestion, kept in the same history.
	StepSubmitted = "submitted" // 提交
	StepReturned  = "returned"  // 退回（note: the reason）
	StepMerged    = "merged"    // 并案（note: into which）
)

// A deputy's role on a suggestion.
const (
	RoleLead   = "lead"   // 领衔
	RoleSecond = "second" // 附议
)

// How the handling unit got in touch with the deputy, as stored.
const (
	ContactFace    = "face"    // 当面沟通
	ContactPhone   = "phone"   // 电话沟通
	ContactWritten = "written" // 书面沟通
	ContactNone    = "none"    // 未联系
)

// A rating of the unit's attitude or of the result, as stored.
const (
	RatingSatisfied    = "satisfied"    // 满意
	RatingBasic        = "basic"        // 基本满意
	RatingDissatisfied = "dissatisfied" // 不满意
)

// Suggestion is one deputy suggestion (代表建议) and its handling state.
type Suggestion struct {
	ID             int64
	Number         string // e.g. 第0123号, unique
	Title          string
	Summary        string
	Session        string // e.g. 十四届人大三次会议
	LeadDeputyID   int64
	HostUnit       string // 主办单位
	CoUnits        string // 协办单位, separated by 、
	Status         string // one of the Suggestion… statuses
	Deadline       *time.Time
	ReplyCategory  string // A, B, C, D, or empty before the reply
	ReplyText      string
	RepliedAt      *time.Time // the latest reply
	ConcludedAt    *time.Time // cleared when sent back for re-handling
	RehandleReason string     // why it was last sent back
	Source         string     // SourceStaff or SourceDeputy
	Category       string     // one of SuggestionCategories (deputies' suggestions)
	ReviewNote     string     // why staff returned it (status returned)
	MergedInto     int64      // the suggestion it was merged into (status merged)
	SubmittedAt    *time.Time // the latest submission for review
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Deputies lists the lead first, then the seconders; filled by
	// GetSuggestion and GetSuggestionByNumber only.
	Deputies []SuggestionDeputy
}

// RateableStatus reports whether a suggestion in status can be rated
// (办理满意度测评) by its deputies: the handling unit has replied, whether
// the suggestion has since been concluded or sent back for re-handling.
// It is the one rule the chat, the H5 pages and core share.
func RateableStatus(status string) bool {
	switch status {
	case SuggestionReplied, SuggestionConcluded, SuggestionRehandling:
		return true
	}
	return false
}

// CanRate reports whether the suggestion can be rated by its deputies.
func (s Suggestion) CanRate() bool { return RateableStatus(s.Status) }

// SuggestionDeputy is a deputy on a suggestion and their role.
type SuggestionDeputy struct {
	DeputyID int64  `db:"deputy_id"`
	Name     string `db:"name"`
	Role     string `db:"role"` // RoleLead or RoleSecond
}

// SuggestionFilter selects suggestions for ListSuggestions. Zero values match all.
type SuggestionFilter struct {
	// Status "" matches the suggestions being handled (assigned and
	// after), never a deputy's draft or one under review: those are asked
	// for by their status.
	Status        string
	Source        string // SourceStaff or SourceDeputy
	HostUnit      string
	DeputyID      int64 // on the suggestion in any role
	Session       string
	Number        string // part of the number (第0123号 matches 123)
	DeputyName    string // part of the name of a deputy on the suggestion, lead or seconder
	Limit, Offset int    // Limit 0 means all
}

// DeputySuggestion is one line of a deputy's 我的建议 list.
type DeputySuggestion struct {
	ID       int64  `db:"id"`
	Number   string `db:"number"`
	Title    string `db:"title"`
	HostUnit string `db:"host_unit"`
	Status   string `db:"status"`
	Role     string `db:"role"` // this deputy's role
	// Deadline is the handling deadline (办理期限), if set.
	Deadline sql.NullTime `db:"deadline"`
	// Rated is true when this deputy has rated the current reply: a rating
	// made before the latest reply (the suggestion was re-handled and
	// answered again since) does not count, so the list shows it as
	// awaiting a rating.
	Rated bool `db:"rated"`
}

// CanRate reports whether the suggestion can be rated by its deputies.
func (s DeputySuggestion) CanRate() bool { return RateableStatus(s.Status) }

// SuggestionStep is one entry of a suggestion's handling history.
type SuggestionStep struct {
	ID           int64     `db:"id"`
	SuggestionID int64     `db:"suggestion_id"`
	At           time.Time `db:"at"`
	Kind         string    `db:"kind"`  // one of the Step… kinds
	Actor        string    `db:"actor"` // the staff member or unit, free text
	// Note is free text; for a replied step it is the reply text, for a
	// rehandling step the reason.
	Note string `db:"note"`
	// ReplyCategory (A–D) goes with a replied step. It is stored on the
	// suggestion only: the step keeps the reply text, so an earlier reply
	// survives in the history after re-handling.
	ReplyCategory string `db:"-"`
}

// SuggestionRating is one deputy's satisfaction rating (办理满意度测评) of
// the handling of one suggestion.
type SuggestionRating struct {
	ID           int64      `db:"id"`
	SuggestionID int64      `db:"suggestion_id"`
	DeputyID     int64      `db:"deputy_id"`
	Contact      string     `db:"contact"`  // one of the Contact… values
	Attitude     string     `db:"attitude"` // one of the Rating… values
	Result       string     `db:"result"`   // one of the Rating… values
	Reason       string     `db:"reason"`
	RatedAt      time.Time  `db:"rated_at"`
	RevisedAt    *time.Time `db:"revised_at"`
}

// SuggestionRatesFilter narrows SuggestionRates. Zero values match all.
type SuggestionRatesFilter struct {
	Session  string
	HostUnit string
}

// SuggestionCounts are the counts behind 答复率, 办结率 and 满意率.
type SuggestionCounts struct {
	// Total counts suggestions.
	Total int `db:"total"`
	// Replied counts suggestions the unit has answered: status replied,
	// concluded or rehandling, or a reply on record.
	Replied int `db:"replied"`
	// Concluded counts suggestions whose status is concluded.
	Concluded int `db:"concluded"`
	// Rehandling counts suggestions sent back and not yet answered again.
	Rehandling int `db:"rehandling"`
	// RatedSuggestions counts suggestions with at least one rating.
	RatedSuggestions int `db:"rated_suggestions"`
	// Rated counts ratings (one per deputy per suggestion).
	Rated int `db:"rated"`
	// Satisfied counts ratings whose result is satisfied OR basically
	// satisfied: 基本满意 counts as satisfied, as in the usual definition
	// 满意率 = (满意 + 基本满意) / 测评数.
	Satisfied int `db:"satisfied"`
	// Basic counts the ratings of Satisfied whose result is 基本满意.
	Basic int `db:"basic"`
	// Dissatisfied counts ratings whose result is 不满意.
	Dissatisfied int `db:"dissatisfied"`
}

// UnitSuggestionCounts are the counts of one host unit.
type UnitSuggestionCounts struct {
	HostUnit string `db:"host_unit"`
	SuggestionCounts
}

// SuggestionSubmission is a deputy's suggestion with what review needs:
// the co-signers asked and their answers, and the attached files.
type SuggestionSubmission struct {
	Suggestion
	AuthorName string
	Cosigners  []Cosigner
	Files      []File
}

// DeputySuggestions is what 我的建议 shows a deputy: the suggestions they
// are on and how many of their own are not handled yet.
type DeputySuggestions struct {
	List   []DeputySuggestion
	Drafts int
}
