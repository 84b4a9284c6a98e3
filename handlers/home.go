package handlers

import (
	"context"
	"html/template"
	"net/http"
)

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>人大代表履职服务号 · deputybot</title>
<style>body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.6}
h1{font-size:1.4rem}a{color:#b4261a}li{margin:.4rem 0}.note{background:#fff7e6;border:1px solid #f0c36d;padding:.6rem .8rem;border-radius:6px}</style>
</head><body>
<h1>人大代表履职服务号</h1>
{{if .Simulated}}<p class="note">当前为<strong>模拟模式</strong>：未配置微信公众号，系统内置了一个模拟微信平台和演示代表数据。</p>
<p id="try-first"><strong>先试这个：</strong>打开<a href="/sim/">模拟手机</a>，回复“绑定”，用下方任一演示代表的姓名和手机号后4位绑定，再回复“我的会议”“我的建议”“问卷”或“意见”。<br>
然后进入<a href="/admin/">工作人员后台</a>，在“通知推送”里看已完成的发送和逐人记录，在“会议活动”里看代表的回执。</p>{{end}}
<ul>
{{if .Simulated}}<li><a href="/sim/">模拟手机</a>：以代表身份关注公众号、绑定身份（回复“绑定”，再回复演示代表的姓名和手机号后4位）并对话</li>{{end}}
<li><a href="/admin/">工作人员后台</a>{{if .AdminPassword}}：首次启动，请用账号 <strong>admin</strong> 和一次性密码 <strong>{{.AdminPassword}}</strong> 登录（登录后需修改密码）{{end}}</li>
<li><a href="/healthz">运行状态</a>（/healthz） · <a href="/metrics">监控指标</a>（/metrics）</li>
</ul>
{{if .Demo}}<h2 style="font-size:1.1rem">可用于绑定的演示代表</h2>
<p>在模拟手机中回复“绑定”，再依次回复姓名和手机号后4位：</p>
<table style="border-collapse:collapse">{{range .Demo}}<tr><td style="padding:.2rem 1rem .2rem 0">{{.Name}}</td><td style="padding-right:1rem">{{.Delegation}}</td><td>手机号后4位 <strong>{{.Last4}}</strong></td></tr>{{end}}</table>{{end}}
</body></html>`))

// DemoLogin is a demo deputy a newcomer can bind as in simulator mode.
type DemoLogin struct {
	Name, Delegation, Last4 string
}

// Home returns the start page; demo lists unbound demo deputies (nil
// outside simulator mode). adminPassword (nil outside simulator mode)
// returns the first admin's one-time password while it is to be shown:
// on the start that created it, until it has been used.
func Home(simulated bool, demo func(ctx context.Context) []DemoLogin, adminPassword func(ctx context.Context) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var logins []DemoLogin
		if demo != nil {
			logins = demo(r.Context())
		}
		password := ""
		if adminPassword != nil {
			password = adminPassword(r.Context())
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = homePage.Execute(w, map[string]any{"Simulated": simulated, "Demo": logins, "AdminPassword": password})
	})
}
