package model

import (
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: who changed what, when. Summary
// never holds phone numbers or message texts.
type AuditEntry struct {
	ID        int64
	At        time.Time
	StaffID   int64  // 0 for the command line or the system
	StaffName string // as it was at the time
	Via       string // the surface: console, api, cli, wechat, h5, job
	Action    string // e.g. deputy.update
	Object    string // e.g. deputy/42
	Summary   string
}

// AuditFilter selects audit entries. Zero values match all.
type AuditFilter struct {
	StaffID       int64
	Action        string // an exact action, or a prefix ending in "." (deputy.)
	Since, Until  time.Time
	Limit, Offset int   // Limit 0 means all
	BeforeID      int64 // keyset paging for exports: ids smaller than this
}

// auditGroups name the kinds of object an action is on (the part of the
// action before the first dot), in the order the audit log's filter
// offers them.
var auditGroups = []struct{ Prefix, Label string }{
	{"deputy", "代表名册"}, {"binding", "微信绑定"}, {"campaign", "通知推送"}, {"meeting", "会议活动"},
	{"suggestion", "代表建议"}, {"supervision", "建议督办"}, {"opinion", "代表意见"}, {"solicitation", "法规草案征求意见"},
	{"survey", "问卷调查"}, {"material", "学习材料"}, {"course", "学习班"}, {"file", "附件"}, {"message", "留言"},
	{"station", "代表联络站"}, {"public_opinion", "群众意见"}, {"liaison", "双联系"}, {"record", "履职档案"},
	{"report", "工作报表"}, {"series", "定期通知系列"}, {"settings", "设置"}, {"staff", "账号"}, {"token", "API 令牌"},
	{"audit", "审计日志"},
}

// AuditGroup is one kind of object of the audit log's actions.
type AuditGroup struct{ Prefix, Label string }

// AuditGroups lists the kinds of object, for the audit log's filter.
func AuditGroups() []AuditGroup {
	out := make([]AuditGroup, len(auditGroups))
	for i, g := range auditGroups {
		out[i] = AuditGroup{g.Prefix + ".", g.Label}
	}
	return out
}

var auditVerbs = map[string]string{
	"create": "新建", "update": "修改", "export": "导出", "import": "导入", "archive": "归档", "publish": "发布",
	"remind": "提醒", "settings": "设置", "submit": "提交", "reply": "答复", "close": "关闭", "assign": "指派",
	"answer": "作答", "rate": "测评", "step": "记录办理", "invite": "邀请", "attendance": "登记出席", "rsvp": "回执",
	"sitin": "列席", "signup": "报名", "signup_open": "开放报名", "signup_withdraw": "退出报名", "terminate": "终止代表资格",
	"bind": "绑定微信", "bind_code": "生成绑定码", "bind_locked": "锁定数字绑定", "unbind": "解除绑定", "paused": "暂停数字绑定",
	"login": "登录", "password": "修改本人密码", "password_reset": "重置密码", "disable": "停用", "enable": "启用",
	"revoke": "撤销", "adopt": "采纳", "articles": "录入条文", "export_opinions": "导出意见汇总", "study": "学习",
	"categories": "修改分类", "series": "推送系列", "upload": "上传", "record": "收到", "review": "审核", "rules": "修改积分规则",
	"pause": "暂停", "resume": "继续", "cancel": "取消", "test": "测试发送", "activate": "启用", "deactivate": "停用",
	"templates": "模板消息", "menu": "自定义菜单", "menu_sync": "同步菜单", "delivery": "发送设置", "reception": "安排接待日",
	"route": "分派", "forward": "转交", "contact": "联系登记", "link": "联系代表", "request": "申请延期", "decide": "审批延期",
	"promise": "承诺期限", "activity": "选区活动", "leader": "领导", "member": "委员", "deputy": "关联代表", "extension": "",
	"draft": "保存草稿", "cosign": "附议", "attach": "添加附件",
}

// AuditActionLabel names an action in Chinese, as the audit log shows it:
// its kind of object and what was done (代表名册 · 修改); an action it
// does not know keeps its code.
func AuditActionLabel(action string) string {
	prefix, rest, ok := strings.Cut(action, ".")
	group := ""
	for _, g := range auditGroups {
		if g.Prefix == prefix {
			group = g.Label
		}
	}
	if !ok || group == "" {
		return action
	}
	var verbs []string
	for _, part := range strings.Split(rest, ".") {
		v, known := auditVerbs[part]
		if !known {
			return group + " · " + rest
		}
		verbs = append(verbs, v)
	}
	return group + " · " + strings.Join(verbs, "")
}
