package handlers

import (
	"context"
	"deputybot/model"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

func init() { consoleRoute(http.MethodPost, "/admin/opinions/{id}/assign", editors, opinionAssign) }

// opinionAssignView is the assign form of an opinion's page: who looks
// after it, and the accounts it can be given to.
type opinionAssignView struct {
	Current *model.OpinionAssignment
	Staff   []model.Account
}

// assignable reports whether an opinion can be given to the account: an
// enabled account doing deputy work.
func assignable(a model.Account) bool {
	return !a.Disabled && (a.Role == model.RoleAdmin || a.Role == model.RoleStaff)
}

// opinionAssignViewOf loads the assign form of an opinion.
func (s *server) opinionAssignViewOf(ctx context.Context, opinionID int64) (opinionAssignView, error) {
	var v opinionAssignView
	cur, err := s.d.DB.GetOpinionAssignment(ctx, opinionID)
	switch {
	case err == nil:
		v.Current = &cur
	case !errors.Is(err, model.ErrNotFound):
		return v, err
	}
	all, err := s.d.DB.ListAccounts(ctx)
	if err != nil {
		return v, err
	}
	for _, a := range all {
		if assignable(a) {
			v.Staff = append(v.Staff, a)
		}
	}
	return v, nil
}

// opinionAssignees returns the assignee's name of each listed opinion that
// has one, by opinion id: the inbox's column.
func (s *server) opinionAssignees(ctx context.Context, list []model.Opinion) (map[int64]string, error) {
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	as, err := s.d.DB.OpinionAssignments(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(as))
	for id, a := range as {
		out[id] = a.StaffName
	}
	return out, nil
}

// opinionAssign gives an opinion to a staff account.
func opinionAssign(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	if !parseTextForm(w, r) {
		return badRequest("提交的内容过长。")
	}
	staffID, _ := strconv.ParseInt(r.PostFormValue("staff_id"), 10, 64)
	a, err := s.staff.Get(r.Context(), staffID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !assignable(a)) {
		return badRequest("请选择一个启用的管理员或工作人员账号。")
	} else if err != nil {
		return err
	}
	if err := s.d.DB.AssignOpinion(r.Context(), o.ID, a.ID, me.Username); err != nil {
		return err
	}
	s.audit(r, me, "opinion.assign", opinionObject(o), fmt.Sprintf("意见 %s 指派给 %s", o.Receipt, a.DisplayName()))
	s.flash(r, "意见 "+o.Receipt+" 已指派给 "+a.DisplayName()+"。")
	http.Redirect(w, r, fmt.Sprintf("/admin/opinions/%d", o.ID), http.StatusSeeOther)
	return nil
}
