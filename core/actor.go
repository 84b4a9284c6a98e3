package core

import (
	"slices"

	"deputybot/model"
)

// The surfaces an action comes through (Actor.Via), recorded in the audit
// log.
const (
	ViaConsole = "console"
	ViaAPI     = "api"
	ViaCLI     = "cli"
	ViaWeChat  = "wechat"
	ViaH5      = "h5"
	ViaJob     = "job"
)

// ViaLabel returns a surface's Chinese name.
func ViaLabel(via string) string {
	switch via {
	case ViaConsole:
		return "后台"
	case ViaAPI:
		return "API"
	case ViaCLI:
		return "命令行"
	case ViaWeChat:
		return "微信"
	case ViaH5:
		return "微信页面"
	case ViaJob:
		return "定时任务"
	}
	return via
}

// Actor is the principal taking an action: a staff account signed in to
// the console or holding an API token, the operator at the command line
// (acting as an account with --as, or as themselves), a deputy or a
// member of the public in WeChat, or a scheduled job. Every core action
// takes one, checks what it may do, and names it in the audit entry.
type Actor struct {
	Via      string                // ViaConsole, ViaAPI, …
	Account  model.Account         // the staff account; zero for deputies, the public, jobs and a bare operator
	Operator string                // the command line's operating-system user, when no account was given
	Deputy   model.Deputy          // the deputy acting in WeChat; zero otherwise
	Member   model.CommitteeMember // the committee member acting in WeChat who is not a deputy; zero otherwise
	OpenID   string                // the WeChat follower acting (deputy or public)
	Job      string                // the scheduled job acting
}

// StaffActor is a staff account acting through the console or the API.
func StaffActor(a model.Account, via string) Actor { return Actor{Via: via, Account: a} }

// CLIActor is the command line's operator: the account named with --as
// when there is one, else the operating-system user, who holds the
// server's keys and so acts as an administrator.
func CLIActor(a model.Account, osUser string) Actor {
	if osUser == "" {
		osUser = "unknown"
	}
	return Actor{Via: ViaCLI, Account: a, Operator: osUser}
}

// DeputyActor is a bound deputy acting in WeChat (via ViaWeChat or ViaH5).
func DeputyActor(d model.Deputy, via string) Actor {
	return Actor{Via: via, Deputy: d, OpenID: d.OpenID}
}

// MemberActor is a committee member who is not a deputy, acting in
// WeChat from openid, the account they bound with a member code.
func MemberActor(m model.CommitteeMember, openid, via string) Actor {
	return Actor{Via: via, Member: m, OpenID: openid}
}

// PublicActor is a follower of the account who is not (or not as) a
// deputy: a member of the public.
func PublicActor(openid, via string) Actor { return Actor{Via: via, OpenID: openid} }

// SystemActor is a scheduled job.
func SystemActor(job string) Actor { return Actor{Via: ViaJob, Job: job} }

// IsStaff reports whether the actor works for the committee: a staff
// account or the command line's operator.
func (a Actor) IsStaff() bool { return a.Account.ID != 0 || a.Via == ViaCLI }

// Role is the actor's role: the account's, an administrator's for a bare
// operator at the command line, "" for everyone else.
func (a Actor) Role() string {
	switch {
	case a.Account.ID != 0:
		return a.Account.Role
	case a.Via == ViaCLI:
		return model.RoleAdmin
	}
	return ""
}

// Require refuses, with a Chinese message, an actor whose role is not
// among roles.
func (a Actor) Require(roles ...string) error {
	if slices.Contains(roles, a.Role()) {
		return nil
	}
	if a.Account.ID != 0 {
		return Forbidden("当前账号（%s）无权执行此操作", RoleLabel(a.Account.Role))
	}
	return Forbidden("无权执行此操作")
}

// Name is who the actor is, in Chinese, as the audit log shows it.
func (a Actor) Name() string {
	switch {
	case a.Account.ID != 0:
		return a.Account.DisplayName()
	case a.Via == ViaCLI:
		return "命令行（" + a.Operator + "）"
	case a.Deputy.ID != 0:
		return "代表 " + a.Deputy.Name
	case a.Member.ID != 0:
		return "委员 " + a.Member.Name
	case a.Via == ViaJob:
		return "定时任务 " + a.Job
	case a.OpenID != "":
		return "群众"
	}
	return "系统"
}

// The role sets actions require.
var (
	// Everyone signed in: every role.
	Everyone = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit, model.RoleReadonly}
	// Viewers see deputy data.
	Viewers = []string{model.RoleAdmin, model.RoleStaff, model.RoleReadonly}
	// Editors do deputy work.
	Editors = []string{model.RoleAdmin, model.RoleStaff}
	// Admins manage accounts and read the audit log.
	Admins = []string{model.RoleAdmin}
)

// handle is the short name written beside a change (assigned_by, the
// author of a step): the account's username, else Name.
func (a Actor) handle() string {
	if a.Account.Username != "" {
		return a.Account.Username
	}
	return a.Name()
}
