package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"deputybot/core"
	"deputybot/model"
)

// Excel exports of the lists that have no export of their own. Each
// follows the list's filters, is audited, and is refused to read-only
// accounts (the route test checks that).
func init() {
	consoleRoute(http.MethodGet, "/admin/accounts/export", admins, accountsExport)
	consoleRoute(http.MethodGet, "/admin/tokens/export", tokenExporters, tokensExport)
}

// tokenExporters may export their own API tokens: everyone but read-only.
var tokenExporters = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit}

// listExportPage is how many rows a paged list export reads at a time.
const listExportPage = 1000

// sendListExport records the export and writes the sheet.
func (s *server) sendListExport(w http.ResponseWriter, r *http.Request, me model.Account, name, action, object string, header []string, rows [][]string) error {
	file := fmt.Sprintf("%s-%s.xlsx", name, s.d.Now().In(s.d.Loc).Format("20060102-1504"))
	// Recorded before the file goes out, so the entry is there once the
	// download has finished.
	s.audit(r, me, action, object, fmt.Sprintf("导出%s %d 条", name, len(rows)))
	return sendSheet(w, file, name, header, rows)
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func accountsExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.staff.List(r.Context())
	if err != nil {
		return err
	}
	header := []string{"用户名", "姓名", "角色", "承办单位", "状态", "创建时间", "最近登录"}
	rows := make([][]string, 0, len(list))
	for _, a := range list {
		rows = append(rows, []string{a.Username, a.Name, core.RoleLabel(a.Role), a.Unit, yesNo(a.Disabled, "已停用", "正常"),
			s.fmtTime(a.CreatedAt), s.fmtTime(a.LastLoginAt)})
	}
	return s.sendListExport(w, r, me, "账号", "staff.export", "staff", header, rows)
}

func tokensExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	list, err := s.staff.Tokens(r.Context(), me.ID)
	if err != nil {
		return err
	}
	header := []string{"编号", "名称", "创建时间", "最近使用", "状态", "吊销时间"}
	rows := make([][]string, 0, len(list))
	for _, t := range list {
		rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Name, s.fmtTime(t.CreatedAt), s.fmtTime(t.LastUsedAt),
			yesNo(t.RevokedAt != nil, "已吊销", "有效"), s.fmtTime(t.RevokedAt)})
	}
	return s.sendListExport(w, r, me, "API令牌", "token.export", accountObject(me), header, rows)
}
