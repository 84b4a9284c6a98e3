package handlers

import (
	"fmt"
	"net/http"

	"github.com/xuri/excelize/v2"

	"deputybot/core"
	"deputybot/model"
)

func init() { consoleRoute(http.MethodGet, "/admin/meetings/{id}/export", editors, meetingExport) }

func meetingExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.exportSignInSheet(w, r, me)
}

// exportSignInSheet downloads the meeting's sign-in sheet: every invitee
// by delegation and name, their answer, and an empty column to sign in.
func (s *server) exportSignInSheet(w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	m, err := s.meetingOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	sh, err := newCampaignSheet("签到表", []campaignSheetColumn{{"姓名", 14}, {"代表团", 22}, {"回执", 24}, {"签到", 24}})
	if err != nil {
		return err
	}
	defer sh.close()
	rows := 0
	for {
		invs, _, err := s.d.DB.ListInvitations(ctx, model.InvitationFilter{MeetingID: m.ID, Limit: campaignExportBatch, Offset: rows})
		if err != nil {
			return err
		}
		for _, inv := range invs {
			answer := core.RSVPLabel(inv.Status)
			if inv.Reason != "" {
				answer += "（" + inv.Reason + "）"
			}
			// Tall rows leave room for a handwritten signature.
			if err := sh.addRow(excelize.RowOpts{Height: 28}, inv.DeputyName, inv.Delegation, answer, ""); err != nil {
				return err
			}
		}
		rows += len(invs)
		if len(invs) < campaignExportBatch {
			break
		}
	}
	name := fmt.Sprintf("签到表-%s-%s.xlsx", m.Title, m.StartsAt.In(s.d.Loc).Format("20060102"))
	if err := sh.send(w, name); err != nil {
		return err
	}
	s.audit(r, me, "meeting.export", meetingObject(m.ID), fmt.Sprintf("导出“%s”签到表 %d 人", m.Title, rows))
	return nil
}
