// Package web is the HTTP face of the service (Gin): the municipality's
// answering form and its JSON API, and health checks. routes.go lists every
// route; errors.go is the one place that turns errors into HTTP statuses and
// pages or JSON bodies. Templates and interface wording are embedded.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/metrics"
	"github.com/civitas-lv/surveyd/static"
	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

// maxBody is the largest request body accepted (413 beyond it).
const maxBody = 1 << 20

// Options configures a Server.
type Options struct {
	Logger   *slog.Logger
	BaseURL  *url.URL
	TimeZone *time.Location
	// Now returns the current time (tests move it to open and close rounds).
	Now func() time.Time
	// Manager runs the operations (signing in and sessions too: its
	// Accounts settings).
	Manager *manage.Manager
	// TrustedProxies may set X-Forwarded-For (none by default).
	TrustedProxies []string
	// Request deadlines (defaults 10 s, 30 s and 100 s): by personal
	// link, every other request, and building a report or sending e-mail
	// (routes marked longRunning). A request whose database work has not ended by then
	// gets 503 with Retry-After.
	RespondentTimeout, StaffTimeout, ReportTimeout time.Duration
	// Metrics counts requests by route and status (nil: not counted).
	Metrics *metrics.Metrics
}

// Server holds the service's dependencies; it has no package-level state.
type Server struct {
	log     *slog.Logger
	baseURL *url.URL
	tz      *time.Location
	now     func() time.Time
	tmpl    *template.Template
	assets  map[string]string // static path → cache-busting version
	handler http.Handler
	engine  *gin.Engine
	// routeAccess is who may use each route, as routes.go declares it.
	routeAccess map[string]string

	manage  *manage.Manager
	metrics *metrics.Metrics

	respondentTimeout, staffTimeout, reportTimeout time.Duration

	// draining is set when the server is about to stop: /readyz answers
	// 503 so a proxy sends new requests elsewhere (Drain).
	draining atomic.Bool
}

// Drain marks the server as shutting down: from now on GET /readyz answers
// 503 "shutting_down" while everything else is still served, so a reverse
// proxy or orchestrator polling it stops sending requests here before the
// listener closes.
func (s *Server) Drain() { s.draining.Store(true) }

// New builds the server and its routes.
func New(o Options) (*Server, error) {
	s := &Server{log: o.Logger, baseURL: o.BaseURL, tz: o.TimeZone, now: o.Now,
		manage: o.Manager, metrics: o.Metrics, respondentTimeout: o.RespondentTimeout, staffTimeout: o.StaffTimeout, reportTimeout: o.ReportTimeout}
	if s.manage == nil {
		return nil, errors.New("web: Options.Manager is required")
	}
	for _, d := range []struct {
		t    *time.Duration
		dflt time.Duration
	}{{&s.respondentTimeout, 10 * time.Second}, {&s.staffTimeout, 30 * time.Second}, {&s.reportTimeout, 100 * time.Second}} {
		if *d.t <= 0 {
			*d.t = d.dflt
		}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.tz == nil {
		s.tz = time.UTC
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.loadAssets(); err != nil {
		return nil, err
	}
	tmpl, err := template.New("").Funcs(s.funcs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if err := escapePages(tmpl); err != nil {
		return nil, err
	}
	s.tmpl = tmpl

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(o.TrustedProxies); err != nil {
		return nil, err
	}
	s.routes(r)
	s.engine = r

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	s.handler = s.edge(cop.Handler(r))
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer is the http.Server the service runs on (cmd/surveyd serve),
// with its timeouts and header limit; tests run the same one.
func (s *Server) HTTPServer(addr string) *http.Server {
	// A report may take REPORT_TIMEOUT to build; its bytes still have to go out.
	return &http.Server{Addr: addr, Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: max(120*time.Second, s.reportTimeout+20*time.Second),
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: serverHeaderBytes}
}

// loadAssets fingerprints the static files so pages can cache them safely.
func (s *Server) loadAssets() error {
	s.assets = map[string]string{}
	return fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.assets[p] = hex.EncodeToString(sum[:4])
		return nil
	})
}

// asset returns the URL of a static file with its fingerprint.
func (s *Server) asset(p string) (string, error) {
	v, ok := s.assets[p]
	if !ok {
		return "", fmt.Errorf("no static file %q", p)
	}
	return "/static/" + p + "?v=" + v, nil
}

// Routes lists the registered routes (the authorization test walks them).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// escapePages has html/template escape every page (each *.html template)
// now rather than on its first execution: a page whose contexts it cannot
// work out stops the server at start-up instead of failing a person's
// request, and no request pays for the escaping (0.2–0.6 ms for the
// charts page). Each page is executed once, with no data, into nothing;
// only escaping errors count.
func escapePages(tmpl *template.Template) error {
	for _, t := range tmpl.Templates() {
		if !strings.HasSuffix(t.Name(), ".html") {
			continue
		}
		var te *template.Error
		if err := tmpl.ExecuteTemplate(io.Discard, t.Name(), nil); errors.As(err, &te) {
			return fmt.Errorf("template %s: %w", t.Name(), err)
		}
	}
	return nil
}
