package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

const ridKey = "request_id"

// requestContext gives each request an id and logs it when done. The log
// names the route pattern (/r/:token), never the path: paths carry tokens.
func (s *Server) requestContext(c *gin.Context) {
	b := make([]byte, 8)
	rand.Read(b)
	rid := hex.EncodeToString(b)
	c.Set(ridKey, rid)
	c.Header("X-Request-Id", rid)
	start := time.Now()
	c.Next()
	took := time.Since(start)
	s.log.Info("request", "request_id", rid, "method", c.Request.Method, "route", route(c),
		"status", c.Writer.Status(), "bytes", c.Writer.Size(), "duration_ms", took.Milliseconds())
	s.metrics.Request(route(c), c.Request.Method, c.Writer.Status(), took)
}

func requestID(c *gin.Context) string { return c.GetString(ridKey) }

func route(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "(no route)"
}

// recoverPanic turns a panic into a logged 500 instead of a dropped
// connection.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic", "request_id", requestID(c), "route", route(c), "panic", fmt.Sprint(v),
				"stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.fail(c, fmt.Errorf("panic: %v", v))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// setSecurityHeaders sets the headers every response carries: nothing from
// other origins, no framing, no referrer (the form's URL holds the
// personal link), no caching of answers. edge calls it for every request,
// before anything else answers (Gin's handlers, the cross-origin refusal,
// the 431 below); static files then set their own Cache-Control.
func setSecurityHeaders(h http.Header, path string) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if !strings.HasPrefix(path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
}

// Request header limits. The service refuses headers (request line
// included) over maxHeaderBytes itself, with a 431 that carries the
// security headers. net/http reads up to serverHeaderBytes (the
// http.Server's MaxHeaderBytes, plus its 4 KiB of slack) and past that
// answers 431 on its own, before any handler, with no headers of ours.
const (
	maxHeaderBytes    = 64 << 10
	serverHeaderBytes = 256 << 10
)

// edge wraps the whole service: the security headers on every response,
// and the header limit.
func (s *Server) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header(), r.URL.Path)
		if n := headerSize(r); n > maxHeaderBytes {
			s.log.Info("request refused: headers too large", "bytes", n, "limit", maxHeaderBytes)
			l := pickLang(r.URL.Query().Get("lang"), "")
			w.Header().Set("Connection", "close")
			if strings.HasPrefix(r.URL.Path, "/api/") {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
				json.NewEncoder(w).Encode(map[string]string{"error": "headers_too_large", "message": l.T("headers.toolarge")})
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
			io.WriteString(w, lv.T("headers.toolarge")+"\n\n"+en.T("headers.toolarge")+"\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// headerSize is the size of the request's head as sent: the request line
// and every header line.
func headerSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2 + len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n
}

// refuseBadText answers 400 when the path, the query or a posted form's
// fields (urlencoded or multipart; not the uploaded files, which their
// handlers read) hold a NUL byte or bytes that are not UTF-8: PostgreSQL
// refuses both, and no person types them. It runs before anything looks
// at the request, for every route; JSON bodies of the API are checked by
// their decoders.
func (s *Server) refuseBadText(c *gin.Context) {
	r := c.Request
	ok := cleanText(r.URL.Path) && cleanText(r.URL.RawQuery)
	if ok {
		q, _ := url.ParseQuery(r.URL.RawQuery) // what parses; a malformed rest is the handler's
		ok = cleanValues(q)
	}
	if ok && r.Method == http.MethodPost && !isAPI(c) {
		var err error
		switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
		case "application/x-www-form-urlencoded":
			if err = r.ParseForm(); err == nil {
				ok = cleanValues(r.PostForm)
			}
		case "multipart/form-data":
			if err = r.ParseMultipartForm(maxBody); err == nil {
				ok = cleanValues(r.MultipartForm.Value)
			}
		}
		if err != nil {
			s.fail(c, formError(err))
			return
		}
	}
	if !ok {
		s.log.Info("request refused: NUL or invalid UTF-8", "request_id", requestID(c), "route", route(c))
		s.fail(c, errBadText)
		return
	}
	c.Next()
}

// cleanText reports whether s is UTF-8 without NUL bytes.
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func cleanValues(v map[string][]string) bool {
	for k, vs := range v {
		if !cleanText(k) {
			return false
		}
		for _, x := range vs {
			if !cleanText(x) {
				return false
			}
		}
	}
	return true
}

// baseContextKey keeps a request's context as it came, before deadline
// gave it a deadline, so that longRunning can give it another.
const baseContextKey = "base_context"

// deadline gives each request its deadline: RESPONDENT_TIMEOUT by personal
// link (the form, its API, the printable copy), STAFF_TIMEOUT for the rest.
// The store puts it on every database call made for the request, so a
// database that does not answer ends the request in time, as a 503
// (errors.go) instead of holding it.
func (s *Server) deadline(c *gin.Context) {
	d := s.staffTimeout
	if p := c.Request.URL.Path; strings.HasPrefix(p, "/r/") || strings.HasPrefix(p, "/api/v1/r/") {
		d = s.respondentTimeout
	}
	c.Set(baseContextKey, c.Request.Context())
	ctx, cancel := context.WithTimeout(c.Request.Context(), d)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// longRunning marks a route that takes long by nature (routes.go): building
// a report, sending e-mail. Its deadline is REPORT_TIMEOUT instead of
// STAFF_TIMEOUT.
func (s *Server) longRunning(c *gin.Context) {
	v, _ := c.Get(baseContextKey)
	base, ok := v.(context.Context)
	if !ok {
		base = c.Request.Context()
	}
	ctx, cancel := context.WithTimeout(base, s.reportTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// limitBody caps every request body at maxBody.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	}
	c.Next()
}

// serveStatic serves embedded files; fingerprinted URLs are cached for a year.
func (s *Server) serveStatic(fsys http.FileSystem) gin.HandlerFunc {
	files := http.FileServer(fsys)
	return func(c *gin.Context) {
		p := strings.TrimPrefix(c.Param("path"), "/")
		if _, ok := s.assets[p]; !ok {
			s.fail(c, errNotFound)
			return
		}
		if c.Query("v") != "" {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Header("Cache-Control", "no-cache")
		}
		req := c.Request.Clone(c.Request.Context())
		req.URL.Path = "/" + p
		files.ServeHTTP(c.Writer, req)
	}
}

// healthz answers 200 when the database answers, 503 when it does not.
func (s *Server) healthz(c *gin.Context) error {
	ctx, cancel := contextWithTimeout(c, 2*time.Second)
	defer cancel()
	if err := s.manage.Ping(ctx); err != nil {
		s.log.Warn("health check: database does not answer", "error", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "down"})
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "database": "up"})
	return nil
}

// readyz answers 200 when this instance should get traffic: it is not
// shutting down, the database answers and its schema is this build's;
// otherwise 503 with the reason (a stable code) and a sentence for the
// operator. /healthz stays the liveness check.
func (s *Server) readyz(c *gin.Context) error {
	c.Header("Cache-Control", "no-store")
	if s.draining.Load() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "reason": "shutting_down",
			"detail": "the server is shutting down"})
		return nil
	}
	ctx, cancel := contextWithTimeout(c, 2*time.Second)
	defer cancel()
	if nr := s.manage.Readiness(ctx); nr != nil {
		s.log.Warn("readiness check: not ready", "reason", nr.Reason)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "reason": nr.Reason, "detail": nr.Detail})
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
	return nil
}
