package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/gin-gonic/gin"
)

// access is what a route needs from the person asking: the levels of
// domain.Access, which the manage operations check too.
type access = domain.Access

const (
	signedIn   = domain.AccessSignedIn   // any role
	view       = domain.AccessView       // read results: viewer, coordinator, admin
	coordinate = domain.AccessCoordinate // change rounds, links, contacts, answers: coordinator, admin
	administer = domain.AccessAdminister // users and API tokens: admin
)

// principal is the signed-in user of a request.
type principal struct {
	user    domain.User
	session string // the session's token (its cookie); "" with an API token
	tokenID int64  // the API token's ID; 0 with a session
}

// seesPersonalData: contacts and personal answers are for coordinators and
// admins only.
func (p *principal) seesPersonalData() bool { return p != nil && coordinate.Allows(p.user.Role) }

// actor is who asks, for the manage operations: the signed-in user, or
// nobody (the zero Principal), from the client's address as Gin reads it
// (honouring TRUSTED_PROXIES), for the audit log.
func actor(c *gin.Context) domain.Principal {
	var out domain.Principal
	if p := principalOf(c); p != nil {
		out = domain.UserPrincipal(p.user)
		out.TokenID = p.tokenID
	}
	out.From = c.ClientIP()
	return out
}

const principalKey = "principal"

func principalOf(c *gin.Context) *principal {
	if v, ok := c.Get(principalKey); ok {
		return v.(*principal)
	}
	return nil
}

var (
	errSignIn    = &appError{status: http.StatusUnauthorized, code: "unauthorized", key: "signin.required"}
	errForbidden = &appError{status: http.StatusForbidden, code: "forbidden", key: "forbidden.body"}
)

// sessionCookie is __Host- prefixed (bound to this host, Secure, Path=/)
// when the service is served over https.
func (s *Server) sessionCookie() string {
	if s.secure() {
		return "__Host-surveyd_session"
	}
	return "surveyd_session"
}

func (s *Server) secure() bool { return s.baseURL != nil && s.baseURL.Scheme == "https" }

func (s *Server) setSessionCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: s.sessionCookie(), Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
}

// identify finds who is asking: a session cookie (pages and API), or an
// API token (API only). An unknown or expired credential is no principal;
// a stale cookie is cleared.
func (s *Server) identify(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, "/static/") || c.Request.URL.Path == "/healthz" {
		c.Next() // no database lookup for assets and health checks
		return
	}
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" && isAPI(c) {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.unauthorized(c)
			return
		}
		p, err := s.manage.TokenPrincipal(ctx, strings.TrimSpace(token))
		if errors.Is(err, domain.ErrUnauthenticated) {
			s.unauthorized(c)
			return
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Set(principalKey, &principal{user: p.User, tokenID: p.TokenID})
		c.Next()
		return
	}
	if cookie, err := c.Cookie(s.sessionCookie()); err == nil && cookie != "" {
		p, err := s.manage.SessionPrincipal(ctx, cookie, s.now())
		if errors.Is(err, manage.ErrSessionNotRecorded) {
			s.log.Warn("record session use", "request_id", requestID(c), "error", err)
			err = nil
		}
		switch {
		case err == nil:
			c.Set(principalKey, &principal{user: p.User, session: cookie})
		case !errors.Is(err, domain.ErrUnauthenticated):
			s.fail(c, err)
			return
		}
		if principalOf(c) == nil {
			s.setSessionCookie(c, "", -1)
		}
	}
	c.Next()
}

// unauthorized answers an API request with bad credentials.
func (s *Server) unauthorized(c *gin.Context) {
	c.Header("WWW-Authenticate", `Bearer realm="surveyd"`)
	s.fail(c, errSignIn)
}

// allow guards a route: nobody signed in goes to the sign-in page (401 for
// the API); a role without the access gets 403.
func (s *Server) allow(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		if p == nil {
			if isAPI(c) {
				s.unauthorized(c)
				return
			}
			if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
				c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			s.fail(c, errSignIn)
			return
		}
		if !a.Allows(p.user.Role) {
			s.fail(c, errForbidden)
			return
		}
		c.Next()
	}
}

// safeNext keeps a post-sign-in redirect on this site: it returns next as
// a browser would read it — tabs and newlines dropped wherever they are,
// leading and trailing spaces and control characters trimmed, \ read as /
// — when that is a path on this service (from the root, not //host, no
// scheme, nothing url.Parse reads as another host); else the workspace's
// home.
func safeNext(next string) string {
	const home = "/surveys"
	n := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, next)
	n = strings.TrimFunc(n, func(r rune) bool { return r <= ' ' })
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") ||
		strings.IndexFunc(n, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return home
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(u.Path, "//") {
		return home
	}
	return n
}

type loginPage struct {
	Page
	Next, Email string
	Error       string
	Flash       string
}

func (s *Server) loginForm(c *gin.Context) error {
	l := s.lang(c)
	if principalOf(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	p := loginPage{Page: s.page(c, l.T("login.title")), Next: c.Query("next")}
	switch c.Query("done") {
	case "out":
		p.Flash = l.T("login.out")
	case "password":
		p.Flash = l.T("password.set.done")
	case "expired":
		p.Flash = l.T("login.expired")
	}
	s.render(c, http.StatusOK, "login.html", p)
	return nil
}

// login signs in (manage.SignIn, which limits the attempts per account and
// per address); past the limit sign-in is refused for a while, even with
// the right password, and the page says how long.
func (s *Server) login(c *gin.Context) error {
	l := s.lang(c)
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	email := strings.ToLower(strings.TrimSpace(c.Request.PostForm.Get("email")))
	pw := c.Request.PostForm.Get("password")
	next := c.Request.PostForm.Get("next")
	p := loginPage{Page: s.page(c, l.T("login.title")), Next: next, Email: email}
	now := s.now()
	in, err := s.manage.SignIn(c.Request.Context(), email, pw, c.ClientIP(), now)
	var throttled *manage.ThrottledError
	switch {
	case errors.As(err, &throttled):
		wait := throttled.Wait
		mins := int((wait + time.Minute - 1) / time.Minute)
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		p.Error = l.T("login.throttled", "minutes", mins)
		s.render(c, http.StatusTooManyRequests, "login.html", p)
		return nil
	case errors.Is(err, manage.ErrSignInFailed):
		s.log.Info("sign-in failed", "request_id", requestID(c))
		p.Error = l.T("login.failed")
		s.render(c, http.StatusUnauthorized, "login.html", p)
		return nil
	case err != nil:
		return err
	}
	s.setSessionCookie(c, in.Token, int(in.Expires.Sub(now).Seconds()))
	s.log.Info("signed in", "request_id", requestID(c), "user_id", in.User.ID)
	c.Redirect(http.StatusSeeOther, safeNext(next))
	return nil
}

func (s *Server) logout(c *gin.Context) error {
	if p := principalOf(c); p != nil && p.session != "" {
		if err := s.manage.SignOut(c.Request.Context(), p.session, c.ClientIP()); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login?done=out")
	return nil
}

type passwordPage struct {
	Page
	Email   string
	Current bool // ask for the current password (changing, not setting)
	Action  string
	Error   string
	Flash   string
}

// passwordProblem words a refused password: "" when err is not about the
// password (a failure to report as such).
func passwordProblem(l lang, err error) string {
	switch {
	case errors.Is(err, auth.ErrPasswordShort):
		return l.T("password.short", "min", auth.MinPasswordLen)
	case errors.Is(err, auth.ErrPasswordLong):
		return l.T("password.long", "max", auth.MaxPasswordBytes)
	case errors.Is(err, auth.ErrPasswordControl):
		return l.T("password.control")
	case errors.Is(err, auth.ErrPasswordIsEmail):
		return l.T("password.email")
	case errors.Is(err, auth.ErrPasswordMismatch):
		return l.T("password.mismatch")
	case errors.Is(err, manage.ErrWrongPassword):
		return l.T("password.wrong")
	}
	return ""
}

func (s *Server) accountPage(c *gin.Context) error {
	l := s.lang(c)
	p := passwordPage{Page: s.page(c, l.T("account.title")), Email: principalOf(c).user.Email, Current: true,
		Action: "/account/password"}
	if c.Query("done") == "password" {
		p.Flash = l.T("password.changed")
	}
	s.render(c, http.StatusOK, "password.html", p)
	return nil
}

// changePassword needs the current password; other sessions of the user end.
func (s *Server) changePassword(c *gin.Context) error {
	l := s.lang(c)
	me := principalOf(c)
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	err := s.manage.ChangePassword(c.Request.Context(), actor(c), manage.PasswordChange{Current: f.Get("current_password"),
		New: f.Get("new_password"), Repeat: f.Get("repeat_password"), KeepSession: me.session})
	if problem := passwordProblem(l, err); problem != "" {
		s.render(c, http.StatusUnprocessableEntity, "password.html", passwordPage{
			Page: s.pageAt(c, l.T("account.title"), "/account"), Email: me.user.Email, Current: true,
			Action: "/account/password", Error: problem})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
	return nil
}

// passwordLinkForm shows the set-password form of a one-time link.
func (s *Server) passwordLinkForm(c *gin.Context) error {
	l := s.lang(c)
	email, err := s.manage.PasswordLinkEmail(c.Request.Context(), c.Param("token"))
	if errors.Is(err, domain.ErrNotFound) {
		err = errBadPasswordLink
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "password.html", passwordPage{Page: s.page(c, l.T("password.set.title")),
		Email: email, Action: "/password/" + c.Param("token")})
	return nil
}

var errBadPasswordLink = &appError{status: http.StatusNotFound, code: "not_found", key: "password.link.bad"}

// setPasswordByLink sets the password and uses up the link.
func (s *Server) setPasswordByLink(c *gin.Context) error {
	l := s.lang(c)
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	email, err := s.manage.SetPasswordByLink(c.Request.Context(), c.Param("token"), f.Get("new_password"), f.Get("repeat_password"),
		c.ClientIP())
	if errors.Is(err, domain.ErrNotFound) {
		return errBadPasswordLink
	}
	if problem := passwordProblem(l, err); problem != "" {
		s.render(c, http.StatusUnprocessableEntity, "password.html", passwordPage{Page: s.page(c, l.T("password.set.title")),
			Email: email, Action: "/password/" + c.Param("token"), Error: problem})
		return nil
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/login?done=password")
	return nil
}
