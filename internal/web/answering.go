package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/gin-gonic/gin"
)

// respondent is the context of a request made through a personal link.
type respondent = manage.Respondent

// loadRespondent resolves the token. Malformed, unknown and revoked tokens
// are the same not-found, so a link's existence cannot be probed.
func (s *Server) loadRespondent(c *gin.Context) (*respondent, error) {
	return s.manage.RespondentByToken(c.Request.Context(), c.Param("token"), s.now())
}

// touch records that the link was used; failure only matters to the log.
func (s *Server) touch(c *gin.Context, r *respondent) {
	if err := s.manage.RecordLinkUse(c.Request.Context(), r); err != nil {
		s.log.Warn("record link use", "request_id", requestID(c), "error", err)
	}
}

func contextWithTimeout(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), d)
}

// lang returns the language of the request and remembers an explicit choice
// (?lang=) in a cookie.
func (s *Server) lang(c *gin.Context) lang {
	if v, ok := c.Get("lang"); ok {
		return v.(lang)
	}
	q := c.Query("lang")
	var l lang
	if isAPI(c) {
		// API clients say their language with ?lang= or Accept-Language.
		l = pickLang(q, "")
		if q == "" && strings.HasPrefix(strings.ToLower(c.GetHeader("Accept-Language")), "en") {
			l = en
		}
	} else {
		cookie, _ := c.Cookie("lang")
		l = pickLang(q, cookie)
		if q != "" {
			http.SetCookie(c.Writer, &http.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.baseURL != nil && s.baseURL.Scheme == "https"})
		}
	}
	c.Set("lang", l)
	return l
}
