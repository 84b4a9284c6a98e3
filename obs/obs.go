// Package obs holds deputybot's operational instruments: Prometheus
// counters and histograms that bot, notify and scheduler record into and
// handlers serves at /metrics (Register puts them in its registry). It
// imports nothing of deputybot, so any package can record without an
// import cycle.
//
// Every label value is bounded: callback types, WeChat errcodes, flows and
// job names outside the known sets are counted as "other", so a hostile or
// unexpected input cannot grow the number of series.
package obs

import (
	"regexp"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Callback outcomes (label outcome of deputybot_callbacks_total).
const (
	Replied          = "replied"           // answered with a message
	Empty            = "empty"             // answered "success": nothing to say
	Duplicate        = "duplicate"         // a re-delivery, answered from the first delivery
	Late             = "late"              // not done in time: answered "success", the reply follows as a customer message
	Malformed        = "malformed"         // could not be decrypted or parsed: logged, answered "success"
	RefusedSignature = "refused_signature" // bad or missing signature: 403
	RefusedStale     = "refused_stale"     // timestamp too far from now: 403
	RefusedPlaintext = "refused_plaintext" // unencrypted while an EncodingAESKey is set: 403
	RefusedReplay    = "refused_replay"    // a signature already used with another body: 403
	RefusedSize      = "refused_size"      // body over the limit: 413
	Error            = "error"             // not recorded or the handler failed: 503, WeChat re-delivers
)

var (
	callbacks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_callbacks_total",
		Help: "WeChat callbacks (POST /wechat) by message type and outcome.",
	}, []string{"type", "outcome"})
	callbackDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "deputybot_callback_duration_seconds",
		Help: "Time to answer a WeChat callback, by message type. WeChat gives up after 5 s.",
		// Fine below 1 s, then every second up to WeChat's limit.
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 4, 5, 10},
	}, []string{"type"})
	deliveriesSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_deliveries_sent_total",
		Help: "Send requests to WeChat by channel (template, custom) and errcode (0 = accepted, network = no answer).",
	}, []string{"channel", "errcode"})
	dispatchAttempts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_dispatch_attempts_total",
		Help: "Deliveries the dispatcher claimed and settled, by result (sent, retry, failed); rate() is the dispatch rate.",
	}, []string{"result"})
	tokenRefreshes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_token_refreshes_total",
		Help: "Access-token fetches from WeChat (2,000 a day allowed) by outcome (ok, error, stale: WeChat handed back the rejected token).",
	}, []string{"outcome"})
	cronRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_cron_runs_total",
		Help: "Scheduled-job runs on this instance by job and outcome (ok, failed, skipped).",
	}, []string{"job", "outcome"})
	conversationSteps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_conversation_steps_total",
		Help: "Chat-flow steps deputies answered, by flow.",
	}, []string{"flow"})
	conversationTimeouts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_conversation_timeouts_total",
		Help: "Chat flows found expired (idle past conversation.idle_timeout) when the deputy wrote again, by flow.",
	}, []string{"flow"})
)

func init() {
	// Series that alerts take rate() of exist from the start, at zero.
	for _, o := range []string{"ok", "error", "stale"} {
		tokenRefreshes.WithLabelValues(o)
	}
	for _, r := range []string{"sent", "retry", "failed"} {
		dispatchAttempts.WithLabelValues(r)
	}
}

// Register adds the instruments to reg. They are package-level, so
// several registries (one per test server) count the same values.
func Register(reg prometheus.Registerer) {
	reg.MustRegister(callbacks, callbackDuration, deliveriesSent, dispatchAttempts, tokenRefreshes,
		cronRuns, conversationSteps, conversationTimeouts)
}

// callbackTypes are the inbound kinds (bot.Inbound.Kind) kept as labels.
var callbackTypes = map[string]bool{
	"text": true, "image": true, "voice": true, "video": true, "shortvideo": true, "location": true, "link": true,
	"file": true, "event.subscribe": true, "event.unsubscribe": true, "event.scan": true, "event.location": true,
	"event.click": true, "event.view": true, "event.templatesendjobfinish": true, "event.masssendjobfinish": true,
	"event.view_miniprogram": true, "event.subscribe_msg_popup_event": true,
}

func callbackType(kind string) string {
	switch {
	case kind == "":
		return "unknown"
	case callbackTypes[kind]:
		return kind
	}
	return "other"
}

// knownCodes are the WeChat errcodes kept as labels: the ones deputybot
// acts on (see bot/client_errors.go) and the common refusals.
var knownCodes = map[int]bool{
	-1: true, 40001: true, 40003: true, 40013: true, 40014: true, 40037: true, 40125: true, 40164: true,
	41028: true, 42001: true, 43004: true, 43101: true, 45009: true, 45011: true, 45015: true, 45047: true,
	47001: true, 47003: true, 48001: true, 61024: true,
}

// ErrCode is the errcode label of a send: "0" when err is nil, the code
// when WeChat answered one, "network" when it did not answer.
func ErrCode(code int, err error) string {
	switch {
	case err == nil:
		return "0"
	case code == 0:
		return "network"
	case knownCodes[code]:
		return strconv.Itoa(code)
	}
	return "other"
}

// DeliverySent counts one send request to WeChat on channel ("template"
// or "custom") and how WeChat answered it.
func DeliverySent(channel string, code int, err error) {
	if channel != "template" && channel != "custom" {
		channel = "other"
	}
	deliveriesSent.WithLabelValues(channel, ErrCode(code, err)).Inc()
}

// Dispatched counts one claimed delivery settled with status (sent, retry
// or failed).
func Dispatched(status string) {
	switch status {
	case "sent", "retry", "failed":
	default:
		status = "other"
	}
	dispatchAttempts.WithLabelValues(status).Inc()
}

// TokenRefresh counts one access-token fetch from WeChat.
func TokenRefresh(err error) {
	if err != nil {
		tokenRefreshes.WithLabelValues("error").Inc()
		return
	}
	tokenRefreshes.WithLabelValues("ok").Inc()
}

// TokenStale counts a fetch that returned the very token WeChat had just
// rejected (another party force-refreshed it): a forced fetch follows.
func TokenStale() { tokenRefreshes.WithLabelValues("stale").Inc() }

// nameRE bounds flow and job names used as labels.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,31}$`)

func name(s string) string {
	if nameRE.MatchString(s) {
		return s
	}
	return "other"
}

// CronRun counts one run of job ending with status (ok, failed, skipped).
func CronRun(job, status string) {
	switch status {
	case "ok", "failed", "skipped":
	default:
		status = "other"
	}
	cronRuns.WithLabelValues(name(job), status).Inc()
}

// ConversationStep counts one answered step of flow.
func ConversationStep(flow string) { conversationSteps.WithLabelValues(name(flow)).Inc() }

// ConversationTimeout counts one conversation of flow that expired.
func ConversationTimeout(flow string) { conversationTimeouts.WithLabelValues(name(flow)).Inc() }
