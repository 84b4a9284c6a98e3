package storage_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// A chat message reads its conversation and the invitation it answers
// on the writer, but they write nothing: the deputy the message read is
// kept, not read again after them.
func TestReadingTheConversationOrAnInvitationKeepsTheMessagesDeputy(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := model.Deputy{Name: "张三", Delegation: "济南市代表团", Level: model.LevelProvincial, Phone: "13900000031",
			Tags: []string{"连任", "基层代表"}}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if err := db.BindDeputy(ctx, d.ID, "o-keep"); err != nil {
			t.Fatal(err)
		}
		m := model.Meeting{Kind: "session", Title: "常委会会议", StartsAt: time.Now().Add(48 * time.Hour).UTC(),
			RSVPDeadline: time.Now().Add(24 * time.Hour).UTC()}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, m.ID, []int64{d.ID}); err != nil {
			t.Fatal(err)
		}
		mctx := storage.WithReadMemo(ctx)
		first, err := db.GetDeputyByOpenID(mctx, "o-keep")
		if err != nil || first.Name != "张三" {
			t.Fatalf("first read: %+v, %v", first, err)
		}
		if _, err := db.SQL().Exec("UPDATE deputies SET name = '李四' WHERE id = ?", d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetConversation(mctx, "o-keep"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("conversation: %v", err)
		}
		inv, err := db.GetInvitation(mctx, m.ID, d.ID)
		if err != nil || inv.Meeting == nil || inv.Meeting.Title != "常委会会议" || inv.Status != model.RSVPPending || inv.DeputyID != d.ID {
			t.Fatalf("invitation %+v (meeting %+v), %v", inv, inv.Meeting, err)
		}
		if _, err := db.GetInvitation(mctx, m.ID, d.ID+1000); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("an invitation that is not there: %v", err)
		}
		if got, _ := db.GetDeputyByOpenID(mctx, "o-keep"); got.Name != "张三" {
			t.Fatalf("the deputy was read again after the conversation and the invitation: %q", got.Name)
		}
		// Read with their tags in one statement, in the order the lists give.
		got, err := db.GetDeputyByOpenID(ctx, "o-keep")
		if err != nil {
			t.Fatal(err)
		}
		listed, err := db.FindDeputiesByName(ctx, "李四")
		if err != nil || len(listed) != 1 {
			t.Fatalf("find: %+v, %v", listed, err)
		}
		if len(got.Tags) != 2 || !slices.Equal(got.Tags, listed[0].Tags) {
			t.Fatalf("tags %q, the list gives %q", got.Tags, listed[0].Tags)
		}
		byID, err := db.GetDeputy(ctx, d.ID)
		if err != nil || !slices.Equal(byID.Tags, got.Tags) || byID.Name != "李四" {
			t.Fatalf("by id: %+v, %v", byID, err)
		}
		untagged := model.Deputy{Name: "王五", Level: model.LevelProvincial, Phone: "13900000032"}
		if err := db.CreateDeputy(ctx, &untagged); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GetDeputyByPhone(ctx, "13900000032"); err != nil || got.ID != untagged.ID || got.Tags != nil {
			t.Fatalf("a deputy without tags: %+v, %v", got, err)
		}
		if _, err := db.GetDeputyByOpenID(ctx, "o-nobody"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("nobody bound: %v", err)
		}
	})
}

// 我的建议 reads the deputy's suggestions and the count of their own not
// handled yet together; they are what the two reads apart give.
func TestTheSuggestionListAndTheDraftsCountAreReadTogether(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ids := suggestionFixture(t, db, "领衔代表", "只有草稿", "附议代表")
		lead, draftsOnly, second := ids[0], ids[1], ids[2]
		createSuggestion(t, db, "第0701号", "省水利厅", "十四届人大三次会议", lead, second)
		createSuggestion(t, db, "第0702号", "省教育厅", "十四届人大三次会议", lead)
		for _, by := range []int64{lead, lead, draftsOnly} {
			if err := db.CreateSuggestionDraft(ctx, &model.Suggestion{Title: "草稿", LeadDeputyID: by}, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			deputy       int64
			list, drafts int
		}{{lead, 2, 2}, {draftsOnly, 0, 1}, {second, 1, 0}, {second + 100, 0, 0}} {
			list, drafts, err := db.SuggestionsOfDeputyAndDrafts(ctx, tt.deputy)
			if err != nil {
				t.Fatal(err)
			}
			apart, err := db.SuggestionsOfDeputy(ctx, tt.deputy)
			if err != nil {
				t.Fatal(err)
			}
			own, err := db.SuggestionsByAuthor(ctx, tt.deputy)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != tt.list || drafts != tt.drafts || fmt.Sprint(list) != fmt.Sprint(apart) || drafts != len(own) {
				t.Errorf("deputy %d: %d listed, %d drafts; want %d and %d (apart: %v, %d)", tt.deputy, len(list), drafts,
					tt.list, tt.drafts, apart, len(own))
			}
		}
		// And for all of them at once (the quick path's batch), one twice.
		openids := bindTestDeputies(t, db, lead, draftsOnly, second)
		batch, err := db.SuggestionListsOf(ctx, []string{"o-nobody", openids[0], openids[1], openids[2], openids[0]})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{lead, draftsOnly, second, second + 100} {
			list, drafts, err := db.SuggestionsOfDeputyAndDrafts(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(batch[id], model.DeputySuggestions{List: list, Drafts: drafts}) {
				t.Errorf("deputy %d: batched %+v, alone %+v, %d", id, batch[id], list, drafts)
			}
		}
	})
}

// The quick path reads the deputies of several openids at once, each with
// whether their term ended and whether a conversation is under way.
func TestChatDeputiesAreReadTogether(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			d := model.Deputy{Name: fmt.Sprintf("快读%d", i), Level: model.LevelProvincial, Phone: fmt.Sprintf("1390000004%d", i)}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			if err := db.BindDeputy(ctx, d.ID, fmt.Sprintf("o-chat-%d", i)); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
		}
		if err := db.SaveConversation(ctx, &model.Conversation{OpenID: "o-chat-1", Flow: "rate", Step: "result",
			ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.TerminateDeputy(ctx, ids[2], time.Now(), "调离"); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetChatDeputies(ctx, []string{"o-chat-1", "o-nobody", "o-chat-0", "o-chat-2", "o-chat-0"})
		if err != nil {
			t.Fatal(err)
		}
		want := []model.ChatDeputy{{DeputyID: ids[1], InConversation: true}, {}, {DeputyID: ids[0]},
			{DeputyID: ids[2], Ended: true}, {DeputyID: ids[0]}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("chat deputies %+v, want %+v", got, want)
		}
	})
}

// The chat's answer to an invitation or a rating request reads the row it
// answers several times (does the reply answer it, may the flow begin,
// its first question): the message's read memo keeps the invitation and
// the rating, a missing rating too, until the message writes.
func TestTheInvitationAndTheRatingAreKeptForTheMessage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		d := model.Deputy{Name: "赵六", Level: model.LevelProvincial, Phone: "13900000033"}
		if err := db.CreateDeputy(ctx, &d); err != nil {
			t.Fatal(err)
		}
		m := model.Meeting{Kind: "session", Title: "常委会会议", StartsAt: time.Now().Add(48 * time.Hour).UTC(),
			RSVPDeadline: time.Now().Add(24 * time.Hour).UTC()}
		if err := db.CreateMeeting(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Invite(ctx, m.ID, []int64{d.ID}); err != nil {
			t.Fatal(err)
		}
		sg := model.Suggestion{Number: "第0901号", Title: "关于农村道路养护的建议", Session: "十四届人大三次会议", LeadDeputyID: d.ID}
		if err := db.CreateSuggestion(ctx, &sg, nil); err != nil {
			t.Fatal(err)
		}
		mctx := storage.WithReadMemo(ctx)
		inv, err := db.GetInvitation(mctx, m.ID, d.ID)
		if err != nil || inv.Meeting.Title != "常委会会议" {
			t.Fatalf("invitation %+v, %v", inv, err)
		}
		inv.Meeting.Title = "changed by the caller"
		if _, err := db.GetRating(mctx, sg.ID, d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("no rating yet: %v", err)
		}
		// Changed by someone else during the message: this message keeps
		// what it read.
		if _, err := db.SQL().Exec("UPDATE meetings SET title = '另一会议' WHERE id = ?", m.ID); err != nil {
			t.Fatal(err)
		}
		r := model.SuggestionRating{SuggestionID: sg.ID, DeputyID: d.ID, Contact: model.ContactFace,
			Attitude: model.RatingSatisfied, Result: model.RatingSatisfied, RatedAt: time.Now().UTC()}
		if err := db.UpsertRating(ctx, &r, nil); err != nil {
			t.Fatal(err)
		}
		if again, err := db.GetInvitation(mctx, m.ID, d.ID); err != nil || again.Meeting.Title != "常委会会议" {
			t.Fatalf("the invitation was read again (or shares the caller's meeting): %+v, %v", again.Meeting, err)
		}
		if _, err := db.GetRating(mctx, sg.ID, d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the missing rating was read again: %v", err)
		}
		// The message writes: what it reads next is read again.
		if err := db.CloseAsk(mctx, d.ID, "rsvp", m.ID); err != nil {
			t.Fatal(err)
		}
		if again, err := db.GetInvitation(mctx, m.ID, d.ID); err != nil || again.Meeting.Title != "另一会议" {
			t.Fatalf("after a write: %+v, %v", again.Meeting, err)
		}
		if got, err := db.GetRating(mctx, sg.ID, d.ID); err != nil || got.Result != model.RatingSatisfied {
			t.Fatalf("after a write: %+v, %v", got, err)
		}
		// Inside a transaction nothing is kept: the rating read there is
		// read again after it.
		ctx2 := storage.WithReadMemo(ctx)
		if err := db.InTx(ctx2, func(tx context.Context) error {
			_, err := db.GetRating(tx, sg.ID, d.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec("DELETE FROM suggestion_ratings WHERE suggestion_id = ?", sg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetRating(ctx2, sg.ID, d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a rating read in a transaction was kept: %v", err)
		}
	})
}

// The router reads the conversation, and a flow it starts reads it again
// to replace it: the message's read memo keeps it (none, too) until the
// message writes, a save found stale included, so a retry reads it anew.
// Listing the open asks writes nothing and keeps it.
func TestTheConversationIsKeptForTheMessageUntilItWrites(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		mctx := storage.WithReadMemo(ctx)
		if _, err := db.GetConversation(mctx, "o-conv-memo"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("no conversation yet: %v", err)
		}
		other := model.Conversation{OpenID: "o-conv-memo", Flow: "rsvp", Step: "answer", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.SaveConversation(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenAsks(mctx, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetConversation(mctx, "o-conv-memo"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the conversation was read again within the message: %v", err)
		}
		mine := model.Conversation{OpenID: "o-conv-memo", Flow: "rate", Step: "contact", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.SaveConversation(mctx, &mine); !errors.Is(err, model.ErrStale) {
			t.Fatalf("saving over another message's conversation: %v", err)
		}
		got, err := db.GetConversation(mctx, "o-conv-memo")
		if err != nil || got.Flow != "rsvp" || got.Version != 1 {
			t.Fatalf("after the stale save: %+v, %v", got, err)
		}
		mine.Version = got.Version
		if err := db.SaveConversation(mctx, &mine); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GetConversation(mctx, "o-conv-memo"); err != nil || got.Flow != "rate" || got.Version != 2 {
			t.Fatalf("after the message's own save: %+v, %v", got, err)
		}
	})
}
