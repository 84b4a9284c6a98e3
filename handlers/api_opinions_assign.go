package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"deputybot/core"
	"deputybot/model"
)

func init() {
	apiRoute(http.MethodPost, "/api/v1/opinions/{id}/assign", editors, apiOpinionAssign)
}

type apiOpinionAssignInput struct {
	StaffID int64 `json:"staff_id"`
}

type apiOpinionAssignment struct {
	OpinionID  int64     `json:"opinion_id"`
	Receipt    string    `json:"receipt"`
	StaffID    int64     `json:"staff_id"`
	StaffName  string    `json:"staff_name"`
	AssignedBy string    `json:"assigned_by"`
	AssignedAt time.Time `json:"assigned_at"`
}

// apiOpinionAssign gives an opinion to an enabled admin or staff account
// ({"staff_id": …}, the account's id as GET /api/v1/me shows it).
func apiOpinionAssign(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	o, err := s.opinionOfPath(r)
	if err != nil {
		return err
	}
	var in apiOpinionAssignInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	bad := core.ValidationError{{Key: "staff_id", Label: "指派给", Value: fmt.Sprint(in.StaffID), Msg: "请选择一个启用的管理员或工作人员账号"}}
	keys := mapKeys(map[string]string{"指派给": "staff_id"})
	if in.StaffID <= 0 {
		return writeAPIValidation(w, bad, keys)
	}
	a, err := s.staff.Get(r.Context(), in.StaffID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !assignable(a)) {
		return writeAPIValidation(w, bad, keys)
	} else if err != nil {
		return err
	}
	if err := s.d.DB.AssignOpinion(r.Context(), o.ID, a.ID, me.Username); err != nil {
		return err
	}
	s.audit(r, me, "opinion.assign", opinionObject(o), fmt.Sprintf("意见 %s 指派给 %s", o.Receipt, a.DisplayName()))
	cur, err := s.d.DB.GetOpinionAssignment(r.Context(), o.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiOpinionAssignment{OpinionID: o.ID, Receipt: o.Receipt, StaffID: cur.StaffID,
		StaffName: cur.StaffName, AssignedBy: cur.AssignedBy, AssignedAt: cur.AssignedAt})
	return nil
}
