package obs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// value reads one counter (or histogram count) from a fresh registry.
func value(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	Register(reg)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func TestLabelValuesStayBounded(t *testing.T) {
	tests := []struct {
		name   string
		record func()
		metric string
		labels map[string]string
	}{
		{"an unknown message type counts as other",
			func() {
				ctx, c := StartCallback(context.Background())
				CallbackType(ctx, "event.<"+strings.Repeat("x", 200)+">")
				CallbackOutcome(ctx, Empty)
				c.Finish()
			},
			"deputybot_callbacks_total", map[string]string{"type": "other", "outcome": Empty}},
		{"an unknown errcode counts as other",
			func() { DeliverySent("template", 99999, errors.New("errcode=99999")) },
			"deputybot_deliveries_sent_total", map[string]string{"channel": "template", "errcode": "other"}},
		{"an error without errcode counts as network",
			func() { DeliverySent("custom", 0, errors.New("timeout")) },
			"deputybot_deliveries_sent_total", map[string]string{"channel": "custom", "errcode": "network"}},
		{"a flow name that is not a name counts as other",
			func() { ConversationStep("意见 flow") },
			"deputybot_conversation_steps_total", map[string]string{"flow": "other"}},
		{"an unknown job status counts as other",
			func() { CronRun("cleanup", "exploded") },
			"deputybot_cron_runs_total", map[string]string{"job": "cleanup", "outcome": "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := value(t, tt.metric, tt.labels)
			tt.record()
			if got := value(t, tt.metric, tt.labels) - before; got != 1 {
				t.Fatalf("%s%v went up by %v, want 1", tt.metric, tt.labels, got)
			}
		})
	}
}

func TestTheGatewaysOutcomeBeatsTheResponsesAndIsCountedOnce(t *testing.T) {
	late := map[string]string{"type": "text", "outcome": Late}
	before := value(t, "deputybot_callbacks_total", late)
	ctx, c := StartCallback(context.Background())
	CallbackType(ctx, "text")
	CallbackOutcome(ctx, Late) // the gateway gave up waiting
	c.Outcome(Empty)           // the handler saw "success"
	c.Finish()
	c.Finish()
	if got := value(t, "deputybot_callbacks_total", late) - before; got != 1 {
		t.Fatalf("late callbacks went up by %v, want 1", got)
	}
	// Without a callback in the context, noting is harmless.
	CallbackType(context.Background(), "text")
	CallbackOutcome(context.Background(), Replied)
}

func TestACallbackWithNoOutcomeIsAnError(t *testing.T) {
	unknown := map[string]string{"type": "unknown", "outcome": Error}
	before := value(t, "deputybot_callbacks_total", unknown)
	_, c := StartCallback(context.Background())
	c.Finish() // e.g. a panic before anything was noted
	if got := value(t, "deputybot_callbacks_total", unknown) - before; got != 1 {
		t.Fatalf("error callbacks went up by %v, want 1", got)
	}
}
