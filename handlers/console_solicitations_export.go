package handlers

import (
	"context"
	"deputybot/model"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/solicitations/{id}/export", editors, solicitationOpinionsExport)
}

// solicitationOpinionsHeader are the columns of the sheet sent to the
// legislative affairs committee (法工委).
var solicitationOpinionsHeader = []string{"条款", "条文", "意见", "代表", "代表团", "提交时间", "是否采纳"}

// solicitationOpinionsSheet is the opinions on a draft, one row per
// opinion, grouped in the draft's article order (the whole-draft opinions
// first), each with its article's text and whether it was adopted.
func (s *server) solicitationOpinionsSheet(ctx context.Context, id int64) (model.Solicitation, [][]string, error) {
	svc := s.opinions()
	sol, err := svc.Solicitation(ctx, id)
	if err != nil {
		return sol, nil, err
	}
	list, _, err := svc.List(ctx, model.OpinionFilter{SolicitationID: id})
	if err != nil {
		return sol, nil, err
	}
	articles, err := svc.Articles(ctx, id)
	if err != nil {
		return sol, nil, err
	}
	adopted, err := svc.Adoptions(ctx, list)
	if err != nil {
		return sol, nil, err
	}
	rows := make([][]string, 0, len(list))
	for _, g := range groupByArticle(list, articles) {
		text := strings.Join(g.Text, "\n")
		for _, o := range g.Opinions {
			_, yes := adopted[o.ID]
			rows = append(rows, []string{g.Article + o.Sub, text, o.Body, o.DeputyName, o.DeputyDelegation,
				s.fmtTime(o.CreatedAt), yesNo(yes, "是", "否")})
		}
	}
	return sol, rows, nil
}

// solicitationOpinionsExport downloads the opinions on one draft for the
// legislative affairs committee.
func solicitationOpinionsExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return err
	}
	sol, rows, err := s.solicitationOpinionsSheet(r.Context(), id)
	if err != nil {
		return err
	}
	return s.sendSolicitationOpinions(w, r, me, sol, rows)
}

func (s *server) sendSolicitationOpinions(w http.ResponseWriter, r *http.Request, me model.Account, sol model.Solicitation, rows [][]string) error {
	file := fmt.Sprintf("法规草案意见-%d-%s.xlsx", sol.ID, s.d.Now().In(s.d.Loc).Format("20060102-1504"))
	b, err := buildSheet("代表意见", solicitationOpinionsHeader, rows)
	if err != nil {
		return err
	}
	// Audited before the file goes out: once the client has it, the
	// record of who took it must already exist.
	s.audit(r, me, "solicitation.export_opinions", fmt.Sprintf("solicitation/%d", sol.ID),
		fmt.Sprintf("导出《%s》代表意见 %d 条", sol.Title, len(rows)))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(file))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
	return nil
}
