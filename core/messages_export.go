package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"deputybot/model"
)

// exportBatch is how many messages an export reads at once.
const exportBatch = 500

// Export writes the messages matching f (paging ignored) to a workbook,
// newest first: each with its sender, text, status, assignee and replies.
// The export is audited before the file is handed out.
func (s *Messages) Export(ctx context.Context, by Actor, f model.MessageFilter) (ExportFile, error) {
	if err := by.Require(Editors...); err != nil {
		return ExportFile{}, err
	}
	if _, _, err := s.List(ctx, by, model.MessageFilter{Status: f.Status, Sender: f.Sender, Limit: 1}); err != nil {
		return ExportFile{}, err
	}
	var out ExportFile
	err := s.tx(ctx, func(ctx context.Context) error {
		const sheet = "留言"
		sh, err := newSheetWriter(sheet, []sheetColumn{{"编号", 16}, {"留言人类别", 10}, {"代表", 12}, {"代表团", 18},
			{"类型", 8}, {"留言内容", 60}, {"状态", 10}, {"负责人", 12}, {"收到时间", 18}, {"答复时间", 18}, {"答复内容", 60},
			{"关闭说明", 30}})
		if err != nil {
			return err
		}
		at := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(s.loc).Format("2006-01-02 15:04")
		}
		n := 0
		for {
			page := f
			page.Limit, page.Offset = exportBatch, n
			ms, _, err := s.db.ListMessages(ctx, page)
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			ids := make([]int64, len(ms))
			for i, m := range ms {
				ids[i] = m.ID
			}
			replies, err := s.db.MessageReplies(ctx, ids...)
			if err != nil {
				_, _ = sh.bytes()
				return err
			}
			texts := map[int64][]string{}
			for _, r := range replies {
				texts[r.MessageID] = append(texts[r.MessageID], r.Body)
			}
			for _, m := range ms {
				if err := sh.add(excelize.RowOpts{}, m.Receipt, model.SenderLabel(m.Sender()), m.DeputyName, m.DeputyDelegation,
					model.MessageKindLabel(m.Kind), m.Body, m.StatusLabel(), m.AssigneeName, at(&m.CreatedAt), at(m.RepliedAt),
					strings.Join(texts[m.ID], "\n——\n"), m.CloseNote); err != nil {
					_, _ = sh.bytes()
					return err
				}
			}
			n += len(ms)
			if len(ms) < exportBatch {
				break
			}
		}
		if out.Data, err = sh.bytes(); err != nil {
			return err
		}
		out.Name = fmt.Sprintf("%s-%s.xlsx", sheet, s.now().In(s.loc).Format("20060102-1504"))
		return s.audit(ctx, by, "message.export", "messages", fmt.Sprintf("导出留言 %d 条", n))
	})
	if err != nil {
		return ExportFile{}, err
	}
	return out, nil
}
