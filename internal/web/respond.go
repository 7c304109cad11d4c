package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
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

// openRespondent resolves the link of a page the municipality opens,
// records its use, and before the round opens answers with when it opens
// (shown is then false).
func (s *Server) openRespondent(c *gin.Context) (r *respondent, shown bool, err error) {
	if r, err = s.loadRespondent(c); err != nil {
		return nil, false, err
	}
	s.touch(c, r)
	if r.State == domain.RoundNotOpen {
		l := s.lang(c)
		s.render(c, http.StatusOK, "message.html", messagePage{Page: s.page(c, l.T("notopen.title")),
			Body: l.T("notopen.body", "date", l.when(r.Survey.OpensAt.In(s.tz), genitive))})
		return r, false, nil
	}
	return r, true, nil
}

// respondPage shows the questionnaire: the form while the round is open,
// a read-only copy after it closes, a notice before it opens.
func (s *Server) respondPage(c *gin.Context) error {
	r, ok, err := s.openRespondent(c)
	if err != nil || !ok {
		return err
	}
	l := s.lang(c)
	p := s.buildForm(c, r, formInput{values: valuesOf(r.Def, r.Shown(), l)})
	p.ResultsURL = s.resultsURL(c, r)
	switch c.Query("done") {
	case "saved":
		p.Flash = l.T("saved.flash")
	case "submitted":
		p.Flash = l.T("submitted.flash")
	case "merged-submit":
		p.Flash = l.T("merged.notsubmitted")
	case "confirmed":
		p.Flash = l.T("respond.carried.confirmed")
	}
	if m := c.Query("merged"); m != "" {
		for _, code := range strings.Split(m, ",") {
			if q := r.Def.Question(code); q != nil {
				p.Merged = append(p.Merged, q.Text.In(string(l)))
			}
		}
	}
	s.render(c, http.StatusOK, "form.html", p)
	return nil
}

// respondPost saves the form posted without JavaScript, and submits it when
// asked. Invalid input is shown again as typed, with its errors, and nothing
// is saved. A colleague's newer save is merged as the API does; where both
// changed the same questions, the page shows their answers beside what was
// typed and asks, question by question, which to keep.
func (s *Server) respondPost(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	if err := r.Writable(); err != nil {
		return err
	}
	form, base, err := versionedForm(c)
	if err != nil {
		return err
	}
	l := s.lang(c)
	post := manage.FormPost{Base: base, Answers: answersOf(r.Def, form), Theirs: form["theirs"],
		Submit: form.Get("action") == "submit" && form.Get("confirm") == "" && form.Get("confirm_section") == ""}
	saved, err := s.manage.SaveForm(c.Request.Context(), r, post, string(l))
	var ia *manage.InvalidAnswersError
	var mc *manage.MergeConflictError
	switch {
	case errors.As(err, &ia) && ia.Submit:
		// Saved, but not complete enough to submit.
		p := s.buildForm(c, r, formInput{values: valuesOf(r.Def, saved.Answers, l), errors: ia.Errors})
		p.ErrorSummary = l.T("errors.submit.saved")
		s.render(c, http.StatusUnprocessableEntity, "form.html", p)
		return nil
	case errors.As(err, &ia):
		p := s.buildForm(c, r, formInput{values: form, errors: ia.Errors})
		p.ErrorSummary = l.T("errors.save.form")
		s.render(c, http.StatusUnprocessableEntity, "form.html", p)
		return nil
	case errors.As(err, &mc):
		// The colleague's answers, with what this person changed on top:
		// saving again (from the current version) keeps theirs except
		// where "take theirs" is ticked.
		values := valuesOf(r.Def, mc.Answers, l)
		for _, code := range mc.Changed {
			if q := r.Def.Question(code); q != nil {
				for _, k := range []string{q.Code, q.OtherKey()} {
					if v, ok := form[k]; ok {
						values[k] = v
					} else {
						values.Del(k)
					}
				}
			}
		}
		p := s.buildForm(c, r, formInput{values: values, conflict: mc})
		s.render(c, http.StatusConflict, "form.html", p)
		return nil
	case err != nil:
		return err
	}
	if codes := confirmCodes(r, form); codes != nil {
		// "Confirm" (one question, or a section's): what the page held is
		// saved above (a changed answer is confirmed by that), then the
		// carried-over answers asked for are confirmed as they are.
		if _, err := s.manage.ConfirmCarried(c.Request.Context(), r, codes, saved.Response.Version); err != nil {
			return err
		}
		q := url.Values{"done": {"confirmed"}}
		if len(saved.Merged) > 0 {
			q.Set("merged", strings.Join(saved.Merged, ","))
		}
		to := "/r/" + c.Param("token") + "?" + q.Encode()
		if sec := sectionOfConfirm(r, form); sec != "" {
			to += "#s-" + sec
		}
		c.Redirect(http.StatusSeeOther, to)
		return nil
	}
	s.logReceipt(c, saved)
	q := url.Values{"done": {"saved"}}
	if len(saved.Merged) > 0 {
		q.Set("merged", strings.Join(saved.Merged, ","))
	}
	switch {
	case saved.Submitted:
		q.Set("done", "submitted")
	case post.Submit:
		// A colleague's answers came in with this save: look before
		// submitting them.
		q.Set("done", "merged-submit")
	}
	c.Redirect(http.StatusSeeOther, "/r/"+c.Param("token")+"?"+q.Encode())
	return nil
}

// confirmCodes are the questions a "confirm" button asks to confirm: its
// question ("confirm"), or every question of its section
// ("confirm_section"); nil when no such button was pressed. Codes not
// carried over are skipped by manage.ConfirmCarried.
func confirmCodes(r *respondent, form url.Values) []string {
	if code := form.Get("confirm"); code != "" {
		return []string{code}
	}
	code := form.Get("confirm_section")
	if code == "" {
		return nil
	}
	out := []string{}
	for _, sec := range r.Def.Sections {
		if sec.Code == code {
			for _, q := range sec.Questions {
				out = append(out, q.Code)
			}
		}
	}
	return out
}

// sectionOfConfirm is the section a "confirm" button was in, to open the
// page at it again.
func sectionOfConfirm(r *respondent, form url.Values) string {
	if code := form.Get("confirm_section"); code != "" {
		for _, sec := range r.Def.Sections {
			if sec.Code == code {
				return sec.Code
			}
		}
	}
	if q := r.Def.Question(form.Get("confirm")); q != nil {
		return q.Section().Code
	}
	return ""
}
