package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

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
	s.log.Info("request", "request_id", rid, "method", c.Request.Method, "route", route(c),
		"status", c.Writer.Status(), "bytes", c.Writer.Size(), "duration_ms", time.Since(start).Milliseconds())
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

// securityHeaders: nothing from other origins, no framing, no referrer (the
// form's URL holds the personal link), no caching of answers.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if !strings.HasPrefix(c.Request.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
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
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health check: database does not answer", "error", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "down"})
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "database": "up"})
	return nil
}
