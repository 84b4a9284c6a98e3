package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"deputybot/bot"
	"deputybot/handlers/wechat"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/wechatsim"
)

// Concurrent full-path messages share their claims' and replies' commits
// (the gateway's batcher): each is handled once, and two deliveries of
// one message arriving together get the same answer.
func TestConcurrentConversationMessagesAreEachHandledOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		const followers = 24
		users := make([]*wechatsim.User, followers)
		for i := range users {
			users[i] = r.sim.User(fmt.Sprintf("o-full-%d", i))
			replyText(t)(users[i].Follow(ctx))
		}
		before := countInbound(t, db)
		// Each follower's 绑定 (a conversation's first step: the full path)
		// is delivered twice at once.
		replies := make([]string, 2*followers)
		errs := make(chan error, 2*followers)
		var wg sync.WaitGroup
		for i := range replies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := users[i/2].SendTextWithID(ctx, "绑定", int64(660000+i/2))
				if err != nil {
					errs <- err
					return
				}
				if rep.Msg != nil {
					replies[i] = rep.Msg.Text
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := 0; i < followers; i++ {
			if replies[2*i] == "" || replies[2*i+1] != replies[2*i] {
				t.Fatalf("follower %d's two deliveries answered %q and %q", i, replies[2*i], replies[2*i+1])
			}
			in, err := db.GetInbound(ctx, fmt.Sprintf("m:%d", 660000+i))
			if err != nil || in.State != model.InboundDone || !strings.Contains(in.Reply, replies[2*i]) {
				t.Fatalf("follower %d stored %+v %v", i, in, err)
			}
			conv, err := db.GetConversation(ctx, fmt.Sprintf("o-full-%d", i))
			if err != nil || conv.Version != 1 || conv.Step != "name" {
				t.Fatalf("follower %d: the conversation moved more than once: %+v %v", i, conv, err)
			}
		}
		if got := countInbound(t, db) - before; got != followers {
			t.Fatalf("%d stored messages, want %d", got, followers)
		}
	})
}

// gateHandler blocks every call until release is closed, after saying
// it was entered; it counts its calls.
type gateHandler struct {
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int32
	text    string
}

func (g *gateHandler) Handle(ctx context.Context, _ bot.Inbound) (string, error) {
	if g.calls.Add(1) == 1 {
		close(g.entered)
	}
	<-g.release
	return g.text, nil
}

// A re-delivery that arrives while the first delivery is being handled
// waits for it and gets its reply; the handler runs once.
func TestARedeliveryDuringHandlingGetsTheFirstReply(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe})
		ctx := context.Background()
		u := r.sim.User("o-during")
		replyText(t)(u.Follow(ctx))
		// Callbacks pass a door that says when each arrived.
		arrived := make(chan struct{}, 4)
		inner := wechat.Handler(r.gw, quiet)
		door := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			arrived <- struct{}{}
			inner.ServeHTTP(w, req)
		}))
		t.Cleanup(door.Close)
		r.sim.SetCallbackURL(door.URL)
		h := &gateHandler{entered: make(chan struct{}), release: make(chan struct{}), text: "第一次的回复"}
		r.handler.set(h)
		replies := make(chan string, 2)
		send := func() {
			rep, err := u.SendTextWithID(ctx, "参加", 550001)
			if err != nil || rep.Msg == nil {
				replies <- fmt.Sprintf("error %v, body %q", err, rep.Body)
				return
			}
			replies <- rep.Msg.Text
		}
		go send()
		<-arrived
		<-h.entered
		go send()
		<-arrived
		close(h.release)
		for i := 0; i < 2; i++ {
			if got := <-replies; got != "第一次的回复" {
				t.Fatalf("delivery answered %q, want the first delivery's reply", got)
			}
		}
		if n := h.calls.Load(); n != 1 {
			t.Fatalf("the handler ran %d times for one message", n)
		}
	})
}

// landedButFailed is the database's Inbox whose next batch with a claim
// for handling lands and then reports an error, as when the connection
// drops before the commit's answer arrives.
type landedButFailed struct {
	bot.Inbox
	fail atomic.Int32
}

func (l *landedButFailed) WriteInboundBatch(ctx context.Context, writes []model.InboundWrite) ([]model.ClaimResult, error) {
	res, err := l.Inbox.WriteInboundBatch(ctx, writes)
	if err != nil {
		return res, err
	}
	for _, w := range writes {
		if w.Op == model.ClaimHandling && l.fail.Add(-1) >= 0 {
			return nil, errors.New("connection lost after the commit")
		}
	}
	return res, nil
}

// A batch of claims whose outcome is unknown (it landed, and reported an
// error) asks WeChat to deliver again and releases the claim, so that a
// later delivery is handled, once.
func TestAClaimBatchThatFailsIsReleasedAndTheMessageHandledOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		inbox := &landedButFailed{Inbox: db}
		r := newRig(t, db, rigOptions{mode: wechatsim.ModeSafe, inbox: func(*storage.DB) bot.Inbox { return inbox }})
		ctx := context.Background()
		u := r.sim.User("o-lost-commit")
		replyText(t)(u.Follow(ctx))
		inbox.fail.Store(1)
		rep, err := u.SendTextWithID(ctx, "绑定", 440001)
		var se *wechatsim.StatusError
		if !errors.As(err, &se) && rep.Status != http.StatusServiceUnavailable {
			t.Fatalf("the failed claim answered %d %q %v, want 503", rep.Status, rep.Body, err)
		}
		if _, err := db.GetConversation(ctx, "o-lost-commit"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("the message was handled although its claim failed: %v", err)
		}
		// The release runs in the background; until it lands a delivery
		// finds the claim and is answered with nothing.
		var got string
		for i := 0; i < 200 && got == ""; i++ {
			rep, err = u.SendTextWithID(ctx, "绑定", 440001)
			if err == nil && rep.Msg != nil {
				got = rep.Msg.Text
			}
		}
		if got == "" {
			t.Fatal("no delivery was answered after the claim's release")
		}
		if again := replyText(t)(u.SendTextWithID(ctx, "绑定", 440001)); again != got {
			t.Fatalf("a later delivery answered %q, the handled one %q", again, got)
		}
		conv, err := db.GetConversation(ctx, "o-lost-commit")
		if err != nil || conv.Version != 1 || conv.Step != "name" {
			t.Fatalf("the conversation moved more than once: %+v %v", conv, err)
		}
	})
}
