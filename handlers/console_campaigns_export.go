package handlers

import (
	"bytes"
	"deputybot/model"
	"fmt"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"
)

func init() {
	consoleRoute(http.MethodGet, "/admin/campaigns/{id}/export", editors, campaignExport)
}

// campaignExportBatch is how many rows an export reads at a time.
const campaignExportBatch = 1000

func campaignExport(s *server, w http.ResponseWriter, r *http.Request, me model.Account) error {
	return s.exportCampaignDeliveries(w, r, me)
}

// exportCampaignDeliveries downloads the deliveries of the campaign of the
// path (filtered by ?status=) as Excel; the console and the API share it.
func (s *server) exportCampaignDeliveries(w http.ResponseWriter, r *http.Request, me model.Account) error {
	ctx := r.Context()
	c, n, err := s.campaignOfPath(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	status := oneOf(r.URL.Query().Get("status"), model.DeliveryStates...)
	sh, err := newCampaignSheet("推送明细", []campaignSheetColumn{{"代表", 12}, {"代表团", 18}, {"状态", 10}, {"说明", 30}, {"渠道", 10},
		{"尝试次数", 9}, {"中断重发", 9}, {"生成时间", 17}, {"发送时间", 17}, {"送达时间", 17}, {"阅读时间", 17}})
	if err != nil {
		return err
	}
	defer sh.close()
	var after int64
	rows := 0
	for {
		dls, _, err := s.d.DB.ListCampaignDeliveries(ctx, model.CampaignDeliveryFilter{CampaignID: c.ID, Status: status,
			Limit: campaignExportBatch, AfterID: after})
		if err != nil {
			return err
		}
		for _, d := range dls {
			l := s.campaignDeliveryLineOf(d)
			if err := sh.add(l.Name, l.Delegation, l.Label, l.Reason, l.Channel, l.Attempts, l.Reclaims, s.fmtTime(d.CreatedAt),
				l.SentAt, l.DeliveredAt, l.ReadAt); err != nil {
				return err
			}
		}
		rows += len(dls)
		if len(dls) < campaignExportBatch {
			break
		}
		after = dls[len(dls)-1].ID
	}
	name := fmt.Sprintf("推送明细-%d-%s.xlsx", c.ID, s.d.Now().In(s.d.Loc).Format("20060102-1504"))
	if err := sh.send(w, name); err != nil {
		return err
	}
	s.audit(r, me, "campaign.export", campaignObject(c.ID), fmt.Sprintf("导出通知“%s”的推送明细 %d 条", n.Title, rows))
	return nil
}

// campaignSheetColumn is a column of an exported sheet: its header and width.
type campaignSheetColumn struct {
	name  string
	width float64
}

// campaignSheet is a one-sheet workbook written row by row (excelize's stream
// writer), then sent whole so a failure is an error page, not a cut file.
type campaignSheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newCampaignSheet(name string, cols []campaignSheetColumn) (*campaignSheet, error) {
	f := excelize.NewFile()
	sh := &campaignSheet{f: f, row: 1}
	if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
		f.Close()
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		f.Close()
		return nil, err
	}
	if sh.sw, err = f.NewStreamWriter(name); err != nil {
		f.Close()
		return nil, err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		if err := sh.sw.SetColWidth(i+1, i+1, c.width); err != nil {
			f.Close()
			return nil, err
		}
		header[i] = excelize.Cell{StyleID: bold, Value: c.name}
	}
	if err := sh.sw.SetRow("A1", header); err != nil {
		f.Close()
		return nil, err
	}
	return sh, nil
}

// add writes the next row.
func (sh *campaignSheet) add(vals ...any) error {
	return sh.addRow(excelize.RowOpts{}, vals...)
}

func (sh *campaignSheet) addRow(opts excelize.RowOpts, vals ...any) error {
	sh.row++
	cell, err := excelize.CoordinatesToCellName(1, sh.row)
	if err != nil {
		return err
	}
	return sh.sw.SetRow(cell, vals, opts)
}

// send writes the workbook as a download named name.
func (sh *campaignSheet) send(w http.ResponseWriter, name string) error {
	if err := sh.sw.Flush(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := sh.f.WriteTo(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = buf.WriteTo(w)
	return nil
}

func (sh *campaignSheet) close() { _ = sh.f.Close() }
