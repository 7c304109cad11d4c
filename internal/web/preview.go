package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// A coordinator's preview of a round's form: the form the municipality
// sees, for any municipality and whatever the round's state, whose answers
// are only checked (manage.CheckPreview), never stored.

// previewCheckRoute answers in JSON although it is not under /api/: the
// preview's autosave calls it (errors.go).
const previewCheckRoute = "/surveys/:slug/preview/:code/check"

func previewBase(slug, code string) string {
	return "/surveys/" + url.PathEscape(slug) + "/preview/" + url.PathEscape(code)
}

// previewChoose opens the preview for the municipality chosen on the
// round's settings page (?code=), the first one when none is chosen.
func (s *Server) previewChoose(c *gin.Context) error {
	code := c.Query("code")
	if code == "" {
		sv, def, err := s.loadRound(c)
		if err != nil {
			return err
		}
		settings, err := s.manage.RoundSettings(c.Request.Context(), actor(c), sv, def)
		if err != nil {
			return err
		}
		munis := settings.Municipalities
		manage.SortMunicipalities(munis, string(s.lang(c)))
		for _, m := range munis {
			if m.Active {
				code = m.Code
				break
			}
		}
	}
	c.Redirect(http.StatusSeeOther, previewBase(c.Param("slug"), code))
	return nil
}

// previewPage shows the form as the municipality would open it.
func (s *Server) previewPage(c *gin.Context) error {
	f, err := s.manage.Preview(c.Request.Context(), actor(c), c.Param("slug"), c.Param("code"))
	if err != nil {
		return err
	}
	l := s.lang(c)
	p := s.buildPreview(c, f, formInput{values: valuesOf(f.Def, f.Answers, l)}, f.Answers)
	s.render(c, http.StatusOK, "form.html", p)
	return nil
}

// previewPost checks what the form posted without JavaScript ("Pārbaudīt
// atbildes" in draft mode, "Pārbaudīt iesniegšanu" in submit mode) and
// shows it again as typed, with what the check found. Nothing is stored.
func (s *Server) previewPost(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	form := c.Request.PostForm
	submit := form.Get("action") == "submit"
	f, err := s.manage.Preview(c.Request.Context(), actor(c), c.Param("slug"), c.Param("code"))
	if err != nil {
		return err
	}
	chk, err := s.manage.CheckPreview(c.Request.Context(), actor(c), c.Param("slug"), c.Param("code"),
		answersOf(f.Def, form), submit)
	if err != nil {
		return err
	}
	l := s.lang(c)
	p := s.buildPreview(c, chk.Form, formInput{values: form, errors: chk.Errors}, chk.Answers)
	status := http.StatusOK
	switch {
	case !chk.OK() && submit:
		p.ErrorSummary, status = l.T("errors.submit"), http.StatusUnprocessableEntity
	case !chk.OK():
		p.ErrorSummary, status = l.T("preview.errors.check"), http.StatusUnprocessableEntity
	case submit:
		p.Flash = l.T("preview.submit.ok")
	default:
		p.Flash = l.T("preview.check.ok")
	}
	s.render(c, status, "form.html", p)
	return nil
}

// buildPreview is the respondent's page for a preview: the same form, with
// the preview's banner, its own wording for saving, and its checks in
// place of the respondent's API.
func (s *Server) buildPreview(c *gin.Context, f *manage.PreviewForm, in formInput, saved survey.Answers) formPage {
	l := s.lang(c)
	// The form as the municipality will see it while the round is open.
	r := &respondent{Survey: f.Survey, Municipality: f.Municipality, Def: f.Def, Answers: saved, State: domain.RoundOpen,
		Carried: f.Carried}
	p := s.buildForm(c, r, in)
	base := previewBase(f.Survey.Slug, f.Municipality.Code)
	p.Preview = true
	p.Title = l.T("preview.page.title", "title", p.SurveyTitle, "municipality", p.Municipality)
	p.Action = base
	p.SettingsURL = "/surveys/" + url.PathEscape(f.Survey.Slug) + "/settings"
	p.RoundState = f.Survey.State(s.now())
	p.RoundStateText = map[domain.RoundState]string{domain.RoundNotOpen: l.T("state.not_open"),
		domain.RoundOpen: l.T("state.open"), domain.RoundClosed: l.T("state.closed")}[p.RoundState]
	p.SavedAt = l.T("preview.nothing.saved")
	p.Client.API = base + "/check"
	p.Client.Preview = true
	for k, v := range map[string]string{"saving": "preview.checking", "saved": "preview.checked",
		"unsaved": "preview.unchecked", "saved.never": "preview.nothing.saved", "invalid": "preview.invalid",
		"failed": "preview.failed", "errors.save": "preview.errors.check", "submitting": "preview.checking"} {
		p.Client.Msgs[k] = l.raw(v)
	}
	return p
}

// previewCheckBody is the body of POST …/preview/:code/check.
type previewCheckBody struct {
	Answers json.RawMessage `json:"answers"`
	Submit  bool            `json:"submit"`
}

// previewChecked answers a check: the respondent API's fields (a 422
// "invalid_answers" with a message per answer key, or the cleared answers
// and the rules' warnings of a save), and what the form shows: the
// canonical answers, the questions shown and the progress.
type previewChecked struct {
	Error    string            `json:"error,omitempty"`
	Message  string            `json:"message,omitempty"`
	Errors   map[string]string `json:"errors"`
	Submit   bool              `json:"submit"`
	Cleared  []string          `json:"cleared"`
	Warnings map[string]string `json:"warnings"`
	Answers  survey.Answers    `json:"answers"`
	Visible  []string          `json:"visible"`
	Progress previewProgress   `json:"progress"`
}

// previewProgress counts the required questions shown and answered, in all
// and per section.
type previewProgress struct {
	Done     int                      `json:"done"`
	Total    int                      `json:"total"`
	Sections []previewSectionProgress `json:"sections"`
}

type previewSectionProgress struct {
	Code  string `json:"code"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// previewCheck checks the answers the preview's page holds, in draft mode
// or (submit: true) in submit mode, and stores nothing.
func (s *Server) previewCheck(c *gin.Context) error {
	var body previewCheckBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if len(body.Answers) == 0 {
		return badRequest(errors.New(`"answers" is missing`))
	}
	in, err := survey.DecodeAnswers(body.Answers)
	if err != nil {
		return badRequest(err)
	}
	chk, err := s.manage.CheckPreview(c.Request.Context(), actor(c), c.Param("slug"), c.Param("code"), in, body.Submit)
	if err != nil {
		return err
	}
	l := s.lang(c)
	out := previewChecked{Errors: map[string]string{}, Submit: chk.Submit, Cleared: chk.Cleared,
		Warnings: map[string]string{}, Answers: chk.Answers, Visible: []string{}}
	if out.Cleared == nil {
		out.Cleared = []string{}
	}
	for k, m := range chk.Errors {
		out.Errors[k] = m.In(string(l))
	}
	for k, m := range chk.Warnings {
		out.Warnings[k] = m.In(string(l))
	}
	for _, q := range chk.Form.Def.Questions() {
		if chk.Visible[q.Code] {
			out.Visible = append(out.Visible, q.Code)
		}
	}
	out.Progress.Done, out.Progress.Total = survey.Completion(chk.Progress)
	for _, sp := range chk.Progress {
		out.Progress.Sections = append(out.Progress.Sections, previewSectionProgress{Code: sp.Section.Code,
			Done: sp.Required - sp.RequiredMissing, Total: sp.Required})
	}
	status := http.StatusOK
	if !chk.OK() {
		status, out.Error, out.Message = http.StatusUnprocessableEntity, "invalid_answers", l.T("preview.errors.check")
		if chk.Submit {
			out.Message = l.T("errors.submit")
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, out)
	return nil
}
