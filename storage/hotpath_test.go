package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// delivery inserts one delivery of a fresh notice in status (with msgid
// when not 0) and returns its id.
func delivery(t *testing.T, db *storage.DB, status string, msgid int64) int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	res, err := db.SQL().ExecContext(ctx, `INSERT INTO notices (kind, title, body, fields, created_at) VALUES (?, ?, ?, ?, ?)`,
		"general_notice", "通知", "正文", "{}", now)
	if err != nil {
		t.Fatal(err)
	}
	notice, _ := res.LastInsertId()
	var id any
	if msgid != 0 {
		id = msgid
	}
	res, err = db.SQL().ExecContext(ctx, `INSERT INTO deliveries (source, notice_id, deputy_id, openid, status, msgid, next_at, created_at)
		VALUES (?, ?, 1, 'o-report', ?, ?, ?, ?)`, fmt.Sprintf("hotpath%d", notice), notice, status, id, now, now)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := res.LastInsertId()
	return n
}

func deliveryStatus(t *testing.T, db *storage.DB, id int64) (status, reason string) {
	t.Helper()
	d, err := db.GetDelivery(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Status, d.Reason
}

func TestTemplateReportsAreAbsorbed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		t.Run("a report on a recorded send updates the delivery and keeps nothing", func(t *testing.T) {
			id := delivery(t, db, model.DeliverySent, 71001)
			if err := db.AbsorbTemplateReport(ctx, 71001, "o-report", "success"); err != nil {
				t.Fatal(err)
			}
			if s, _ := deliveryStatus(t, db, id); s != model.DeliveryDelivered {
				t.Fatalf("status %q, want delivered", s)
			}
			if _, err := db.TemplateReport(ctx, 71001); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("the report was kept (%v) although it was applied", err)
			}
		})
		t.Run("a failure report marks the delivery failed with WeChat's reason", func(t *testing.T) {
			id := delivery(t, db, model.DeliverySent, 71002)
			if err := db.AbsorbTemplateReport(ctx, 71002, "o-report", "failed:user block"); err != nil {
				t.Fatal(err)
			}
			if s, reason := deliveryStatus(t, db, id); s != model.DeliveryFailed || reason != "failed:user block" {
				t.Fatalf("status %q reason %q", s, reason)
			}
		})
		t.Run("a repeated report changes nothing", func(t *testing.T) {
			id := delivery(t, db, model.DeliverySent, 71003)
			for range 2 {
				if err := db.AbsorbTemplateReport(ctx, 71003, "o-report", "success"); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.MarkDeliveryRead(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := db.AbsorbTemplateReport(ctx, 71003, "o-report", "failed: system failed"); err != nil {
				t.Fatal(err)
			}
			if s, _ := deliveryStatus(t, db, id); s != model.DeliveryRead {
				t.Fatalf("status %q after a late report, want read", s)
			}
		})
		t.Run("a report that overtakes its send is applied when the send is recorded", func(t *testing.T) {
			id := delivery(t, db, model.DeliverySending, 0)
			if err := db.AbsorbTemplateReport(ctx, 71004, "o-report", "success"); err != nil {
				t.Fatal(err)
			}
			if status, err := db.TemplateReport(ctx, 71004); err != nil || status != "success" {
				t.Fatalf("kept report %q %v", status, err)
			}
			if s, _ := deliveryStatus(t, db, id); s != model.DeliverySending {
				t.Fatalf("status %q before the send is recorded", s)
			}
			err := db.FinishDeliveries(ctx, "2026-11-27", []model.Outcome{{ID: id, Status: model.DeliverySent, MsgID: 71004, Template: true}})
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := deliveryStatus(t, db, id); s != model.DeliveryDelivered {
				t.Fatalf("status %q after the send was recorded, want delivered", s)
			}
		})
	})
}

func TestABatchOfTemplateReportsIsAbsorbedAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ok1 := delivery(t, db, model.DeliverySent, 72001)
		ok2 := delivery(t, db, model.DeliverySent, 72002)
		blocked := delivery(t, db, model.DeliverySent, 72003)
		read := delivery(t, db, model.DeliveryRead, 72004)
		early := delivery(t, db, model.DeliverySending, 0)
		err := db.AbsorbTemplateReports(ctx, []model.TemplateStatus{
			{MsgID: 72001, OpenID: "o-1", Status: "success"},
			{MsgID: 72002, OpenID: "o-2", Status: "success"},
			{MsgID: 72003, OpenID: "o-3", Status: "failed:user block"},
			{MsgID: 72004, OpenID: "o-4", Status: "success"},
			{MsgID: 72005, OpenID: "o-5", Status: "success"},
			{MsgID: 72001, OpenID: "o-1", Status: "success"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]string{ok1: model.DeliveryDelivered, ok2: model.DeliveryDelivered,
			blocked: model.DeliveryFailed, read: model.DeliveryRead, early: model.DeliverySending} {
			if s, _ := deliveryStatus(t, db, id); s != want {
				t.Errorf("delivery %d is %q, want %q", id, s, want)
			}
		}
		for msgid, kept := range map[int64]bool{72001: false, 72003: false, 72004: false, 72005: true} {
			_, err := db.TemplateReport(ctx, msgid)
			if got := err == nil; got != kept {
				t.Errorf("report %d kept: %v, want %v (%v)", msgid, got, kept, err)
			}
		}
	})
}

func TestAnAnsweredMessageIsRecordedWithItsReplyInOneStatement(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Microsecond)
		claimed, _, err := db.ClaimInboundAnswered(ctx, "m:5501", "o-fast", "text", "<xml>帮助</xml>", at)
		if err != nil || !claimed {
			t.Fatalf("first record: %v %v", claimed, err)
		}
		claimed, prior, err := db.ClaimInboundAnswered(ctx, "m:5501", "o-fast", "text", "<xml>other</xml>", at.Add(time.Second))
		if err != nil || claimed || prior.State != model.InboundDone || prior.Reply != "<xml>帮助</xml>" {
			t.Fatalf("re-delivery: claimed %v prior %+v %v", claimed, prior, err)
		}
		// The full path sees it answered too, and cannot release it.
		claimed, prior, err = db.ClaimInbound(ctx, "m:5501", "o-fast", "text", at)
		if err != nil || claimed || prior.Reply != "<xml>帮助</xml>" {
			t.Fatalf("full path: claimed %v prior %+v %v", claimed, prior, err)
		}
		if err := db.ReleaseInboundClaim(ctx, "m:5501", at); err != nil {
			t.Fatal(err)
		}
		if in, err := db.GetInbound(ctx, "m:5501"); err != nil || in.State != model.InboundDone {
			t.Fatalf("after a release: %+v %v", in, err)
		}
	})
}

func TestABatchOfAnsweredMessagesIsRecordedWithOneStatement(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Microsecond)
		claim := func(key, reply string, at time.Time) model.AnsweredClaim {
			return model.AnsweredClaim{Key: key, OpenID: "o-batch", Kind: "text", Reply: reply, At: at}
		}
		t.Run("fresh keys are all claimed", func(t *testing.T) {
			res, err := db.ClaimInboundAnsweredBatch(ctx, []model.AnsweredClaim{
				claim("m:6601", "<xml>1</xml>", at), claim("m:6602", "<xml>2</xml>", at), claim("m:6603", "<xml>3</xml>", at)})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if !r.Claimed {
					t.Fatalf("claim %d not claimed: %+v", i, r)
				}
			}
			for i, key := range []string{"m:6601", "m:6602", "m:6603"} {
				in, err := db.GetInbound(ctx, key)
				if err != nil || in.State != model.InboundDone || in.Reply != fmt.Sprintf("<xml>%d</xml>", i+1) {
					t.Fatalf("%s stored as %+v (%v)", key, in, err)
				}
			}
		})
		t.Run("a re-delivery in a batch gets the first reply, the others are claimed", func(t *testing.T) {
			later := at.Add(2 * time.Second)
			res, err := db.ClaimInboundAnsweredBatch(ctx, []model.AnsweredClaim{
				claim("m:6604", "<xml>4</xml>", later), claim("m:6602", "<xml>again</xml>", later), claim("m:6605", "<xml>5</xml>", later)})
			if err != nil {
				t.Fatal(err)
			}
			if !res[0].Claimed || !res[2].Claimed {
				t.Fatalf("the fresh keys were not claimed: %+v", res)
			}
			if res[1].Claimed || res[1].Prior.Reply != "<xml>2</xml>" || res[1].Prior.State != model.InboundDone {
				t.Fatalf("the re-delivery: %+v, want the first reply", res[1])
			}
			if in, _ := db.GetInbound(ctx, "m:6602"); in.Reply != "<xml>2</xml>" {
				t.Fatalf("the re-delivery overwrote the reply: %+v", in)
			}
		})
		t.Run("a key twice in one batch is claimed once", func(t *testing.T) {
			later := at.Add(3 * time.Second)
			res, err := db.ClaimInboundAnsweredBatch(ctx, []model.AnsweredClaim{
				claim("m:6606", "<xml>6</xml>", later), claim("m:6606", "<xml>6b</xml>", later.Add(time.Microsecond))})
			if err != nil {
				t.Fatal(err)
			}
			if !res[0].Claimed || res[1].Claimed || res[1].Prior.Reply != "<xml>6</xml>" {
				t.Fatalf("got %+v", res)
			}
		})
		t.Run("a batch of one is ClaimInboundAnswered", func(t *testing.T) {
			res, err := db.ClaimInboundAnsweredBatch(ctx, []model.AnsweredClaim{claim("m:6601", "<xml>x</xml>", at)})
			if err != nil || len(res) != 1 || res[0].Claimed || res[0].Prior.Reply != "<xml>1</xml>" {
				t.Fatalf("got %+v %v", res, err)
			}
		})
	})
}

func TestChatStateReadsConversationAndDeputyAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st, err := db.GetChatState(ctx, "o-nobody")
		if err != nil || st != (model.ChatState{}) {
			t.Fatalf("unknown openid: %+v %v", st, err)
		}
		d := model.Deputy{Name: "王小明", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13900001111"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, d.ID, "o-chat"); err != nil {
			t.Fatal(err)
		}
		if st, err = db.GetChatState(ctx, "o-chat"); err != nil || st.DeputyName != "王小明" || st.InConversation {
			t.Fatalf("bound, no conversation: %+v %v", st, err)
		}
		c := model.Conversation{OpenID: "o-chat", Flow: "bind", Step: "name", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.SaveConversation(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if st, err = db.GetChatState(ctx, "o-chat"); err != nil || st.DeputyName != "王小明" || !st.InConversation {
			t.Fatalf("bound, in a conversation: %+v %v", st, err)
		}

		// Several at once, in order, an openid twice.
		d2 := model.Deputy{Name: "李华", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13900001112"}
		if err := db.CreateDeputy(ctx, &d2); err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, d2.ID, "o-chat-2"); err != nil {
			t.Fatal(err)
		}
		c2 := model.Conversation{OpenID: "o-stranger", Flow: "bind", Step: "name", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.SaveConversation(ctx, &c2); err != nil {
			t.Fatal(err)
		}
		// 李华 is also a committee member, 王小明 a leader linked to his unit.
		m := model.CommitteeMember{Name: "李华"}
		if err := db.CreateCommitteeMember(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if err := db.SetMemberDeputy(ctx, m.ID, d2.ID); err != nil {
			t.Fatal(err)
		}
		unit, err := db.DelegationID(ctx, "济南市代表团")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateLeader(ctx, &model.LiaisonLeader{DeputyID: d.ID, DelegationID: unit, Title: "副省长"}); err != nil {
			t.Fatal(err)
		}
		if st, err = db.GetChatState(ctx, "o-chat-2"); err != nil || !st.Member || st.Leader {
			t.Fatalf("a deputy who is a member: %+v %v", st, err)
		}
		got, err := db.GetChatStates(ctx, []string{"o-chat-2", "o-nobody", "o-chat", "o-stranger", "o-chat-2"})
		want := []model.ChatState{{DeputyName: "李华", Member: true}, {}, {DeputyName: "王小明", InConversation: true, Leader: true},
			{InConversation: true}, {DeputyName: "李华", Member: true}}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("GetChatStates = %+v (%v), want %+v", got, err, want)
		}
	})
}

func TestClaimsAndRepliesOfConcurrentMessagesAreWrittenInOneBatch(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Microsecond)
		w := func(op model.InboundOp, key, reply string, at time.Time) model.InboundWrite {
			return model.InboundWrite{Op: op, Key: key, OpenID: "o-mixed", Kind: "text", Reply: reply, At: at}
		}
		res, err := db.WriteInboundBatch(ctx, []model.InboundWrite{
			w(model.ClaimHandling, "m:8801", "", at), w(model.ClaimHandling, "m:8802", "", at), w(model.ClaimAnswered, "m:8803", "<xml>3</xml>", at)})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if !r.Claimed {
				t.Fatalf("fresh claim %d not claimed: %+v", i, r)
			}
		}
		if in, _ := db.GetInbound(ctx, "m:8801"); in.State != model.InboundProcessing {
			t.Fatalf("a claim for handling stored as %+v", in)
		}

		// m:8801's reply, a re-delivery of m:8801 and of m:8802 (still
		// being handled), a fresh claim twice and a fresh answered one.
		later := at.Add(time.Second)
		res, err = db.WriteInboundBatch(ctx, []model.InboundWrite{
			w(model.StoreReply, "m:8801", "<xml>1</xml>", time.Time{}),
			w(model.ClaimHandling, "m:8801", "", later),
			w(model.ClaimHandling, "m:8802", "", later),
			w(model.ClaimHandling, "m:8804", "", later),
			w(model.ClaimHandling, "m:8804", "", later.Add(time.Microsecond)),
			w(model.ClaimAnswered, "m:8805", "<xml>5</xml>", later),
		})
		if err != nil {
			t.Fatal(err)
		}
		if res[1].Claimed || res[1].Prior.State != model.InboundDone || res[1].Prior.Reply != "<xml>1</xml>" {
			t.Fatalf("the re-delivery batched with its reply: %+v, want that reply", res[1])
		}
		if res[2].Claimed || res[2].Prior.State != model.InboundProcessing {
			t.Fatalf("the re-delivery of a message being handled: %+v", res[2])
		}
		if !res[3].Claimed || res[4].Claimed || res[4].Prior.State != model.InboundProcessing {
			t.Fatalf("a key twice in one batch: %+v and %+v, want the first claimed", res[3], res[4])
		}
		if !res[5].Claimed {
			t.Fatalf("the fresh answered claim: %+v", res[5])
		}
		for key, want := range map[string]model.Inbound{
			"m:8801": {State: model.InboundDone, Reply: "<xml>1</xml>"},
			"m:8802": {State: model.InboundProcessing},
			"m:8803": {State: model.InboundDone, Reply: "<xml>3</xml>"},
			"m:8804": {State: model.InboundProcessing},
			"m:8805": {State: model.InboundDone, Reply: "<xml>5</xml>"},
		} {
			in, err := db.GetInbound(ctx, key)
			if err != nil || in.State != want.State || in.Reply != want.Reply {
				t.Fatalf("%s stored as %+v (%v), want %+v", key, in, err, want)
			}
		}
		// The claim for m:8804 is the first one's: only it can be released.
		if err := db.ReleaseInboundClaim(ctx, "m:8804", later.Add(time.Microsecond)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetInbound(ctx, "m:8804"); err != nil {
			t.Fatalf("the losing claim released the first: %v", err)
		}
		if err := db.ReleaseInboundClaim(ctx, "m:8804", later); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetInbound(ctx, "m:8804"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the claim was not released: %v", err)
		}

		// Replies alone, several at once; a batch that cannot be written
		// (its context is gone) writes nothing.
		if _, err := db.WriteInboundBatch(ctx, []model.InboundWrite{w(model.ClaimHandling, "m:8807", "", later)}); err != nil {
			t.Fatal(err)
		}
		res, err = db.WriteInboundBatch(ctx, []model.InboundWrite{
			w(model.StoreReply, "m:8802", "<xml>2</xml>", time.Time{}), w(model.StoreReply, "m:8807", "<xml>7</xml>", time.Time{})})
		if err != nil || len(res) != 2 {
			t.Fatalf("two replies: %+v %v", res, err)
		}
		if in, _ := db.GetInbound(ctx, "m:8807"); in.State != model.InboundDone || in.Reply != "<xml>7</xml>" {
			t.Fatalf("m:8807 stored as %+v", in)
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := db.WriteInboundBatch(gone, []model.InboundWrite{
			w(model.StoreReply, "m:8802", "<xml>changed</xml>", time.Time{}),
			w(model.ClaimHandling, "m:8806", "", later)}); err == nil {
			t.Fatal("a batch without its context reported no error")
		}
		if in, _ := db.GetInbound(ctx, "m:8802"); in.State != model.InboundDone || in.Reply != "<xml>2</xml>" {
			t.Fatalf("m:8802 stored as %+v", in)
		}
		if _, err := db.GetInbound(ctx, "m:8806"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the failed batch's claim landed: %v", err)
		}
	})
}
