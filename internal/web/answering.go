package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// respondent is the context of a request made through a personal link.
type respondent struct {
	store.Respondent
	def     *survey.Definition
	answers survey.Answers // the working copy, canonical
	state   store.RoundState
}

// loadRespondent resolves the token. Malformed, unknown and revoked tokens
// are the same errNotFound, so a link's existence cannot be probed.
func (s *Server) loadRespondent(c *gin.Context) (*respondent, error) {
	hash, err := auth.ParseToken(c.Param("token"))
	if err != nil {
		return nil, errNotFound
	}
	r, err := s.store.RespondentByTokenHash(c.Request.Context(), hash)
	if err != nil {
		return nil, err
	}
	def, err := s.definition(r.Survey)
	if err != nil {
		return nil, err
	}
	answers, err := r.Response.Answers()
	if err != nil {
		return nil, err
	}
	return &respondent{Respondent: r, def: def, answers: answers, state: r.State(s.now())}, nil
}

// loadWritable resolves the token and refuses changes outside the
// answering window.
func (s *Server) loadWritable(c *gin.Context) (*respondent, error) {
	r, err := s.loadRespondent(c)
	if err != nil {
		return nil, err
	}
	return r, r.writable()
}

// writable refuses changes outside the answering window.
func (r *respondent) writable() error {
	switch r.state {
	case store.RoundNotOpen:
		return errRoundNotOpen
	case store.RoundClosed:
		return errRoundClosed
	}
	return nil
}

// save validates answers in draft mode and stores them from base version.
// Invalid answers change nothing (*invalidAnswers).
func (s *Server) save(ctx context.Context, r *respondent, base int, in survey.Answers) (store.Saved, survey.Result, error) {
	res := r.def.Validate(in, survey.Draft)
	if !res.OK() {
		return store.Saved{}, res, &invalidAnswers{errors: res.Errors, key: "errors.save"}
	}
	saved, err := s.store.Apply(ctx, r.change(base, res.Answers, false))
	return saved, res, err
}

// submit validates the stored answers in submit mode and marks them
// submitted, provided nobody saved since base.
func (s *Server) submit(ctx context.Context, r *respondent, base int, key string) (store.Saved, error) {
	if base != r.Response.Version {
		return store.Saved{}, &store.ConflictError{Current: r.Response.Version}
	}
	res := r.def.Validate(r.answers, survey.Submit)
	if !res.OK() {
		return store.Saved{}, &invalidAnswers{errors: res.Errors, key: key}
	}
	return s.store.Apply(ctx, r.change(base, res.Answers, true))
}

func (r *respondent) change(base int, answers survey.Answers, submit bool) store.Change {
	return store.Change{
		SurveyID:         r.Survey.ID,
		Municipality:     r.Municipality.Code,
		DefinitionSHA256: r.Survey.DefinitionSHA256,
		BaseVersion:      base,
		Answers:          answers,
		Submit:           submit,
		Actor:            store.Actor{Kind: store.ActorInvitation, InvitationID: r.Invitation.ID},
	}
}

// touch records that the link was used; failure only matters to the log.
func (s *Server) touch(c *gin.Context, r *respondent) {
	if err := s.store.TouchInvitation(c.Request.Context(), r.Invitation.ID); err != nil {
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

// closedSince is when answering ended for the municipality: the early
// closing, or its deadline.
func (r *respondent) closedSince() time.Time {
	if r.Survey.ClosedAt != nil && r.Survey.ClosedAt.Before(r.Deadline()) {
		return *r.Survey.ClosedAt
	}
	return r.Deadline()
}
