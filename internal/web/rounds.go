package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// loadRound finds the round named in the path and its questionnaire.
func (s *Server) loadRound(c *gin.Context) (domain.Survey, *survey.Definition, error) {
	return s.manage.Round(c.Request.Context(), actor(c), c.Param("slug"))
}

// parseLocal reads a datetime-local value ("2026-12-15T23:59") in the
// service's time zone.
func (s *Server) parseLocal(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(v), s.tz); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

type roundItem struct {
	domain.Survey
	Title string
	State domain.RoundState
}

type surveysPage struct {
	Page
	Rounds        []roundItem
	CanCoordinate bool
	Flash         string
}

func (s *Server) surveysPage(c *gin.Context) error {
	l := s.lang(c)
	list, err := s.manage.Rounds(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	p := surveysPage{Page: s.page(c, l.T("surveys.title")), CanCoordinate: coordinate.Allows(principalOf(c).user.Role)}
	for _, sv := range list {
		title := sv.TitleLV
		if l == en {
			title = sv.TitleEN
		}
		p.Rounds = append(p.Rounds, roundItem{Survey: sv, Title: title, State: sv.State(s.now())})
	}
	s.render(c, http.StatusOK, "surveys.html", p)
	return nil
}

type newRoundPage struct {
	Page
	Slug, Opens, Closes string
	Errors              []string
}

func (s *Server) newRoundForm(c *gin.Context) error {
	l := s.lang(c)
	now := s.now().In(s.tz)
	s.render(c, http.StatusOK, "round_new.html", newRoundPage{Page: s.page(c, l.T("round.new.title")),
		Opens: now.Format("2006-01-02T15:04"), Closes: now.AddDate(0, 0, 28).Format("2006-01-02") + "T23:59"})
	return nil
}

// createRound makes a round from an uploaded definition file. The file is
// checked in full; every problem is listed and nothing is stored.
func (s *Server) createRound(c *gin.Context) error {
	l := s.lang(c)
	if err := c.Request.ParseMultipartForm(maxBody); err != nil {
		return formError(err)
	}
	f := c.Request.MultipartForm
	get := func(k string) string {
		if v := f.Value[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	p := newRoundPage{Page: s.pageAt(c, l.T("round.new.title"), "/surveys/new"), Slug: get("slug"), Opens: get("opens_at"), Closes: get("closes_at")}
	opens, ok1 := s.parseLocal(p.Opens)
	closes, ok2 := s.parseLocal(p.Closes)
	if !ok1 || !ok2 {
		p.Errors = append(p.Errors, l.T("round.dates.bad"))
	} else if err := manage.CheckRoundDates(opens, closes); err != nil {
		p.Errors = append(p.Errors, dateProblem(l, err))
	}
	var def *survey.Definition
	files := f.File["definition"]
	if len(files) == 0 {
		p.Errors = append(p.Errors, l.T("round.file.missing"))
	} else {
		data, err := readUpload(files[0])
		if err != nil {
			return err
		}
		def, err = survey.ParseAny(data, files[0].Filename) // YAML, JSON or XLSForm
		var de *survey.DefinitionError
		switch {
		case errors.As(err, &de):
			p.Errors = append(p.Errors, l.T("round.file.bad"))
			p.Errors = append(p.Errors, de.Problems...)
		case err != nil:
			p.Errors = append(p.Errors, l.T("round.file.bad"), err.Error())
		}
	}
	if len(p.Errors) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "round_new.html", p)
		return nil
	}
	sv, err := s.manage.CreateRound(c.Request.Context(), actor(c), def, p.Slug, opens, closes)
	switch {
	case errors.Is(err, manage.ErrBadSlug):
		p.Errors = append(p.Errors, l.T("round.slug.bad"))
		s.render(c, http.StatusUnprocessableEntity, "round_new.html", p)
		return nil
	case errors.Is(err, domain.ErrExists):
		slug := def.Slug
		if p.Slug != "" {
			slug = p.Slug
		}
		p.Errors = append(p.Errors, l.T("round.slug.taken", "slug", slug))
		s.render(c, http.StatusConflict, "round_new.html", p)
		return nil
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=created")
	return nil
}

// choice is an option of a select.
type choice struct{ Code, Name string }

type extensionView struct {
	Code, Name string
	Until      time.Time
}

type roundPage struct {
	Page
	Survey         domain.Survey
	Title          string
	State          domain.RoundState
	Opens, Closes  string
	Extensions     []extensionView
	Municipalities []choice
	// Publishable lists the free-text questions that may be shown to other
	// municipalities and published, with the current choice.
	Publishable  []publishableView
	Flash, Error string
	// Next is the form "a new round from this one".
	Next nextRoundForm
	// Previous is the round this one was made from, if any.
	Previous *domain.Survey
	// CanReplace: the round has not opened, so its questionnaire may be
	// replaced (the section "Aizstāt anketu"); ReplaceErrors are the
	// problems of a refused file.
	CanReplace    bool
	ReplaceErrors []string
	// Retention is the round's rule for its personal data; EraseAt when
	// it is due (nil: no period).
	Retention domain.Retention
	EraseAt   *time.Time
}

// nextRoundForm is what the form "a new round from this one" holds.
type nextRoundForm struct {
	Slug, Year, Opens, Closes string
	Error                     string
}

// nextRoundDefaults proposes the next round: a year later, the slug's year
// (if it has the reference year) the next one, the same dates a year on.
func (s *Server) nextRoundDefaults(sv domain.Survey) nextRoundForm {
	old, next := strconv.Itoa(sv.ReferenceYear), strconv.Itoa(sv.ReferenceYear+1)
	slug := ""
	if strings.Contains(sv.Slug, old) {
		slug = strings.ReplaceAll(sv.Slug, old, next)
	}
	return nextRoundForm{Slug: slug, Year: next,
		Opens:  sv.OpensAt.In(s.tz).AddDate(1, 0, 0).Format("2006-01-02T15:04"),
		Closes: sv.ClosesAt.In(s.tz).AddDate(1, 0, 0).Format("2006-01-02T15:04")}
}

type publishableView struct {
	Code, Label, Section string
	On, Preset           bool
}

func (s *Server) roundPage(c *gin.Context) error {
	s.renderRound(c, http.StatusOK, "")
	return nil
}

func (s *Server) renderRound(c *gin.Context, status int, problem string) {
	s.renderRoundWith(c, status, problem, nil)
}

// renderRoundWith renders the round's settings page; next, when not nil,
// is the form "a new round from this one" as posted; edit, if any, changes
// the page before it is rendered.
func (s *Server) renderRoundWith(c *gin.Context, status int, problem string, next *nextRoundForm, edit ...func(*roundPage)) {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	settings, err := s.manage.RoundSettings(c.Request.Context(), actor(c), sv, def)
	if err != nil {
		s.fail(c, err)
		return
	}
	ext, munis, pub := settings.Extensions, settings.Municipalities, settings.Publishable
	p := roundPage{Page: s.pageAt(c, l.T("round.title"), "/surveys/"+sv.Slug+"/settings"), Survey: sv, Title: sv.TitleLV, State: sv.State(s.now()),
		Opens: sv.OpensAt.In(s.tz).Format("2006-01-02T15:04"), Closes: sv.ClosesAt.In(s.tz).Format("2006-01-02T15:04"),
		Error: problem}
	if l == en {
		p.Title = sv.TitleEN
	}
	p.Next, p.Previous = s.nextRoundDefaults(sv), settings.Previous
	p.Retention, p.EraseAt = settings.Retention, settings.Retention.EraseAt()
	if next != nil {
		p.Next = *next
	}
	manage.SortMunicipalities(munis, string(l))
	for _, m := range munis {
		if e, ok := ext[m.Code]; ok {
			p.Extensions = append(p.Extensions, extensionView{Code: m.Code, Name: m.Name(string(l)), Until: e.ClosesAt})
		}
		if m.Active {
			p.Municipalities = append(p.Municipalities, choice{Code: m.Code, Name: m.Name(string(l))})
		}
	}
	for _, q := range def.Questions() {
		if on, ok := pub[q.Code]; ok {
			p.Publishable = append(p.Publishable, publishableView{Code: q.Code, Label: q.Text.In(string(l)),
				Section: q.Section().Title.In(string(l)), On: on, Preset: q.Publishable})
		}
	}
	if k := c.Query("done"); k != "" && problem == "" {
		p.Flash = l.T("round.done." + k)
	}
	p.CanReplace = p.State == domain.RoundNotOpen
	for _, f := range edit {
		f(&p)
	}
	s.render(c, status, "round.html", p)
}

// setRoundDates changes the answering window; it also reopens a round
// closed early or past its date.
func (s *Server) setRoundDates(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	opens, ok1 := s.parseLocal(c.Request.PostForm.Get("opens_at"))
	closes, ok2 := s.parseLocal(c.Request.PostForm.Get("closes_at"))
	if !ok1 || !ok2 {
		s.renderRound(c, http.StatusUnprocessableEntity, l.T("round.dates.bad"))
		return nil
	}
	done := "dates"
	if sv.State(s.now()) == domain.RoundClosed && closes.After(s.now()) {
		done = "reopened"
	}
	_, err = s.manage.SetRoundDates(c.Request.Context(), actor(c), sv, opens, closes)
	switch {
	case errors.Is(err, manage.ErrDateRange), errors.Is(err, manage.ErrDateOrder):
		s.renderRound(c, http.StatusUnprocessableEntity, dateProblem(l, err))
		return nil
	case err != nil:
		return err
	}
	s.log.Info("round dates set", "request_id", requestID(c), "survey", sv.Slug, "user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done="+done)
	return nil
}

// closeRound closes the round now, for everyone, extensions included.
func (s *Server) closeRound(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := s.manage.CloseRound(c.Request.Context(), actor(c), sv, s.now()); err != nil {
		return err
	}
	s.log.Info("round closed early", "request_id", requestID(c), "survey", sv.Slug, "user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=closed")
	return nil
}

// setExtension gives one municipality a later deadline.
func (s *Server) setExtension(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	code := c.Request.PostForm.Get("municipality")
	until, ok := s.parseLocal(c.Request.PostForm.Get("closes_at"))
	if !ok {
		s.renderRound(c, http.StatusUnprocessableEntity, l.T("round.dates.bad"))
		return nil
	}
	err = s.manage.SetExtension(c.Request.Context(), actor(c), sv, code, until)
	switch {
	case errors.Is(err, manage.ErrDateRange):
		s.renderRound(c, http.StatusUnprocessableEntity, dateProblem(l, err))
		return nil
	case errors.Is(err, manage.ErrExtensionEarly):
		s.renderRound(c, http.StatusUnprocessableEntity, l.T("extension.early"))
		return nil
	case errors.Is(err, domain.ErrNotFound):
		s.renderRound(c, http.StatusUnprocessableEntity, l.T("municipality.unknown"))
		return nil
	case err != nil:
		return err
	}
	back := c.Request.PostForm.Get("back")
	if back == "review" {
		c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/responses/"+code+"?done=extended")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=extended")
	return nil
}

func (s *Server) deleteExtension(c *gin.Context) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := s.manage.DeleteExtension(c.Request.Context(), actor(c), sv, c.Param("code")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=unextended")
	return nil
}

// readUpload reads an uploaded file (the request body is already limited
// to maxBody).
func readUpload(f *multipart.FileHeader) ([]byte, error) {
	fh, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, maxBody))
}

// setPublishable records which free-text questions of the round may be
// shown to other municipalities and published: the form lists every such
// question (question=code) and ticks the publishable ones (publishable=code).
func (s *Server) setPublishable(c *gin.Context) error {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	on := map[string]bool{}
	for _, code := range c.Request.PostForm["publishable"] {
		on[code] = true
	}
	ctx := c.Request.Context()
	for _, code := range c.Request.PostForm["question"] {
		err := s.manage.SetPublishable(ctx, actor(c), sv, def, code, on[code])
		if errors.Is(err, manage.ErrNotPublishable) || errors.Is(err, domain.ErrNotFound) {
			return badRequest(err)
		}
		if err != nil {
			return err
		}
	}
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=publishable")
	return nil
}

// createNextRound makes the next round from this one (manage.CreateRoundFrom):
// its questionnaire, links for every active municipality, last round's
// answers to carry_over questions for confirmation. A problem is shown at
// the form, with what was typed, and nothing is stored.
func (s *Server) createNextRound(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	next := nextRoundForm{Slug: strings.TrimSpace(f.Get("slug")), Year: strings.TrimSpace(f.Get("reference_year")),
		Opens: f.Get("opens_at"), Closes: f.Get("closes_at")}
	refuse := func(status int, problem string) error {
		next.Error = problem
		s.renderRoundWith(c, status, "", &next)
		return nil
	}
	year, err := strconv.Atoi(next.Year)
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, l.T("round.next.year.bad", "year", sv.ReferenceYear))
	}
	opens, ok1 := s.parseLocal(next.Opens)
	closes, ok2 := s.parseLocal(next.Closes)
	if !ok1 || !ok2 {
		return refuse(http.StatusUnprocessableEntity, l.T("round.dates.bad"))
	}
	res, err := s.manage.CreateRoundFrom(c.Request.Context(), actor(c), sv.Slug, next.Slug, year, opens, closes)
	switch {
	case errors.Is(err, manage.ErrBadSlug):
		return refuse(http.StatusUnprocessableEntity, l.T("round.slug.bad"))
	case errors.Is(err, manage.ErrReferenceYear):
		return refuse(http.StatusUnprocessableEntity, l.T("round.next.year.bad", "year", sv.ReferenceYear))
	case errors.Is(err, manage.ErrDateRange), errors.Is(err, manage.ErrDateOrder):
		return refuse(http.StatusUnprocessableEntity, dateProblem(l, err))
	case errors.Is(err, domain.ErrExists):
		return refuse(http.StatusConflict, l.T("round.slug.taken", "slug", next.Slug))
	case err != nil:
		return err
	}
	s.log.Info("round created from the previous one", "request_id", requestID(c), "survey", res.Survey.Slug,
		"from", sv.Slug, "links", len(res.Issued.Links), "carried", res.Carried, "user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+res.Survey.Slug+"/settings?done=next")
	return nil
}
