package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"deputybot/model"
	"deputybot/obs"
)

// ReplyWithin is how long a callback waits for its answer. WeChat gives up
// after 5 s and re-sends; the rest of the work then finishes in the
// background and its answer goes out as a customer-service message.
const ReplyWithin = 4 * time.Second

// Handler turns one inbound message into the text to answer ("" for none).
type Handler interface {
	Handle(ctx context.Context, in Inbound) (string, error)
}

// Path is how the gateway handles a message a QuickHandler looked at.
type Path int

// The paths.
const (
	// FullPath: claim the message, handle it under the reply deadline,
	// store the reply.
	FullPath Path = iota
	// Answered: the answer came from reads alone (and writes that may be
	// repeated, like the follower touch). The dedupe record and the reply
	// are stored together in one statement; a re-delivery gets that reply.
	Answered
	// Absorbed: an event whose repetition has no further effect (a template
	// report). No dedupe record: a re-delivery is simply handled again.
	Absorbed
)

// QuickHandler is a Handler that can answer some messages at once,
// without a claim held while it works: one database write per message
// instead of two.
type QuickHandler interface {
	Handler
	// Quick answers in when that needs no write a second delivery must not
	// repeat, and says how (Answered or Absorbed); FullPath sends in down
	// the full path, through Handle. On an error, in goes down the full path.
	Quick(ctx context.Context, in Inbound) (text string, how Path, err error)
}

// TextSender sends a customer-service text message.
type TextSender interface {
	SendText(ctx context.Context, openid, text string) error
}

// Gateway runs the inbound pipeline: verify, decrypt, parse, deduplicate,
// handle under a deadline, reply.
type Gateway struct {
	Wire        Wire
	Inbox       Inbox  // the dedupe records shared by every instance
	Nonces      Nonces // plaintext callbacks' signatures, shared likewise (nil: none checked)
	Handler     Handler
	Sender      TextSender
	Log         *slog.Logger
	ReplyWithin time.Duration // default ReplyWithin
	Clock       Clock         // dates replies and claims; default the system clock

	inflight sync.Map // dedupe key -> chan struct{} closed when done
	wg       sync.WaitGroup
	inbox    batcher[model.InboundWrite, model.ClaimResult] // dedupe records: claims and replies
	nonces   batcher[model.CallbackNonce, bool]             // plaintext callbacks' (timestamp, nonce)
}

// maxInboxBatch bounds the dedupe-record writes made with one commit.
const maxInboxBatch = 256

// Success is the body that tells WeChat "received, nothing to say".
var Success = []byte("success")

// Verify answers the GET server-address check.
func (g *Gateway) Verify(q url.Values) (string, error) { return g.Wire.VerifyURL(q) }

// Serve handles one POSTed callback and returns the response body. Errors
// are ErrBadSignature, ErrStaleRequest, ErrPlaintext or ErrReplayed
// (answer 403). A nil body with no error means the message could not be
// recorded (the database is down): answer an error status so that WeChat
// delivers it again. Every other problem is logged and answered with
// "success", as WeChat expects.
func (g *Gateway) Serve(ctx context.Context, q url.Values, body []byte) ([]byte, error) {
	plain, encrypted, err := g.Wire.Open(q, body)
	if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrStaleRequest) {
		return nil, err
	}
	if errors.Is(err, ErrPlaintext) {
		obs.CallbackOutcome(ctx, obs.RefusedPlaintext)
		return nil, err
	}
	if err != nil {
		g.Log.Warn("wechat callback rejected", "err", err, "bytes", len(body))
		obs.CallbackOutcome(ctx, obs.Malformed)
		return Success, nil
	}
	if !encrypted {
		fresh, err := g.freshNonce(ctx, q, body)
		if err != nil {
			g.Log.Error("wechat callback: cannot record its nonce; WeChat will retry", "err", err)
			return nil, nil
		}
		if !fresh {
			obs.CallbackOutcome(ctx, obs.RefusedReplay)
			return nil, ErrReplayed
		}
	}
	in, err := ParseInbound(plain)
	if err != nil {
		g.Log.Warn("wechat callback unreadable", "err", err, "bytes", len(plain))
		obs.CallbackOutcome(ctx, obs.Malformed)
		return Success, nil
	}
	obs.CallbackType(ctx, in.Kind())
	reply, ok := g.answer(ctx, in)
	if !ok {
		return nil, nil
	}
	if len(reply) == 0 {
		return Success, nil
	}
	if encrypted {
		sealed, err := g.Wire.Seal(reply, g.now())
		if err != nil {
			g.Log.Error("wechat reply", "err", err)
			return Success, nil
		}
		return sealed, nil
	}
	return reply, nil
}

func (g *Gateway) now() time.Time { return clockNow(g.Clock) }

// maxNonceBatch bounds the nonces recorded with one statement.
const maxNonceBatch = 256

// freshNonce records the (timestamp, nonce) of a plaintext callback with
// its body's digest, and reports whether the pair is new or came before
// with this same body (WeChat's re-delivery). Nothing but the URL
// signature vouches for a plaintext body, and that signature leaves the
// body out: without this, one signature read from an access log would
// carry any message for the 5 minutes its timestamp is accepted. An
// encrypted body needs no record: its msg_signature covers it.
func (g *Gateway) freshNonce(ctx context.Context, q url.Values, body []byte) (bool, error) {
	if g.Nonces == nil {
		return true, nil
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return false, err // checkSignature parsed it already
	}
	sum := sha256.Sum256(body)
	n := model.CallbackNonce{Timestamp: ts, Nonce: q.Get("nonce"), Digest: hex.EncodeToString(sum[:]),
		At: g.now().UTC().Truncate(time.Microsecond)}
	return g.nonces.do(ctx, n, maxNonceBatch, g.Nonces.SeeCallbackNonces)
}

// answer deduplicates and handles in; it returns the plain reply XML (nil
// for none), and ok=false when the message could not be recorded.
func (g *Gateway) answer(ctx context.Context, in Inbound) (reply []byte, ok bool) {
	key := in.DedupeKey()
	started := time.Now()
	if reply, ok, done := g.quick(ctx, in, key); done {
		return reply, ok
	}
	// A failed quick attempt's time counts against the reply deadline.
	tried := time.Since(started)
	// The handling is registered before the claim is made: a re-delivery
	// that arrives meanwhile (possibly claimed in the same batch) waits
	// for this delivery's reply rather than finding the claim taken and
	// the handling not yet known.
	done := make(chan struct{})
	if first, busy := g.inflight.LoadOrStore(key, done); busy {
		obs.CallbackOutcome(ctx, obs.Duplicate)
		return g.await(ctx, key, first.(chan struct{}))
	}
	// The claim's time identifies it, so only this claim is ever released.
	at := g.now().UTC().Truncate(time.Microsecond)
	// Made with the claims and replies of the callbacks arriving
	// meanwhile, with one commit for all.
	res, err := g.inbox.do(ctx, model.InboundWrite{Op: model.ClaimHandling, Key: key, OpenID: in.FromUserName, Kind: in.Kind(), At: at},
		maxInboxBatch, g.Inbox.WriteInboundBatch)
	if err != nil || !res.Claimed {
		g.inflight.Delete(key)
		close(done)
	}
	if err != nil {
		// Without the dedupe record the message cannot be handled exactly
		// once; answering "success" would lose it, so let WeChat retry. The
		// insert may have reached the database all the same: release it
		// once the database answers, or the retry would find it taken.
		g.Log.Error("wechat callback: cannot record message; WeChat will retry", "kind", in.Kind(), "err", err)
		g.releaseLater(key, at)
		return nil, false
	}
	if !res.Claimed {
		obs.CallbackOutcome(ctx, obs.Duplicate)
		return g.replay(ctx, key, res.Prior), true
	}
	responded := make(chan struct{})
	defer close(responded)
	var (
		mu        sync.Mutex
		finished  bool
		abandoned bool
		failed    bool
	)
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer g.inflight.Delete(key)
		defer close(done)
		// The work outlives this request if it must: its answer is then sent
		// as a customer-service message.
		workCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		text, herr := g.handle(workCtx, in)
		if herr != nil {
			// The handler failed (the database, most likely): forget the
			// claim so that WeChat's next delivery is handled afresh, and
			// ask for that delivery unless the request has gone already.
			g.releaseLater(key, at)
			mu.Lock()
			failed, finished = true, true
			mu.Unlock()
			return
		}
		// A passive reply holds at most 2,048 bytes: the rest of a long
		// answer follows as customer-service messages.
		parts := SplitReply(text, MaxPassiveReply)
		var out []byte
		if len(parts) > 0 {
			text = parts[0]
			out = TextReplyXML(in, text, g.now())
		}
		if len(parts) > 1 && g.Sender != nil {
			g.wg.Add(1)
			go func() {
				defer g.wg.Done()
				<-responded
				sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
				defer cancel()
				for _, p := range parts[1:] {
					if err := g.Sender.SendText(sendCtx, in.FromUserName, p); err != nil {
						g.Log.Warn("follow-up customer message failed", "kind", in.Kind(), "class", Classify(err).String(), "err", err)
						return
					}
				}
			}()
		}
		mu.Lock()
		late := abandoned
		finished, reply = true, out
		mu.Unlock()
		if !late {
			g.finish(workCtx, key, out)
			return
		}
		// The request has been answered "success": store no reply, so a
		// retry does not repeat the answer, and send it as a customer message.
		if text != "" && g.Sender != nil {
			if err := g.Sender.SendText(workCtx, in.FromUserName, text); err != nil {
				g.Log.Warn("late answer as customer message failed", "kind", in.Kind(), "class", Classify(err).String(), "err", err)
			}
		}
	}()
	timer := time.NewTimer(g.replyWithin() - tried)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	if !finished {
		obs.CallbackOutcome(ctx, obs.Late)
		abandoned = true
		return nil, true
	}
	if failed {
		return nil, false
	}
	return reply, true
}

func (g *Gateway) replyWithin() time.Duration {
	if g.ReplyWithin > 0 {
		return g.ReplyWithin
	}
	return ReplyWithin
}

// quick answers in without a claim held while it is handled, when the
// handler can (see QuickHandler). done=false sends in down the full path;
// otherwise reply and ok are answer's.
func (g *Gateway) quick(ctx context.Context, in Inbound, key string) (reply []byte, ok, done bool) {
	q, can := g.Handler.(QuickHandler)
	if !can {
		return nil, false, false
	}
	if _, busy := g.inflight.Load(key); busy {
		// A re-delivery of a message this instance is handling: the full
		// path waits for its reply.
		return nil, false, false
	}
	// Half the reply time at most, so that the full path still has time to
	// answer if the quick one fails.
	qctx, cancel := context.WithTimeout(ctx, g.replyWithin()/2)
	text, how, err := g.tryQuick(qctx, q, in)
	cancel()
	if err != nil || (how != Answered && how != Absorbed) {
		return nil, false, false
	}
	parts := SplitReply(text, MaxPassiveReply)
	if len(parts) > 1 {
		// The rest would go out as customer messages, once: full path.
		return nil, false, false
	}
	var out []byte
	if len(parts) == 1 {
		out = TextReplyXML(in, parts[0], g.now())
	}
	if how == Absorbed {
		return out, true, true
	}
	at := g.now().UTC().Truncate(time.Microsecond)
	// Recorded with the quick answers of the callbacks arriving meanwhile,
	// with one commit for all.
	res, err := g.inbox.do(ctx, model.InboundWrite{Op: model.ClaimAnswered, Key: key, OpenID: in.FromUserName, Kind: in.Kind(), Reply: string(out), At: at},
		maxInboxBatch, g.Inbox.WriteInboundBatch)
	claimed, prior := res.Claimed, res.Prior
	if err != nil {
		// Let WeChat deliver it again: if the record landed all the same,
		// that delivery gets this reply; if not, it is answered afresh.
		g.Log.Error("wechat callback: cannot record message; WeChat will retry", "kind", in.Kind(), "err", err)
		return nil, false, true
	}
	if !claimed {
		obs.CallbackOutcome(ctx, obs.Duplicate)
		return g.replay(ctx, key, prior), true, true
	}
	return out, true, true
}

// tryQuick runs the handler's quick answer; a panic sends the message down
// the full path (where it is logged).
func (g *Gateway) tryQuick(ctx context.Context, q QuickHandler, in Inbound) (text string, how Path, err error) {
	defer func() {
		if v := recover(); v != nil {
			text, how, err = "", FullPath, nil
		}
	}()
	return q.Quick(ctx, in)
}

// releaseLater releases a claim in the background, retrying while the
// database is unreachable (WeChat re-delivers for about 15 s; a longer
// outage loses the message at WeChat's end whatever we do).
func (g *Gateway) releaseLater(key string, at time.Time) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		for i := 0; i < 120; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := g.Inbox.ReleaseInboundClaim(ctx, key, at)
			cancel()
			if err == nil {
				return
			}
			time.Sleep(time.Second)
		}
		g.Log.Error("wechat callback: could not release a claim; its re-deliveries will be answered without effect", "kind", "unknown")
	}()
}

// finish stores the reply so a re-delivery gets the same answer. An empty
// reply is not stored: a re-delivery that finds the claim still processing
// is answered "success", as it would be with an empty reply stored, so
// events and other silent messages cost one commit less. A late answer,
// sent as a customer message, is such an empty reply: a retry does not
// send it a second time.
func (g *Gateway) finish(ctx context.Context, key string, reply []byte) {
	if len(reply) == 0 {
		return
	}
	// With the claims and replies of the callbacks arriving meanwhile.
	w := model.InboundWrite{Op: model.StoreReply, Key: key, Reply: string(reply)}
	if _, err := g.inbox.do(ctx, w, maxInboxBatch, g.Inbox.WriteInboundBatch); err != nil {
		g.Log.Error("wechat callback: store reply", "err", err)
	}
}

// await answers a re-delivery of a message this instance is handling
// with the reply the first delivery stored, once first (its handling's
// done) is closed. When that delivery left no record (its claim failed,
// or its handler did and the claim is released), WeChat is asked to
// deliver again; when it left one without a reply (a late answer, sent as
// a customer message), the re-delivery is answered with nothing.
func (g *Gateway) await(ctx context.Context, key string, first chan struct{}) (reply []byte, ok bool) {
	select {
	case <-first:
	case <-ctx.Done():
		return nil, true
	}
	again, err := g.Inbox.GetInbound(ctx, key)
	switch {
	case err == nil && again.State == model.InboundDone:
		return []byte(again.Reply), true
	case errors.Is(err, model.ErrNotFound):
		return nil, false
	}
	return nil, true
}

// replay answers a re-delivery with the first delivery's reply, waiting
// briefly when that delivery is still being handled on this instance.
func (g *Gateway) replay(ctx context.Context, key string, prior model.Inbound) []byte {
	if prior.State == model.InboundDone {
		return []byte(prior.Reply)
	}
	if ch, ok := g.inflight.Load(key); ok {
		select {
		case <-ch.(chan struct{}):
		case <-ctx.Done():
			return nil
		}
		again, err := g.Inbox.GetInbound(ctx, key)
		if err == nil && again.State == model.InboundDone {
			return []byte(again.Reply)
		}
	}
	// Still running elsewhere: it will answer by customer message if late.
	return nil
}

// handle runs the handler. A panic is logged and becomes an empty answer
// (retrying would panic again); an error is returned, so the message can be
// delivered again.
func (g *Gateway) handle(ctx context.Context, in Inbound) (text string, err error) {
	defer func() {
		if v := recover(); v != nil {
			g.Log.Error("panic while handling a WeChat message", "kind", in.Kind(), "panic", fmt.Sprint(v))
			text, err = "", nil
		}
	}()
	text, err = g.Handler.Handle(ctx, in)
	if err != nil {
		g.Log.Error("handling a WeChat message; WeChat will retry", "kind", in.Kind(), "err", err)
	}
	return text, err
}

// Wait blocks until background answers have finished, for shutdown.
func (g *Gateway) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// MaxPassiveReply is the most text, in bytes, one WeChat message carries.
const MaxPassiveReply = 2000

// SplitReply cuts text into messages of at most limit bytes, at line
// breaks where it can, never inside a character.
func SplitReply(text string, limit int) []string {
	var parts []string
	for len(text) > limit {
		cut := strings.LastIndexByte(text[:limit], '\n')
		if cut <= 0 {
			cut = limit
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		parts = append(parts, strings.TrimRight(text[:cut], "\n"))
		text = strings.TrimLeft(text[cut:], "\n")
	}
	if text != "" {
		parts = append(parts, text)
	}
	return parts
}
