// Package metrics is the service's Prometheus metrics: one registry per
// process, made in main and handed to the web server and the application
// layer (no package globals), served by `surveyd serve` on METRICS_ADDR, a
// listener of its own so it is never public by accident. Every method works
// on a nil *Metrics and then does nothing, so tests and the CLI need none.
// Labels carry route patterns, methods, statuses and kinds, never paths,
// tokens, names or answers.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the service's own series.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	saves     prometheus.Counter
	merges    prometheus.Counter
	conflicts prometheus.Counter
	submits   prometheus.Counter
	exports   *prometheus.CounterVec
	exportDur *prometheus.HistogramVec
	mail      *prometheus.CounterVec
	trends    *prometheus.CounterVec
	forms     *prometheus.CounterVec
}

// New makes a registry with the Go runtime's and the process's collectors
// and the service's series.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "surveyd_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "surveyd_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 100}},
		[]string{"route", "method"})
	m.saves = prometheus.NewCounter(prometheus.CounterOpts{Name: "surveyd_saves_total",
		Help: "Answers saved by a municipality (autosave, form or API), merged ones included."})
	m.merges = prometheus.NewCounter(prometheus.CounterOpts{Name: "surveyd_save_merges_total",
		Help: "Saves made from an older version and merged with a colleague's changes."})
	m.conflicts = prometheus.NewCounter(prometheus.CounterOpts{Name: "surveyd_save_conflicts_total",
		Help: "Saves and submits refused because a colleague changed the same answers (409)."})
	m.submits = prometheus.NewCounter(prometheus.CounterOpts{Name: "surveyd_submits_total",
		Help: "Responses submitted."})
	m.exports = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "surveyd_exports_total",
		Help: "Exports built, by kind (workbook, opendata) and result (ok, error)."},
		[]string{"kind", "result"})
	m.exportDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "surveyd_export_duration_seconds",
		Help:    "Time to build an export, by kind.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}}, []string{"kind"})
	m.mail = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "surveyd_mail_messages_total",
		Help: "E-mail messages by event (queued, sent, failed, retry) and kind (invitation, reminder, receipt, feedback …)."},
		[]string{"event", "kind"})
	m.trends = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "surveyd_trend_summaries_total",
		Help: "Earlier rounds' aggregates for the charts' trends, by event: read (kept in the database), made (the round's answers read), not_kept (made, but keeping it failed)."},
		[]string{"event"})
	m.forms = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "surveyd_prepared_answers_total",
		Help: "Responses' answers as the charts count them, as a round's charts read them, by event: read (the form kept in the database), made (the answers document decoded), kept (the form written to the database after), not_kept (writing it failed)."},
		[]string{"event"})
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.saves, m.merges, m.conflicts, m.submits, m.exports, m.exportDur, m.mail, m.trends, m.forms)
	return m
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// WatchDB exports the connection pool's statistics as go_sql_* series
// (connections in use and idle, waits for a connection and their time),
// labelled db_name="surveyd".
func (m *Metrics) WatchDB(db *sql.DB) {
	if m == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, "surveyd"))
}

// CounterFunc exports a counter the service keeps itself (read when
// scraped), e.g. the database round trips.
func (m *Metrics) CounterFunc(name, help string, read func() float64) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, read))
}

// Request counts an answered request by its route pattern.
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions:
	default:
		method = "other" // a label per made-up method would grow without end
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
}

// Saved counts a save; merged when it was merged with a colleague's.
func (m *Metrics) Saved(merged bool) {
	if m == nil {
		return
	}
	m.saves.Inc()
	if merged {
		m.merges.Inc()
	}
}

// Conflict counts a save or submit refused for a colleague's change.
func (m *Metrics) Conflict() {
	if m != nil {
		m.conflicts.Inc()
	}
}

// Submitted counts a submit.
func (m *Metrics) Submitted() {
	if m != nil {
		m.submits.Inc()
	}
}

// Exported counts an export of kind that took took; failed when it did
// not finish.
func (m *Metrics) Exported(kind string, took time.Duration, failed bool) {
	if m == nil {
		return
	}
	result := "ok"
	if failed {
		result = "error"
	}
	m.exports.WithLabelValues(kind, result).Inc()
	m.exportDur.WithLabelValues(kind).Observe(took.Seconds())
}

// Mail counts n messages of kind at event (queued, sent, failed, retry).
func (m *Metrics) Mail(event, kind string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.mail.WithLabelValues(event, kind).Add(float64(n))
}

// PreparedAnswers counts n responses' prepared answers as a round's
// charts read them at event (read, made, kept, not_kept).
func (m *Metrics) PreparedAnswers(event string, n int) {
	if m != nil && n > 0 {
		m.forms.WithLabelValues(event).Add(float64(n))
	}
}

// TrendSummary counts an earlier round's aggregate for the trends at event
// (read, made, not_kept).
func (m *Metrics) TrendSummary(event string) {
	if m != nil {
		m.trends.WithLabelValues(event).Inc()
	}
}
