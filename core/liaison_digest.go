package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"deputybot/model"
)

// LiaisonDigestJob is the scheduler job that pushes each bound member
// their weekly digest.
const LiaisonDigestJob = "liaison-digest"

// DigestWeek names the ISO week of t in China time, e.g. 2026-W24: a
// member gets one digest per week whatever runs the job.
func DigestWeek(t time.Time) string {
	y, w := t.In(liaisonZone).ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// DigestSource is the delivery source of a member's digest for a week.
func DigestSource(week string, memberID int64) string {
	return fmt.Sprintf("liaison-digest:%s:m%d", week, memberID)
}

// Summary is the digest's one-line summary.
func (d Digest) Summary() string {
	s := fmt.Sprintf("联系代表 %d 名：待回复邀请 %d 件，已答复未评价建议 %d 件，近 7 天新意见 %d 条、新建议 %d 件",
		len(d.Rows), d.OpenRSVPs, d.UnratedReplies, d.NewOpinions, d.NewSuggestions)
	if n := len(d.NotThisYear); n > 0 {
		s += fmt.Sprintf("；今年尚未联系 %d 名", n)
	}
	return s + "。"
}

// Text is the digest in full, for the detail page of its push.
func (d Digest) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s委员：本周双联系情况如下。\n%s\n", d.Member.Name, d.Summary())
	if d.Warning != "" {
		fmt.Fprintf(&b, "提醒：%s。\n", d.Warning)
	}
	for _, r := range d.Rows {
		var parts []string
		if r.OpenRSVPs > 0 {
			parts = append(parts, fmt.Sprintf("待回复邀请 %d 件", r.OpenRSVPs))
		}
		if r.UnratedReplies > 0 {
			parts = append(parts, fmt.Sprintf("未评价答复 %d 件", r.UnratedReplies))
		}
		if r.NewOpinions > 0 {
			parts = append(parts, fmt.Sprintf("新意见 %d 条", r.NewOpinions))
		}
		if r.NewSuggestions > 0 {
			parts = append(parts, fmt.Sprintf("新建议 %d 件", r.NewSuggestions))
		}
		if r.ContactsYear == 0 {
			parts = append(parts, "今年尚未联系")
		} else {
			parts = append(parts, fmt.Sprintf("今年已联系 %d 次", r.ContactsYear))
		}
		fmt.Fprintf(&b, "\n%s（%s）：%s", r.Name, r.Delegation, strings.Join(parts, "，"))
	}
	if len(d.NotThisYear) > 0 {
		fmt.Fprintf(&b, "\n\n今年尚未联系：%s。联系后可在公众号回复“联系登记”记录。", strings.Join(d.NotThisYear, "、"))
	}
	return b.String()
}

// DigestRun counts what SendDigests did.
type DigestRun struct {
	Queued  int // digests queued for WeChat this run
	Already int // sent for this week before (a re-run)
	Console int // members with no WeChat: the console page is theirs
	Skipped int // queued but not deliverable (unfollowed)
}

// Counts returns the run as job counts.
func (r DigestRun) Counts() map[string]int {
	return map[string]int{"queued": r.Queued, "already": r.Already, "console": r.Console, "skipped": r.Skipped}
}

// SendDigests queues the week's digest to every member reachable on
// WeChat, through the outbox (a reminder: a customer message within 48
// hours of the member's last message, else the reminder template). One
// delivery per member and week: a re-run, or a second instance, adds none.
func (s *Liaison) SendDigests(ctx context.Context, by Actor, now time.Time) (DigestRun, error) {
	if err := requireJob(by); err != nil {
		return DigestRun{}, err
	}
	at := *s
	at.now = func() time.Time { return now }
	week := DigestWeek(now)
	ms, err := s.db.ListCommitteeMembers(ctx)
	if err != nil {
		return DigestRun{}, err
	}
	var run DigestRun
	for _, m := range ms {
		openid := m.WeChat()
		if openid == "" {
			run.Console++
			continue
		}
		d, err := at.Digest(ctx, m.ID)
		if err != nil {
			return run, err
		}
		day := now.In(liaisonZone).Format("1月2日")
		n := model.Notice{Kind: model.KindReminder, Title: "双联系周报（" + day + "）：" + d.Summary(), Body: d.Text(),
			RefKind: "liaison", RefID: m.ID, CreatedBy: LiaisonDigestJob,
			Fields: map[string]string{"time": day, "note": fmt.Sprintf("待回复%d 未评价%d 新意见%d 新建议%d",
				d.OpenRSVPs, d.UnratedReplies, d.NewOpinions, d.NewSuggestions)}}
		queued, status, err := s.db.EnqueueMemberNotice(ctx, DigestSource(week, m.ID), &n, m.DeputyID, openid)
		switch {
		case err != nil:
			return run, err
		case !queued:
			run.Already++
		case status == model.DeliveryQueued:
			run.Queued++
		default:
			run.Skipped++
		}
	}
	return run, nil
}
