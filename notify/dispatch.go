package notify

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"deputybot/model"
	"deputybot/obs"
)

// ErrClass is how a send failed, as the WeChat client classifies it.
type ErrClass int

// Error classes.
const (
	ClassUnknown   ErrClass = iota // the request may have been sent: outcome unknown
	ClassRetryable                 // try again later
	ClassPermanent                 // this message will never go (blocked, bad openid …)
	ClassAccount                   // the account's setup is wrong: stop and tell staff
	ClassWindow                    // customer-message window closed or its quota used
)

// Field is one template keyword and its value.
type Field struct{ Key, Value string }

// Sender is the WeChat client as the dispatcher uses it.
type Sender interface {
	SendTemplate(ctx context.Context, openid, templateID, url string, fields []Field, clientMsgID string) (int64, error)
	SendText(ctx context.Context, openid, text string) error
	// Classify says how a send failed and WeChat's errcode.
	Classify(err error) (ErrClass, int)
}

// unknownWindow is how long WeChat dedupes a client_msg_id: a send whose
// outcome is unknown may be retried with the same id within it.
const unknownWindow = 10 * time.Minute

// unknownRetry is how long after a send whose outcome is unknown the same
// client_msg_id goes again: the client has already waited ten seconds
// for an answer, so WeChat is done with the first request (and drops the
// repeat if it took it), and the window has minutes to run.
const unknownRetry = 2 * time.Second

// firstBackoff is the wait after WeChat's first refusal (-1 system busy,
// 45009 frequency limit); each further attempt triples it, up to an hour:
// 2 s, 6 s, 18 s, 54 s … so a passing refusal costs seconds (a campaign
// is not held up by the one deputy refused three times), and the eight
// attempts still span over half an hour of a WeChat in trouble.
const firstBackoff = 2 * time.Second

// A dispatcher beats (storage.BeatDispatcher) every beatEvery while it
// runs; one silent for silentAfter is taken for dead, and the deliveries
// it was sending go back to the queue (storage.ReleaseSilentClaims) before
// their lease ends. Only a dispatcher that has itself beaten without a
// gap for silentAfter judges others: after a database outage every
// dispatcher's last beat is old, and none is dead for that.
const (
	beatEvery   = time.Second
	silentAfter = 5 * time.Second
)

// straggle is how long a batch whose sends have all started waits without
// any of them finishing before it records those done and lets the next
// batch go: a send WeChat leaves unanswered holds its slot until the
// client gives up, not the whole dispatch.
const straggle = time.Second

// progressEvery is how often a batch going out records the sends done so
// far, so a campaign's counters follow it.
const progressEvery = time.Second

// Dispatcher sends due deliveries.
type Dispatcher struct {
	outbox  *Outbox // the campaigns it expands and the settings it reads
	id      string  // claims' owner, beaten into the dispatchers table
	sender  Sender
	links   *Signer
	limiter *rate.Limiter // rate.Inf when there is no limit
	notices sync.Map      // notice id -> storage.Notice
	slots   chan struct{} // sends in flight, at most Workers
	late    sync.WaitGroup

	qmu     sync.Mutex
	quiet   [2]int           // minutes of the day: start, end; equal means none
	applied DeliveryOverride // the quiet hours and rate last read
}

// NewDispatcher returns a dispatcher sending through sender.
func NewDispatcher(o *Outbox, sender Sender, links *Signer) (*Dispatcher, error) {
	d := &Dispatcher{outbox: o, id: rand.Text()[:16], sender: sender, links: links, limiter: rate.NewLimiter(rate.Inf, 1),
		slots: make(chan struct{}, o.cfg.Workers)}
	q, err := parseQuietHours(o.cfg.QuietHours)
	if err != nil {
		return nil, err
	}
	d.quiet = q
	d.setRate(o.cfg.RatePerSecond)
	d.applied = DeliveryOverride{QuietHours: o.cfg.QuietHours, RatePerSecond: o.cfg.RatePerSecond}
	return d, nil
}

// parseQuietHours reads "22:00-07:30" as minutes of the day; empty is none.
func parseQuietHours(q string) ([2]int, error) {
	if q == "" {
		return [2]int{}, nil
	}
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(q, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
		return [2]int{}, fmt.Errorf("notify: quiet hours %q: %w", q, err)
	}
	if h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return [2]int{}, fmt.Errorf("notify: quiet hours %q: not a time of day", q)
	}
	return [2]int{h1*60 + m1, h2*60 + m2}, nil
}

// setRate sets the send rate; 0 or less means no limit.
func (d *Dispatcher) setRate(perSecond float64) {
	if perSecond <= 0 {
		d.limiter.SetLimit(rate.Inf)
		return
	}
	d.limiter.SetBurst(max(1, int(perSecond)))
	d.limiter.SetLimit(rate.Limit(perSecond))
}

// applyDelivery puts the saved quiet hours and rate (read at most every
// 30 s) in force and returns the quiet window.
func (d *Dispatcher) applyDelivery(ctx context.Context) [2]int {
	cur := d.outbox.delivery(ctx)
	d.qmu.Lock()
	defer d.qmu.Unlock()
	if cur == d.applied {
		return d.quiet
	}
	if cur.QuietHours != d.applied.QuietHours {
		// A window that does not parse (validated on save, so only a
		// hand-edited database) leaves the one in force.
		if q, err := parseQuietHours(cur.QuietHours); err != nil {
			d.outbox.log.Warn("saved quiet hours ignored", "err", err)
		} else {
			d.quiet = q
		}
	}
	if cur.RatePerSecond != d.applied.RatePerSecond {
		d.setRate(cur.RatePerSecond)
	}
	d.applied = cur
	return d.quiet
}

// InQuietHours reports whether t falls in the quiet window (local time).
func (d *Dispatcher) InQuietHours(t time.Time) bool {
	q := d.applyDelivery(context.Background())
	start, end := q[0], q[1]
	if start == end {
		return false
	}
	lt := t.In(d.outbox.cfg.Loc)
	m := lt.Hour()*60 + lt.Minute()
	if start < end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

func (d *Dispatcher) day(t time.Time) string { return t.In(d.outbox.cfg.Loc).Format(time.DateOnly) }

// Run dispatches until ctx ends: due campaigns are expanded, due
// deliveries sent; when there is nothing to do it waits for the ticker.
// Beside it the dispatcher beats and hands back the claims of dispatchers
// gone silent. It returns when its last sends are recorded.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) {
	defer d.late.Wait()
	beats := make(chan struct{})
	go func() { defer close(beats); d.beat(ctx) }()
	defer func() { <-beats }()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.outbox.ExpandDue(ctx); err != nil && ctx.Err() == nil {
			d.outbox.log.Error("expanding campaigns", "err", err)
		}
		for ctx.Err() == nil {
			n, err := d.dispatch(ctx, true)
			if err != nil {
				if ctx.Err() == nil {
					d.outbox.log.Error("dispatching", "err", err)
				}
				break
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// beat records every beatEvery that this dispatcher is alive and hands
// back the claims of dispatchers gone silent (see Beat).
func (d *Dispatcher) beat(ctx context.Context) {
	t := time.NewTicker(beatEvery)
	defer t.Stop()
	var b Beats
	for {
		d.Beat(ctx, &b)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Beats is what a dispatcher remembers of its own beats: the first and
// the last of its current run without a gap.
type Beats struct{ since, last time.Time }

// Beat records that this dispatcher is alive now and, once it has done so
// without a gap (beats more than two beatEvery apart, or a failed one) for
// silentAfter, hands back the claims of dispatchers silent that long. It
// returns how many deliveries it handed back. Run beats every beatEvery.
func (d *Dispatcher) Beat(ctx context.Context, b *Beats) int64 {
	now := d.outbox.now()
	if err := d.outbox.db.BeatDispatcher(ctx, d.id, now); err != nil {
		b.since = time.Time{}
		if ctx.Err() == nil {
			d.outbox.log.Warn("dispatcher beat", "err", err)
		}
		return 0
	}
	if b.since.IsZero() || now.Sub(b.last) > 2*beatEvery {
		b.since = now
	}
	b.last = now
	if now.Sub(b.since) < silentAfter {
		return 0
	}
	n, err := d.outbox.db.ReleaseSilentClaims(ctx, now, now.Add(-silentAfter))
	switch {
	case err != nil && ctx.Err() == nil:
		d.outbox.log.Warn("releasing a silent dispatcher's claims", "err", err)
	case n > 0:
		d.outbox.log.Info("deliveries of a dispatcher gone silent back in the queue", "deliveries", n)
	}
	return n
}

// DispatchOnce claims one batch of due deliveries, sends them and records
// the outcomes; it returns how many it claimed.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	return d.dispatch(ctx, false)
}

// dispatch claims a batch, sends it (at most Workers sends in flight
// across batches) and records the outcomes. With early it returns once
// the batch's sends have all started and none has finished for straggle,
// having recorded those done; the rest record themselves as they finish
// (Run waits for them).
func (d *Dispatcher) dispatch(ctx context.Context, early bool) (int, error) {
	now := d.outbox.now()
	d.applyDelivery(ctx)
	limit := d.outbox.cfg.BatchSize
	day := d.day(now)
	used, err := d.outbox.db.QuotaUsed(ctx, day)
	if err != nil {
		return 0, err
	}
	if left := d.outbox.cfg.DailyQuota - used; left < limit {
		// Stop short of the quota; tomorrow's count starts afresh.
		limit = max(left, 0)
	}
	if limit == 0 {
		return 0, nil
	}
	batch, err := d.outbox.db.ClaimDue(ctx, d.id, now, limit, d.outbox.cfg.Lease, d.InQuietHours(now))
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	windows, err := d.outbox.db.LastInbound(ctx, openidsOf(batch))
	if err != nil {
		return 0, err
	}
	outs := make([]model.Outcome, len(batch))
	done := make(chan int, len(batch))
	var started atomic.Int32
	for i := range batch {
		go func() {
			outs[i] = d.sendInSlot(ctx, batch[i], windows[batch[i].OpenID], &started)
			done <- i
		}()
	}
	first := make(chan error, 1)
	d.late.Add(1)
	go func() {
		defer d.late.Done()
		d.record(ctx, day, batch, outs, done, early, &started, first)
	}()
	return len(batch), <-first
}

// sendInSlot waits for a free slot and sends dl in it.
func (d *Dispatcher) sendInSlot(ctx context.Context, dl model.Delivery, lastInbound time.Time, started *atomic.Int32) model.Outcome {
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		started.Add(1)
		return d.release(dl, outcomeOf(dl), 0, "")
	}
	defer func() { <-d.slots }()
	started.Add(1)
	out := d.send(ctx, dl, lastInbound)
	obs.Dispatched(out.Status)
	return out
}

// record writes the batch's outcomes as they arrive on done: all at once
// when the sends finish together, the usual case; with early, those done
// every progressEvery while the batch goes out (a rate-limited campaign's
// counters move as it sends, not at the end), and whenever all have
// started and none finished for straggle, and the rest when they finish.
// The error of the first write made once every send has started (or of
// any earlier write that failed) goes to first.
func (d *Dispatcher) record(ctx context.Context, day string, batch []model.Delivery, outs []model.Outcome, done <-chan int,
	early bool, started *atomic.Int32, first chan<- error) {
	var ready []int
	reported := false
	var pending error // a write's error not yet reported
	flush := func() {
		if len(ready) > 0 {
			dls, got := make([]model.Delivery, len(ready)), make([]model.Outcome, len(ready))
			for k, i := range ready {
				dls[k], got[k] = batch[i], outs[i]
			}
			ready = nil
			// Record even if ctx ended meanwhile: the sends happened.
			err := d.outbox.db.FinishDeliveries(context.WithoutCancel(ctx), day, got)
			if err == nil {
				err = d.afterBatch(ctx, dls, got)
			}
			switch {
			case err != nil && !reported && pending == nil:
				pending = err
			case err != nil && ctx.Err() == nil:
				d.outbox.log.Error("recording late sends", "err", err)
			}
		}
		if !reported && int(started.Load()) == len(batch) {
			first <- pending
			reported = true
		}
	}
	if early {
		timer := time.NewTimer(straggle)
		defer timer.Stop()
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for left := len(batch); left > 0; {
			select {
			case i := <-done:
				ready, left = append(ready, i), left-1
				timer.Reset(straggle)
			case <-tick.C:
				if len(ready) > 0 {
					flush()
				}
			case <-timer.C:
				if int(started.Load()) == len(batch) {
					flush()
				}
				timer.Reset(straggle)
			}
		}
	} else {
		for range batch {
			ready = append(ready, <-done)
		}
	}
	flush()
}

func openidsOf(ds []model.Delivery) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.OpenID)
	}
	return out
}

func (d *Dispatcher) notice(ctx context.Context, id int64) (model.Notice, error) {
	if n, ok := d.notices.Load(id); ok {
		return n.(model.Notice), nil
	}
	n, err := d.outbox.db.GetNotice(ctx, id)
	if err != nil {
		return n, err
	}
	d.notices.Store(id, n)
	return n, nil
}

// URL is the detail page a delivery links to.
func (d *Dispatcher) URL(dl model.Delivery, n model.Notice) string {
	if n.Link != "" {
		return n.Link
	}
	id := strconv.FormatInt(dl.ID, 10)
	return d.outbox.cfg.PublicURL + "/h5/d/" + id + "?t=" + d.links.Token("d"+id, dl.DeputyID)
}

// send delivers one message and says what happened.
func (d *Dispatcher) send(ctx context.Context, dl model.Delivery, lastInbound time.Time) model.Outcome {
	out := outcomeOf(dl)
	// A row whose lease ran out (its dispatcher died) may already have
	// reached WeChat: resending is harmless only with the same
	// client_msg_id inside WeChat's dedupe window. Past it, a resend could
	// be a second message, so the outcome stays unknown, as for a timeout.
	// The same holds for a retry after a timeout or a crash, however many
	// attempts refused outright (-1, 45009) came between.
	if dl.FirstTryAt.Valid && d.outbox.now().Sub(dl.FirstTryAt.Time) >= unknownWindow-time.Minute {
		switch {
		case dl.Interrupted():
			out.Status, out.Reason = model.DeliveryFailed, "发送中断，结果未知（已超过10分钟，为避免重复不再重试）"
			return out
		case unknownBefore(dl):
			out.Status, out.Reason = model.DeliveryFailed, "此前发送超时，结果未知（已超过10分钟，为避免重复不再重试）"
			return out
		}
	}
	n, err := d.notice(ctx, dl.NoticeID)
	switch {
	case ctx.Err() != nil:
		// Shutting down before this one went: it is due again at once.
		return d.release(dl, out, 0, "")
	case err != nil:
		return d.release(dl, out, 15*time.Second, "读取通知失败")
	}
	url := d.URL(dl, n)
	tmpl, hasTemplate := d.outbox.templates(ctx)[n.Kind]
	inWindow := !lastInbound.IsZero() && d.outbox.now().Sub(lastInbound) < 47*time.Hour
	// A customer message has no dedupe key (message/custom/send takes
	// none), so a row once cut off by a crash, whose cut-off attempt may
	// have been one (the deputy was in the 48-hour window then or is now),
	// is not sent again.
	if dl.Interrupted() && (conversational[n.Kind] || !hasTemplate) && !lastInbound.IsZero() &&
		lastInbound.After(dl.FirstTryAt.Time.Add(-47*time.Hour)) {
		out.Channel = "custom"
		out.Status, out.Reason = model.DeliveryFailed, "发送中断，结果未知（客服消息无法去重，为避免重复不再重发）"
		return out
	}
	useText := false
	switch {
	case conversational[n.Kind] && inWindow:
		useText, out.ChannelReason = true, "48小时内有互动，对话类通知用客服消息"
	case !hasTemplate && inWindow:
		useText, out.ChannelReason = true, "未配置该类模板，48小时内有互动，改用客服消息"
	case !hasTemplate:
		out.Channel = "template"
		out.Status, out.Reason = model.DeliveryFailed, "未配置“"+model.KindLabels[n.Kind]+"”的模板消息"
		return out
	default:
		out.ChannelReason = "模板消息"
	}
	if err := d.limiter.Wait(ctx); err != nil {
		// Shutting down before this one went: it is due again at once.
		return d.release(dl, out, 0, "")
	}
	if useText {
		out.Channel = "custom"
		err := d.sender.SendText(ctx, dl.OpenID, customText(n, url))
		d.observeSend("custom", err)
		if err == nil {
			out.Status, out.Attempted = model.DeliverySent, true
			return out
		}
		class, code := d.sender.Classify(err)
		if class != ClassWindow || !hasTemplate {
			return d.failure(ctx, dl, out, class, code, err)
		}
		out.ChannelReason = "客服消息不可用，改用模板消息"
	}
	out.Channel, out.Template = "template", true
	var fields []Field
	for _, kw := range tmpl.Keywords(n) {
		fields = append(fields, Field{Key: kw.Key, Value: kw.Value})
	}
	msgid, err := d.sender.SendTemplate(ctx, dl.OpenID, tmpl.ID, url, fields, out.ClientMsgID)
	d.observeSend("template", err)
	if err == nil {
		out.Status, out.MsgID, out.Attempted = model.DeliverySent, msgid, true
		return out
	}
	class, code := d.sender.Classify(err)
	return d.failure(ctx, dl, out, class, code, err)
}

// failure records what WeChat's answer (or its silence) to a send means.
func (d *Dispatcher) failure(ctx context.Context, dl model.Delivery, out model.Outcome, class ErrClass, code int, err error) model.Outcome {
	out.ErrCode, out.Attempted = code, true
	reason := truncate(err.Error(), 180)
	switch class {
	case ClassRetryable:
		return d.retry(dl, out, code, reason)
	case ClassUnknown:
		// The message may have gone: only the same client_msg_id within
		// WeChat's dedupe window may try again.
		if out.Channel == "template" && dl.FirstTryAt.Valid && d.outbox.now().Sub(dl.FirstTryAt.Time) < unknownWindow-time.Minute {
			out.Status, out.Reason, out.NextAt = model.DeliveryRetry, "超时，结果未知，以同一消息编号重试", d.outbox.now().Add(unknownRetry)
			if ctx.Err() != nil {
				// Cut off by this instance's shutdown, not by WeChat: like
				// a crash, that is no attempt, and another instance (or
				// this one restarted) may go on at once.
				out.Reason, out.NextAt, out.Attempted = "发送中断，结果未知，以同一消息编号重试", d.outbox.now(), false
			}
			return out
		}
		out.Status, out.Reason = model.DeliveryFailed, "超时，结果未知（为避免重复不再重试）"
		return out
	case ClassAccount:
		out.Status, out.Reason = model.DeliveryFailed, "公众号配置错误："+reason
		return out
	}
	out.Status, out.Reason = model.DeliveryFailed, reason
	return out
}

// retry schedules another attempt after WeChat refused one, with
// exponential backoff and jitter, or gives up after MaxAttempts. Only
// WeChat's answers count (dl.Attempts, and this one): a crash or a
// shutdown that cut a send off moves neither the backoff nor the limit.
func (d *Dispatcher) retry(dl model.Delivery, out model.Outcome, code int, reason string) model.Outcome {
	out.ErrCode, out.Attempted = code, true
	if unknownBefore(dl) {
		// Keep the mark: the dedupe window still counts from the first try.
		reason = "此前发送结果未知；" + reason
	}
	attempt := dl.Attempts + 1 // this one
	if attempt >= d.outbox.cfg.MaxAttempts {
		out.Status, out.Reason = model.DeliveryFailed, "重试次数已用尽："+reason
		return out
	}
	backoff := firstBackoff
	for range attempt - 1 {
		backoff = min(3*backoff, time.Hour)
	}
	jitter := time.Duration(mrand.Int64N(int64(backoff)/5 + 1))
	out.Status, out.Reason, out.NextAt = model.DeliveryRetry, reason, d.outbox.now().Add(backoff+jitter)
	return out
}

// outcomeOf is the outcome of dl before its send: every send of a
// delivery carries the same client_msg_id, so WeChat drops a repeat
// within its 10-minute window.
func outcomeOf(dl model.Delivery) model.Outcome {
	return model.Outcome{ID: dl.ID, ClientMsgID: "d" + strconv.FormatInt(dl.ID, 10)}
}

// release hands a delivery back unsent, due again after wait; it is no
// attempt. An empty reason keeps the delivery's own (and so any mark of
// an earlier unknown outcome).
func (d *Dispatcher) release(dl model.Delivery, out model.Outcome, wait time.Duration, reason string) model.Outcome {
	switch {
	case reason == "":
		reason = dl.Reason
	case unknownBefore(dl):
		reason = "此前发送结果未知；" + reason
	}
	out.Status, out.Reason, out.NextAt, out.ErrCode = model.DeliveryRetry, reason, d.outbox.now().Add(wait), dl.ErrCode
	out.Channel, out.ChannelReason = dl.Channel, dl.ChannelReason
	return out
}

// unknownBefore reports whether an earlier attempt of dl may have reached
// WeChat without an answer: a timeout (its reason says so, and keeps
// saying so through later retries) or a crash that cut a send off.
func unknownBefore(dl model.Delivery) bool {
	return dl.Interrupted() || strings.Contains(dl.Reason, "结果未知")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	for len(string(r)) > n {
		r = r[:len(r)-1]
	}
	return string(r)
}

// afterBatch pauses campaigns whose failures pass the threshold (or that hit
// an account error) and marks finished ones done. A campaign is counted
// only when the batch failed some of its deliveries: without a new failure
// its failure ratio can only fall, and counting a 200,000-recipient
// campaign after every batch made the dispatch slow down as it went.
func (d *Dispatcher) afterBatch(ctx context.Context, batch []model.Delivery, outs []model.Outcome) error {
	touched := map[int64]bool{} // campaign -> the batch failed some of it
	account := map[int64]string{}
	for i, dl := range batch {
		if !dl.CampaignID.Valid {
			continue
		}
		id, failed := dl.CampaignID.Int64, outs[i].Status == model.DeliveryFailed
		touched[id] = touched[id] || failed
		if failed && len(outs[i].Reason) > 0 && startsWith(outs[i].Reason, "公众号配置错误") {
			account[id] = outs[i].Reason
		}
	}
	var ids []int64
	for id, failures := range touched {
		ids = append(ids, id)
		if reason, ok := account[id]; ok {
			if err := d.outbox.Pause(ctx, id, "自动暂停："+reason+"。请检查公众号配置后恢复发送。"); err != nil && err != ErrBadState {
				return err
			}
			continue
		}
		if !failures {
			continue
		}
		counts, err := d.outbox.db.CampaignCounts(ctx, id)
		if err != nil {
			return err
		}
		failed := counts[model.DeliveryFailed]
		done := failed + counts[model.DeliverySent] + counts[model.DeliveryDelivered] + counts[model.DeliveryRead]
		if failed >= d.outbox.cfg.PauseMinFailures && float64(failed) > d.outbox.cfg.PauseFailureRatio*float64(done) {
			reason := fmt.Sprintf("自动暂停：发送失败过多（已处理 %d 条，失败 %d 条）。请查看失败原因，处理后恢复发送。", done, failed)
			if err := d.outbox.Pause(ctx, id, reason); err != nil && err != ErrBadState {
				return err
			}
			d.outbox.log.Warn("campaign paused itself", "campaign", id, "failed", failed, "done", done)
		}
	}
	finished, err := d.outbox.db.UnfinishedCampaigns(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range finished {
		if _, err := d.outbox.db.SetCampaignStatus(ctx, id, []string{model.CampaignSending}, model.CampaignDone, ""); err != nil {
			return err
		}
	}
	return nil
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
