package web

import (
	"errors"
	"net/http"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// home tells a visitor that the form opens through the personal link (and
// where coordinators sign in); a signed-in user goes to the workspace.
func (s *Server) home(c *gin.Context) error {
	if principalOf(c) != nil {
		c.Redirect(http.StatusSeeOther, "/surveys")
		return nil
	}
	l := s.lang(c)
	s.render(c, http.StatusOK, "message.html", messagePage{Page: s.page(c, l.T("home.title")), Body: l.T("home.body"),
		LinkURL: "/login", LinkText: l.T("home.login")})
	return nil
}

// respondPage shows the questionnaire: the form while the round is open,
// a read-only copy after it closes, a notice before it opens.
func (s *Server) respondPage(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	s.touch(c, r)
	l := s.lang(c)
	if r.state == store.RoundNotOpen {
		s.render(c, http.StatusOK, "message.html", messagePage{Page: s.page(c, l.T("notopen.title")),
			Body: l.T("notopen.body", l.when(r.Survey.OpensAt.In(s.tz), genitive))})
		return nil
	}
	shown := r.answers
	if r.state == store.RoundClosed && r.Response.SubmittedJSON != nil {
		// After closing, what counts is what was submitted.
		if sub, err := survey.DecodeAnswers(r.Response.SubmittedJSON); err == nil {
			shown = sub
		}
	}
	p := s.buildForm(c, r, formInput{values: valuesOf(r.def, shown, l)})
	switch c.Query("done") {
	case "saved":
		p.Flash = l.T("saved.flash")
	case "submitted":
		p.Flash = l.T("submitted.flash")
	}
	s.render(c, http.StatusOK, "form.html", p)
	return nil
}

// respondPost saves the form posted without JavaScript, and submits it when
// asked. Invalid input is shown again as typed, with its errors, and nothing
// is saved; a colleague's newer save is never overwritten without asking.
func (s *Server) respondPost(c *gin.Context) error {
	r, err := s.loadWritable(c)
	if err != nil {
		return err
	}
	form, base, err := versionedForm(c)
	if err != nil {
		return err
	}
	l := s.lang(c)
	saved, res, err := s.save(c.Request.Context(), r, base, answersOf(r.def, form))
	var ia *invalidAnswers
	var ce *store.ConflictError
	switch {
	case errors.As(err, &ia):
		p := s.buildForm(c, r, formInput{values: form, errors: res.Errors})
		p.ErrorSummary = l.T("errors.save")
		s.render(c, http.StatusUnprocessableEntity, "form.html", p)
		return nil
	case errors.As(err, &ce):
		// Show what they typed; saving again is an explicit choice, made
		// from the colleague's version number.
		p := s.buildForm(c, r, formInput{values: form})
		p.Conflict = true
		p.Version = ce.Current
		p.TheirsURL = "/r/" + c.Param("token")
		s.render(c, http.StatusConflict, "form.html", p)
		return nil
	case err != nil:
		return err
	}
	target := "/r/" + c.Param("token") + "?done=saved"
	if form.Get("action") == "submit" {
		r.Response = saved.Response
		r.answers = res.Answers
		submitted, err := s.submit(c.Request.Context(), r, saved.Response.Version, "errors.submit.saved")
		if err != nil {
			if errors.As(err, &ia) {
				p := s.buildForm(c, r, formInput{values: valuesOf(r.def, res.Answers, l), errors: ia.errors})
				p.ErrorSummary = l.T(ia.key)
				s.render(c, http.StatusUnprocessableEntity, "form.html", p)
				return nil
			}
			return err
		}
		s.queueReceipt(c, r, submitted)
		target = "/r/" + c.Param("token") + "?done=submitted"
	}
	c.Redirect(http.StatusSeeOther, target)
	return nil
}
