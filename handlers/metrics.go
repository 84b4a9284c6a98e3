package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"deputybot/obs"
)

// Metrics is deputybot's Prometheus registry: HTTP traffic counted by the
// request middleware, the instruments bot, notify and scheduler record
// (package obs), and the outbox, the registry and the jobs' last successes
// read from the database at scrape time.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// Gauges are the figures read from the database at scrape time;
// *storage.DB implements them.
type Gauges interface {
	// DeliveryCounts counts deliveries by status.
	DeliveryCounts(ctx context.Context) (map[string]int, error)
	// CountDeputies counts the registry and the deputies bound to WeChat.
	CountDeputies(ctx context.Context) (total, bound int, err error)
	// DueDeliveryCount counts the deliveries due to be sent now.
	DueDeliveryCount(ctx context.Context) (int, error)
	// LastJobSuccesses returns when each job last finished successfully.
	LastJobSuccesses(ctx context.Context) (map[string]time.Time, error)
}

// NewMetrics registers the collectors; db may be nil (no database gauges).
func NewMetrics(db Gauges) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deputybot_http_requests_total", Help: "HTTP requests by area and status code.",
	}, []string{"area", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "deputybot_http_request_duration_seconds", Help: "HTTP request latency by area.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"area"})
	m.reg.MustRegister(m.requests, m.duration, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	obs.Register(m.reg)
	if db != nil {
		m.reg.MustRegister(&dbCollector{db: db})
	}
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 10 * time.Second})
}

// area groups paths so labels stay few: wechat, h5, admin, api, sim, other.
func area(path string) string {
	for _, a := range []string{"/wechat", "/h5/", "/admin/", "/api/", "/sim/", "/healthz", "/metrics"} {
		if len(path) >= len(a) && path[:len(a)] == a {
			return a[1:]
		}
	}
	return "other"
}

// observe records one request.
func (m *Metrics) observe(path string, code int, d time.Duration) {
	if m == nil {
		return
	}
	a := area(path)
	m.requests.WithLabelValues(a, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(a).Observe(d.Seconds())
}

var (
	deliveriesDesc = prometheus.NewDesc("deputybot_deliveries", "Deliveries by status.", []string{"status"}, nil)
	deputiesDesc   = prometheus.NewDesc("deputybot_deputies", "Deputies in the registry, and how many are bound to WeChat.", []string{"state"}, nil)
	upDesc         = prometheus.NewDesc("deputybot_database_up", "Whether the database answered the scrape.", nil, nil)
	queueDesc      = prometheus.NewDesc("deputybot_delivery_queue_due",
		"Deliveries due to be sent now (queued, due for retry, or left by a crashed dispatcher); during quiet hours only urgent ones go.", nil, nil)
	lastSuccessDesc = prometheus.NewDesc("deputybot_cron_last_success_timestamp_seconds",
		"When each scheduled job last finished successfully on any instance (Unix time).", []string{"job"}, nil)
)

// dbCollector reads gauges from the database when scraped.
type dbCollector struct{ db Gauges }

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- deliveriesDesc
	ch <- deputiesDesc
	ch <- upDesc
	ch <- queueDesc
	ch <- lastSuccessDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.db.DeliveryCounts(ctx)
	total, bound, err2 := c.db.CountDeputies(ctx)
	due, err3 := c.db.DueDeliveryCount(ctx)
	last, err4 := c.db.LastJobSuccesses(ctx)
	if err != nil || err2 != nil || err3 != nil || err4 != nil {
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1)
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(n), status)
	}
	ch <- prometheus.MustNewConstMetric(deputiesDesc, prometheus.GaugeValue, float64(total), "total")
	ch <- prometheus.MustNewConstMetric(deputiesDesc, prometheus.GaugeValue, float64(bound), "bound")
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(due))
	for job, at := range last {
		ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue, float64(at.Unix()), job)
	}
}
