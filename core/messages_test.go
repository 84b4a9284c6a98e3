package core_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// inboxWorld is a bound deputy, two staff accounts (one disabled) and a
// read-only one, on a clock at 10:00 in Beijing.
type inboxWorld struct {
	db                       *storage.DB
	svc                      *core.Services
	now                      time.Time
	deputy                   model.Deputy
	staff, other, off, ro    model.Account
	byStaff, byOther, byRead core.Actor
}

func newInboxWorld(t *testing.T, db *storage.DB) *inboxWorld {
	t.Helper()
	ctx := t.Context()
	w := &inboxWorld{db: db, now: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	db.SetClock(clock)
	w.svc = core.New(db, core.Options{Now: clock})
	w.deputy = model.Deputy{Name: "留言代表", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13800000101", OpenID: "o-inbox-d"}
	if err := db.CreateDeputy(ctx, &w.deputy); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		p    *model.Account
		user string
		role string
	}{{&w.staff, "inbox-staff", model.RoleStaff}, {&w.other, "inbox-other", model.RoleAdmin}, {&w.off, "inbox-off", model.RoleStaff},
		{&w.ro, "inbox-ro", model.RoleReadonly}} {
		acc, _, err := w.svc.Staff.Create(ctx, core.NewAccount{Username: a.user, Name: "工作人员" + a.user[6:], Role: a.role, Password: "Inbox-Pass-2026"})
		if err != nil {
			t.Fatal(err)
		}
		*a.p = acc
	}
	if err := w.db.SetAccountDisabled(ctx, w.off.ID, true); err != nil {
		t.Fatal(err)
	}
	w.byStaff = core.StaffActor(w.staff, core.ViaConsole)
	w.byOther = core.StaffActor(w.other, core.ViaAPI)
	w.byRead = core.StaffActor(w.ro, core.ViaConsole)
	return w
}

// state is what the inbox actions may change.
func (w *inboxWorld) state(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT COUNT(*) FROM messages`, `SELECT COUNT(*) FROM message_replies`,
		`SELECT COUNT(*) FROM deliveries`, `SELECT COUNT(*) FROM notices`, `SELECT COUNT(*) FROM audit_log`,
		`SELECT COUNT(*) FROM messages WHERE status = 'unread'`, `SELECT COALESCE(SUM(assignee_id), 0) FROM messages`} {
		var n int
		if err := w.db.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "%d ", n)
	}
	return b.String()
}

func (w *inboxWorld) lastAudit(t *testing.T) model.AuditEntry {
	t.Helper()
	es, _, err := w.db.ListAudit(t.Context(), model.AuditFilter{Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit: %v %v", es, err)
	}
	return es[0]
}

var receiptRE = regexp.MustCompile(`^LY2026-\d{5}$`)

func TestTheInboxRecordsAnswersAndAuditsThroughOneDoor(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newInboxWorld(t, db)
		ctx := t.Context()
		in := w.svc.Messages
		deputy := core.DeputyActor(w.deputy, core.ViaWeChat)
		public := core.PublicActor("o-inbox-citizen", core.ViaWeChat)

		var fromDeputy, fromPublic model.Message
		t.Run("a deputy's text is stored with a receipt and audited without its text", func(t *testing.T) {
			m, err := in.Record(ctx, deputy, core.MessageInput{Text: "  我想请假因为要开会  "})
			if err != nil {
				t.Fatal(err)
			}
			if !receiptRE.MatchString(m.Receipt) || m.Body != "我想请假因为要开会" || m.Status != model.MessageUnread || m.DeputyID != w.deputy.ID {
				t.Fatalf("stored %+v", m)
			}
			a := w.lastAudit(t)
			if a.Action != "message.record" || a.Via != core.ViaWeChat || !strings.Contains(a.StaffName, "留言代表") ||
				!strings.Contains(a.Summary, m.Receipt) || strings.Contains(a.Summary, "请假") {
				t.Fatalf("audit %+v", a)
			}
			fromDeputy = m
		})
		t.Run("a follower who is not a deputy leaves a message too, numbered next", func(t *testing.T) {
			m, err := in.Record(ctx, public, core.MessageInput{Text: "建议增加农村公交班次，方便群众出行。"})
			if err != nil {
				t.Fatal(err)
			}
			if m.DeputyID != 0 || m.Sender() != model.SenderPublic || m.Receipt <= fromDeputy.Receipt {
				t.Fatalf("stored %+v after %s", m, fromDeputy.Receipt)
			}
			if a := w.lastAudit(t); a.StaffName != "群众" || strings.Contains(a.Summary, "公交") {
				t.Fatalf("audit %+v", a)
			}
			fromPublic = m
		})
		t.Run("staff list the inbox by status and sender", func(t *testing.T) {
			ms, total, err := in.List(ctx, w.byRead, model.MessageFilter{Sender: model.SenderPublic})
			if err != nil || total != 1 || len(ms) != 1 || ms[0].ID != fromPublic.ID || ms[0].SenderName() != "群众" {
				t.Fatalf("public: %+v %d %v", ms, total, err)
			}
			ms, total, err = in.List(ctx, w.byRead, model.MessageFilter{Status: model.MessageUnread})
			if err != nil || total != 2 || ms[0].ID != fromPublic.ID || ms[1].DeputyName != "留言代表" {
				t.Fatalf("unread: %+v %d %v", ms, total, err)
			}
			if _, _, err := in.List(ctx, w.byRead, model.MessageFilter{Status: "new"}); !hasKey(err, "status") {
				t.Fatalf("an unknown status: %v", err)
			}
		})

		refusals := []struct {
			name string
			act  func() error
			want func(t *testing.T, err error)
		}{
			{"a staff account cannot leave a message", func() error {
				_, err := in.Record(ctx, w.byStaff, core.MessageInput{Text: "测试"})
				return err
			}, wantKind(model.ErrForbidden)},
			{"a message over 2,000 characters is refused, saying how long it is", func() error {
				_, err := in.Record(ctx, deputy, core.MessageInput{Text: strings.Repeat("长", 2001)})
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "text") || !strings.Contains(err.Error(), "2001") {
					t.Fatalf("got %v", err)
				}
			}},
			{"invalid UTF-8 is refused", func() error {
				_, err := in.Record(ctx, public, core.MessageInput{Text: "乱码\xff\xfe"})
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "text") || !strings.Contains(err.Error(), "乱码") {
					t.Fatalf("got %v", err)
				}
			}},
			{"a blank message is refused", func() error {
				_, err := in.Record(ctx, public, core.MessageInput{Text: " \u3000 "})
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "text") {
					t.Fatalf("got %v", err)
				}
			}},
			{"a read-only account cannot reply", func() error {
				_, err := in.Reply(ctx, w.byRead, fromDeputy.ID, "已收到")
				return err
			}, wantKind(model.ErrForbidden)},
			{"an empty reply is refused on text", func() error {
				_, err := in.Reply(ctx, w.byStaff, fromDeputy.ID, "   ")
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "text") {
					t.Fatalf("got %v", err)
				}
			}},
			{"a reply to a message that does not exist is not found", func() error {
				_, err := in.Reply(ctx, w.byStaff, 999, "答复")
				return err
			}, wantKind(model.ErrNotFound)},
			{"a disabled account cannot be assigned", func() error {
				_, err := in.Assign(ctx, w.byStaff, fromDeputy.ID, w.off.ID)
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "staff_id") {
					t.Fatalf("got %v", err)
				}
			}},
			{"a read-only account cannot be assigned", func() error {
				_, err := in.Assign(ctx, w.byStaff, fromDeputy.ID, w.ro.ID)
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "staff_id") {
					t.Fatalf("got %v", err)
				}
			}},
			{"a close note over 200 characters is refused", func() error {
				_, err := in.Close(ctx, w.byStaff, fromDeputy.ID, strings.Repeat("因", 201))
				return err
			}, func(t *testing.T, err error) {
				if !hasKey(err, "note") {
					t.Fatalf("got %v", err)
				}
			}},
		}
		for _, r := range refusals {
			t.Run(r.name+", changing nothing", func(t *testing.T) {
				before := w.state(t)
				r.want(t, r.act())
				if after := w.state(t); after != before {
					t.Fatalf("state %s became %s", before, after)
				}
			})
		}

		t.Run("assigning makes an unread message assigned", func(t *testing.T) {
			m, err := in.Assign(ctx, w.byStaff, fromDeputy.ID, w.other.ID)
			if err != nil || m.Status != model.MessageAssigned || m.AssigneeID != w.other.ID || m.AssigneeName == "" || m.AssignedBy != "inbox-staff" {
				t.Fatalf("assigned %+v %v", m, err)
			}
			if a := w.lastAudit(t); a.Action != "message.assign" || a.Via != core.ViaConsole {
				t.Fatalf("audit %+v", a)
			}
			ms, total, err := in.List(ctx, w.byStaff, model.MessageFilter{AssigneeID: w.other.ID})
			if err != nil || total != 1 || ms[0].ID != fromDeputy.ID {
				t.Fatalf("assigned to the colleague: %+v %v", ms, err)
			}
		})
		t.Run("a reply is stored, marks the message replied and queues one push to the sender", func(t *testing.T) {
			r, err := in.Reply(ctx, w.byOther, fromPublic.ID, "您好，您的建议已转交省交通运输厅研究办理。")
			if err != nil {
				t.Fatal(err)
			}
			if r.ID == 0 || r.Source == "" || r.DeliveryStatus != model.DeliveryQueued || r.StaffName == "" {
				t.Fatalf("reply %+v", r)
			}
			th, err := in.Get(ctx, w.byRead, fromPublic.ID)
			if err != nil || th.Message.Status != model.MessageReplied || th.Message.RepliedAt == nil || len(th.Replies) != 1 ||
				th.Message.Replies != 1 {
				t.Fatalf("thread %+v %v", th, err)
			}
			var openid, kind, body string
			var deputyID int64
			if err := db.SQL().QueryRow(`SELECT dl.openid, dl.deputy_id, n.kind, n.body FROM deliveries dl JOIN notices n ON n.id = dl.notice_id
				WHERE dl.source = ?`, r.Source).Scan(&openid, &deputyID, &kind, &body); err != nil {
				t.Fatal(err)
			}
			if openid != "o-inbox-citizen" || deputyID != 0 || kind != model.KindMessageReply || !strings.Contains(body, "交通运输厅") {
				t.Fatalf("push to %s (deputy %d): %s %q", openid, deputyID, kind, body)
			}
			if a := w.lastAudit(t); a.Action != "message.reply" || a.Via != core.ViaAPI || strings.Contains(a.Summary, "交通") {
				t.Fatalf("audit %+v", a)
			}
		})
		t.Run("only the sender may read a message on the reply's page", func(t *testing.T) {
			if _, err := in.OfSender(ctx, public, fromPublic.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := in.OfSender(ctx, deputy, fromPublic.ID); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("another follower: %v", err)
			}
		})
		t.Run("a closed message takes no reply, assignment or second close", func(t *testing.T) {
			m, err := in.Close(ctx, w.byStaff, fromDeputy.ID, "已电话联系代表")
			if err != nil || m.Status != model.MessageClosed || m.ClosedAt == nil || m.CloseNote != "已电话联系代表" {
				t.Fatalf("closed %+v %v", m, err)
			}
			before := w.state(t)
			if _, err := in.Reply(ctx, w.byStaff, fromDeputy.ID, "答复"); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("reply: %v", err)
			}
			if _, err := in.Assign(ctx, w.byStaff, fromDeputy.ID, w.staff.ID); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("assign: %v", err)
			}
			if _, err := in.Close(ctx, w.byStaff, fromDeputy.ID, ""); !errors.Is(err, model.ErrConflict) {
				t.Fatalf("close: %v", err)
			}
			if after := w.state(t); after != before {
				t.Fatalf("state %s became %s", before, after)
			}
		})
		t.Run("the export holds every message with its replies", func(t *testing.T) {
			f, err := in.Export(ctx, w.byStaff, model.MessageFilter{})
			if err != nil || len(f.Data) == 0 || !strings.HasSuffix(f.Name, ".xlsx") {
				t.Fatalf("export %q %d bytes: %v", f.Name, len(f.Data), err)
			}
			if a := w.lastAudit(t); a.Action != "message.export" || !strings.Contains(a.Summary, "2 条") {
				t.Fatalf("audit %+v", a)
			}
			if _, err := in.Export(ctx, w.byRead, model.MessageFilter{}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("read-only export: %v", err)
			}
		})
	})
}

func hasKey(err error, key string) bool {
	fs, ok := core.Fields(err)
	if !ok {
		return false
	}
	for _, f := range fs {
		if f.Key == key {
			return true
		}
	}
	return false
}

func TestAFollowerWhoIsNotADeputyHasADailyLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newInboxWorld(t, db)
		ctx := context.Background()
		in := w.svc.Messages
		in.PublicDailyLimit = 3
		public := core.PublicActor("o-inbox-busy", core.ViaWeChat)
		for i := range 3 {
			if _, err := in.Record(ctx, public, core.MessageInput{Text: fmt.Sprintf("第%d条", i+1)}); err != nil {
				t.Fatal(err)
			}
		}
		before := w.state(t)
		_, err := in.Record(ctx, public, core.MessageInput{Text: "第4条"})
		if !errors.Is(err, model.ErrConflict) || !strings.Contains(core.Message(err), "3 条") {
			t.Fatalf("the fourth message: %v", err)
		}
		if after := w.state(t); after != before {
			t.Fatalf("a refused message changed %s into %s", before, after)
		}
		deputy := core.DeputyActor(w.deputy, core.ViaWeChat)
		for i := range 4 {
			if _, err := in.Record(ctx, deputy, core.MessageInput{Text: fmt.Sprintf("代表第%d条", i+1)}); err != nil {
				t.Fatalf("a deputy is not limited: %v", err)
			}
		}
		// Midnight in Beijing is 16:00 UTC: the next day begins afresh.
		w.now = time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
		if _, err := in.Record(ctx, public, core.MessageInput{Text: "次日留言"}); err != nil {
			t.Fatalf("the next day: %v", err)
		}
	})
}

func TestMessagesSentAtOnceKeepTheDailyLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newInboxWorld(t, db)
		ctx := t.Context()
		in := w.svc.Messages
		in.PublicDailyLimit = 3
		public := core.PublicActor("o-inbox-eager", core.ViaWeChat)
		ok, limited := atOnce(t, 12, func(i int) error {
			_, err := in.Record(ctx, public, core.MessageInput{Text: fmt.Sprintf("同时第%d条", i+1)})
			return err
		})
		if ok != 3 || limited != 12-ok {
			t.Fatalf("%d stored and %d refused, want 3 stored", ok, limited)
		}
	})
}
