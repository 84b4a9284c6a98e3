package core

import (
	"context"
	"fmt"
	"strconv"

	"deputybot/model"
)

// What deputies send themselves, in the chat and on the H5 pages: an
// opinion, a survey's answers. Each is the same validated write staff's
// tests and fixtures use (Opinions.Submit, Surveys.Submit), made as the
// deputy and audited as theirs in the same transaction. The audit entry
// names what was sent, never its text.

// SubmitAs stores the opinion of the deputy by (see Submit) and returns
// its receipt; fileIDs are the photos and voice audio the deputy sent
// while writing it (Files.Receive), attached to it.
func (s *Opinions) SubmitAs(ctx context.Context, by Actor, o model.Opinion, fileIDs ...int64) (string, error) {
	if by.Deputy.ID == 0 {
		return "", Forbidden("只有代表本人可以提交意见建议")
	}
	var receipt string
	err := s.tx(ctx, func(ctx context.Context) error {
		in, err := s.submit(ctx, by.Deputy.ID, o)
		if err != nil {
			return err
		}
		receipt = in.Receipt
		if err := s.attachReceived(ctx, by, in.ID, fileIDs); err != nil {
			return err
		}
		what := OpinionCategoryLabel(o.Category)
		if o.SolicitationID != 0 {
			what = "法规草案意见（征求意见 " + strconv.FormatInt(o.SolicitationID, 10) + "）"
		}
		return s.audit(ctx, by, "opinion.submit", model.Opinion{Receipt: receipt}.Object(),
			fmt.Sprintf("提交意见 %s：%s%s", receipt, what, withFiles(len(fileIDs))))
	})
	return receipt, err
}

// SubmitAs stores the answers of the deputy by to the survey (see Submit);
// revised is true when they replaced an earlier response.
func (s *Surveys) SubmitAs(ctx context.Context, by Actor, surveyID int64, answers map[int64]string) (revised bool, err error) {
	if by.Deputy.ID == 0 {
		return false, Forbidden("只有代表本人可以填写问卷")
	}
	err = s.env.tx(ctx, func(ctx context.Context) error {
		sv, err := s.db.GetSurvey(ctx, surveyID)
		if err != nil {
			return err
		}
		if revised, err = s.Submit(ctx, surveyID, by.Deputy.ID, answers); err != nil {
			return err
		}
		verb := "填写问卷"
		if revised {
			verb = "修改问卷回答"
		}
		return s.env.audit(ctx, by, "survey.answer", fmt.Sprintf("survey/%d", sv.ID), fmt.Sprintf("%s“%s”", verb, sv.Title))
	})
	return revised, err
}

// withFiles tells an audit summary how many files came with what was sent.
func withFiles(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("（附 %d 个文件）", n)
}
