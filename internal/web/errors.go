package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// appError is an error with a meaning for people: an HTTP status, a stable
// code for API clients and a message key (see i18n.go).
type appError struct {
	status int
	code   string
	key    string
	cause  error
	args   []any // the message's placeholders: name, value pairs
}

func (e *appError) Error() string {
	if e.cause != nil {
		return e.code + ": " + e.cause.Error()
	}
	return e.code
}

func (e *appError) Unwrap() error { return e.cause }

func badRequest(cause error) error {
	return &appError{status: http.StatusBadRequest, code: "bad_request", key: "badrequest.body", cause: cause}
}

var (
	errNotFound     = &appError{status: http.StatusNotFound, code: "not_found", key: "notfound.body"}
	errTooLarge     = &appError{status: http.StatusRequestEntityTooLarge, code: "too_large", key: "toolarge.body"}
	errRoundClosed  = &appError{status: http.StatusForbidden, code: "round_closed", key: "closedaction.body"}
	errRoundNotOpen = &appError{status: http.StatusForbidden, code: "round_not_open", key: "notopenaction.body"}
	// errBadText: a NUL byte or invalid UTF-8 in the address or a form
	// (refuseBadText).
	errBadText = &appError{status: http.StatusBadRequest, code: "invalid_characters", key: "badtext.body"}
)

// Retry-After of a 503, in seconds: the database did not answer in time,
// or more reports were asked for than are built at a time.
const (
	unavailableRetryAfter = 5
	busyRetryAfter        = 10
)

// invalidAnswers carries validation errors per question code (422).
type invalidAnswers struct {
	errors map[string]survey.Text
	key    string // summary message key
}

func (e *invalidAnswers) Error() string { return "invalid answers" }

// fail is the one place that turns an error into an HTTP response: JSON for
// /api/, a page otherwise. Unexpected errors are logged with the request id
// and shown only as that id.
func (s *Server) fail(c *gin.Context, err error) {
	l := s.lang(c)
	status, code, key := http.StatusInternalServerError, "internal", "error.body"
	var args []any
	var ae *appError
	var ce *domain.ConflictError
	var mc *manage.MergeConflictError
	var mbe *http.MaxBytesError
	var ia *invalidAnswers
	var mia *manage.InvalidAnswersError
	if errors.As(err, &mia) && !errors.As(err, &ia) {
		key := "errors.save"
		if mia.Submit {
			key = "errors.submit"
		}
		ia = &invalidAnswers{errors: mia.Errors, key: key}
		err = ia
	}
	switch {
	case errors.Is(err, manage.ErrRoundClosed):
		status, code, key = errRoundClosed.status, errRoundClosed.code, errRoundClosed.key
	case errors.Is(err, manage.ErrRoundNotOpen):
		status, code, key = errRoundNotOpen.status, errRoundNotOpen.code, errRoundNotOpen.key
	case errors.As(err, &mbe):
		status, code, key = errTooLarge.status, errTooLarge.code, errTooLarge.key
	case errors.As(err, &ae):
		status, code, key, args = ae.status, ae.code, ae.key, ae.args
	case errors.Is(err, domain.ErrUnauthenticated):
		status, code, key = errSignIn.status, errSignIn.code, errSignIn.key
	case errors.Is(err, domain.ErrForbidden):
		status, code, key = errForbidden.status, errForbidden.code, errForbidden.key
	case errors.Is(err, domain.ErrNotFound):
		status, code, key = errNotFound.status, errNotFound.code, errNotFound.key
	case errors.Is(err, reports.ErrNoContactList):
		status, code, key = http.StatusNotFound, "no_contact_list", "contactlist.none"
	case errors.Is(err, reports.ErrNotInRound):
		// No submitted answers, so no feedback report: "Lapa nav atrasta"
		// with the reason.
		status, code, key = http.StatusNotFound, "not_in_round", "feedback.notinround"
	case errors.Is(err, manage.ErrBusy):
		status, code, key = http.StatusServiceUnavailable, "busy", "busy.body"
		c.Header("Retry-After", strconv.Itoa(busyRetryAfter))
	case manage.IsUnavailable(err):
		status, code, key = http.StatusServiceUnavailable, "unavailable", "unavailable.body"
		if isAPI(c) {
			key = "unavailable.api"
		}
		c.Header("Retry-After", strconv.Itoa(unavailableRetryAfter))
	case errors.As(err, &mc):
		// A save from an older version that collides with a colleague's:
		// the questions to decide on and the answers now stored, so the
		// page can ask about those questions only.
		c.Header("Cache-Control", "no-store")
		c.AbortWithStatusJSON(http.StatusConflict, gin.H{"error": "version_conflict",
			"message": l.T("conflict.title"), "version": mc.Current, "conflicts": mc.Codes,
			"answers": mc.Answers})
		return
	case errors.As(err, &ce):
		c.Header("Cache-Control", "no-store")
		body := gin.H{"error": "version_conflict", "message": l.T("conflict.title"), "version": ce.Current}
		if ce.Erased {
			// Personal data was erased since the page's version: the page
			// reads the answers now stored and says why they changed.
			body["erased"] = true
		}
		c.AbortWithStatusJSON(http.StatusConflict, body)
		return
	case errors.As(err, &ia):
		msgs := make(map[string]string, len(ia.errors))
		for k, m := range ia.errors {
			msgs[k] = m.In(string(l))
		}
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"error": "invalid_answers",
			"message": l.T(ia.key), "errors": msgs})
		return
	}
	if status == http.StatusNotFound && key == errNotFound.key && !viaLink(c) {
		// Not a personal link: a mistyped address, an unknown round or
		// municipality. Only links get "Saite nav derīga".
		key = "pagenotfound.body"
		if isAPI(c) {
			key = "notfound.api"
		}
	}
	rid := requestID(c)
	switch {
	case status == http.StatusServiceUnavailable:
		s.log.Warn("request refused: "+code, "request_id", rid, "route", route(c), "error", err)
	case status >= 500:
		s.log.Error("request failed", "request_id", rid, "route", route(c), "error", err)
	}
	if key == "error.body" && !forRespondent(c) {
		key = "staff.error.body" // no "your saved answers" for staff
	}
	msg := l.T(key, args...)
	if key == "error.body" || key == "staff.error.body" {
		msg = l.T(key, "code", rid)
	}
	if isAPI(c) || c.FullPath() == previewCheckRoute {
		c.AbortWithStatusJSON(status, gin.H{"error": code, "message": msg})
		return
	}
	titleKey := "error.title"
	if code == errBadText.code {
		titleKey = "badtext.title"
	}
	if status == http.StatusNotFound {
		titleKey = "notfound.title"
		if key == "pagenotfound.body" || key == "feedback.notinround" {
			titleKey = "pagenotfound.title"
		}
		if code == "no_contact_list" {
			titleKey = "contactlist.title"
		}
	}
	switch status {
	case http.StatusServiceUnavailable:
		titleKey = code + ".title" // busy.title, unavailable.title
	case http.StatusUnauthorized:
		titleKey = "signin.title"
	case http.StatusForbidden:
		if code == "forbidden" {
			titleKey = "forbidden.title"
		}
	}
	page := messagePage{Page: s.page(c, l.T(titleKey)), Body: msg}
	switch {
	case status == http.StatusUnauthorized:
		page.LinkURL, page.LinkText = "/login", l.T("login.title")
	case key == "pagenotfound.body":
		page.LinkURL, page.LinkText = "/", l.T("pagenotfound.home")
	}
	if status != http.StatusNotFound && c.FullPath() == "/r/:token" && cleanText(c.Param("token")) {
		page.BackURL = "/r/" + c.Param("token") // the link works; offer the way back
	}
	s.render(c, status, "message.html", page)
	c.Abort()
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// forRespondent reports whether the request is a municipality's (its form
// and the form's API), whose error wording speaks of its link and answers;
// every other page is staff's.
func forRespondent(c *gin.Context) bool {
	p := c.Request.URL.Path
	return strings.HasPrefix(p, "/r/") || strings.HasPrefix(p, "/api/v1/r/")
}

// viaLink reports whether the request came by a personal or set-password
// link, whose unknown tokens all get the same "Saite nav derīga" page.
func viaLink(c *gin.Context) bool {
	p := c.Request.URL.Path
	return strings.HasPrefix(p, "/r/") || strings.HasPrefix(p, "/api/v1/r/") || strings.HasPrefix(p, "/password/")
}

func (s *Server) notFoundRoute(c *gin.Context) { s.fail(c, errNotFound) }

func (s *Server) methodNotAllowed(c *gin.Context) {
	s.fail(c, &appError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", key: "badrequest.body"})
}

// crossOriginDenied answers a state-changing request from another site
// (net/http.CrossOriginProtection) without touching anything. Its security
// headers are set by edge, which wraps the protection.
func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":"cross_origin","message":"Cross-origin request refused."}`))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	w.Write([]byte("Pieprasījums no citas vietnes noraidīts. / Cross-origin request refused.\n"))
}

// handle adapts a handler that returns its error, which goes to fail: the
// one place errors become responses.
func (s *Server) handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// formError is the error of a form body that could not be read: too large
// (413) or malformed (400).
func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return badRequest(err)
}

// versionedForm reads a posted form and its version field: the version of
// the response the change was made from (a stale one is refused later).
func versionedForm(c *gin.Context) (url.Values, int, error) {
	if err := c.Request.ParseForm(); err != nil {
		return nil, 0, formError(err)
	}
	base, ok := parseVersion(c.Request.PostForm.Get("version"))
	if !ok {
		return nil, 0, badRequest(errors.New("version missing"))
	}
	return c.Request.PostForm, base, nil
}
