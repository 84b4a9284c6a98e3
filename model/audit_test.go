package model

import "testing"

func TestAuditActionsReadInChinese(t *testing.T) {
	for action, want := range map[string]string{
		"deputy.update":                 "代表名册 · 修改",
		"staff.login":                   "账号 · 登录",
		"campaign.create":               "通知推送 · 新建",
		"supervision.extension.request": "建议督办 · 申请延期",
		"liaison.leader.activity":       "双联系 · 领导选区活动",
		"settings.menu_sync":            "设置 · 同步菜单",
		"deputy.frobnicate":             "代表名册 · frobnicate",
		"nothing":                       "nothing",
	} {
		if got := AuditActionLabel(action); got != want {
			t.Errorf("%s: %q, want %q", action, got, want)
		}
	}
}
