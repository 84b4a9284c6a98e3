package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

func TestListExportsAreExcelWithChineseHeaders(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newAdminWorld(t, db, "")
	ctx := t.Context()
	now := w.clock.Now()
	n := model.Notice{Kind: "general_notice", Title: "全省代表学习班通知", Body: "定于3月10日在济南举办"}
	campaign := model.Campaign{Audience: model.Audience{Delegations: []string{"济南市代表团"}}}
	if err := db.CreateCampaign(ctx, &n, &campaign); err != nil {
		t.Fatal(err)
	}
	m := model.Meeting{Kind: "inspection", Title: "年末集中视察", Place: "济南",
		StartsAt: now.Add(8 * 24 * time.Hour), RSVPDeadline: now.Add(6 * 24 * time.Hour)}
	if err := db.CreateMeeting(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSeries(ctx, &model.Series{Name: "每周学习", Kind: "study_material", Title: "本周学习材料",
		Body: "请学习", Schedule: "0 9 * * 1", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSolicitation(ctx, &model.Solicitation{Title: "《数据条例（草案）》征求意见", Articles: 30,
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		path, role, sheet, header, value, action string
	}{
		{"/admin/accounts/export", model.RoleAdmin, "账号", "用户名,姓名,角色,承办单位,状态,创建时间,最近登录", "u-readonly", "staff.export"},
		{"/admin/tokens/export", model.RoleUnit, "API令牌", "编号,名称,创建时间,最近使用,状态,吊销时间", "测试", "token.export"},
		{"/admin/campaigns/export", model.RoleStaff, "通知推送", "编号,标题,类别,状态,发送对象,发送时间,创建人,紧急,推送总数,已发送,失败", "全省代表学习班通知", "campaign.export"},
		{"/admin/meetings/export", model.RoleStaff, "会议活动", "编号,类别,名称,开始时间,结束时间,地点,回复截止,已邀请,参加,请假,待回复,已签到", "年末集中视察", "meeting.export"},
		{"/admin/series/export", model.RoleStaff, "定期通知系列", "编号,名称,类别,标题,发送对象,周期（cron）,内容,状态,创建时间,上次发送", "每周学习", "series.export"},
		{"/admin/solicitations/export", model.RoleAdmin, "法规草案征求意见", "编号,标题,说明,草案链接,条数,开始时间,截止时间,状态,收到意见", "进行中", "solicitation.export"},
	} {
		t.Run(tc.sheet, func(t *testing.T) {
			res := w.get(t, w.login(t, tc.role), tc.path)
			if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), "filename*=UTF-8''") {
				t.Fatalf("%s: %d %v %s", tc.path, res.status, res.header, res.body)
			}
			f, err := excelize.OpenReader(strings.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(tc.sheet)
			if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != tc.header {
				t.Fatalf("rows %v %v", rows, err)
			}
			found := false
			for _, row := range rows[1:] {
				for _, cell := range row {
					found = found || cell == tc.value
				}
			}
			if !found {
				t.Fatalf("%q not in %v", tc.value, rows)
			}
			if w.auditActions(t)[tc.action] == 0 {
				t.Fatalf("%s not audited", tc.action)
			}
			// Read-only accounts never export.
			if res := w.get(t, w.login(t, model.RoleReadonly), tc.path); res.status != http.StatusForbidden {
				t.Fatalf("read-only: %d", res.status)
			}
		})
	}
	// Only the account's own tokens.
	res := w.get(t, w.login(t, model.RoleUnit), "/admin/tokens/export")
	f, err := excelize.OpenReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, _ := f.GetRows("API令牌"); len(rows) != 2 {
		t.Fatalf("tokens of others exported: %v", rows)
	}
}
