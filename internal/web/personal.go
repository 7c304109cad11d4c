package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/gin-gonic/gin"
)

// Personal data (issue 14 point 5): a round's retention period on its
// settings page, and the admins' page to find, export and erase what is
// held about a person. The person's e-mail or name is always posted, never
// put in an address, so it stays out of browser history and proxy logs.

// setRoundRetention sets the round's retention period (empty: keep until
// erased by hand).
func (s *Server) setRoundRetention(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	var days *int
	if v := strings.TrimSpace(c.Request.PostForm.Get("retention_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		days = &n
	}
	err = s.manage.SetRoundRetention(c.Request.Context(), actor(c), sv, days)
	switch {
	case errors.Is(err, manage.ErrRetentionRange):
		s.renderRound(c, http.StatusUnprocessableEntity, l.T("round.retention.bad"))
		return nil
	case err != nil:
		return err
	}
	s.log.Info("round retention set", "request_id", requestID(c), "survey", sv.Slug, "user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=retention#retention")
	return nil
}

// personalPage is the admins' page of a person's data: the search form,
// what was found, the confirmation of an erasure, or its outcome.
type personalPage struct {
	Page
	Query string
	Error string
	// Searched: a search ran (Found may be empty).
	Searched bool
	Found    personFound
	// Confirm: the confirmation step of an erasure.
	Confirm bool
	// Done is the outcome of an erasure.
	Done string
}

// personFound is domain.PersonData as the page lists it.
type personFound struct {
	Responses []personResponseView
	Contacts  []domain.PersonContact
	Messages  []domain.PersonMessage
	Users     []domain.PersonUser
	Erasable  bool
}

type personResponseView struct {
	Round, Municipality string
	Values              []string // "code: value" of the working copy
	Submitted           bool
	Revisions           int
}

func (s *Server) personalForm(c *gin.Context) error {
	l := s.lang(c)
	s.render(c, http.StatusOK, "personal.html", personalPage{Page: s.pageAt(c, l.T("personal.title"), "/admin/personal")})
	return nil
}

// personQuery reads the posted query: an e-mail address when it has an @,
// else a part of a name.
func personQuery(c *gin.Context) (string, domain.PersonQuery, error) {
	if err := c.Request.ParseForm(); err != nil {
		return "", domain.PersonQuery{}, formError(err)
	}
	q := strings.TrimSpace(c.Request.PostForm.Get("q"))
	if strings.Contains(q, "@") {
		return q, domain.PersonQuery{Email: q}, nil
	}
	return q, domain.PersonQuery{Name: q}, nil
}

// renderPersonal renders the page for the query; a refused query is 422.
func (s *Server) renderPersonal(c *gin.Context, raw string, d domain.PersonData, err error, edit func(*personalPage)) error {
	l := s.lang(c)
	p := personalPage{Page: s.pageAt(c, l.T("personal.title"), "/admin/personal"), Query: raw}
	status := http.StatusOK
	switch {
	case errors.Is(err, manage.ErrPersonQuery):
		p.Error, status = l.T("personal.bad"), http.StatusUnprocessableEntity
	case err != nil:
		return err
	default:
		p.Searched, p.Found = true, foundView(d)
	}
	if edit != nil {
		edit(&p)
	}
	s.render(c, status, "personal.html", p)
	return nil
}

func foundView(d domain.PersonData) personFound {
	f := personFound{Contacts: d.Contacts, Messages: d.Messages, Users: d.Users,
		Erasable: len(d.Responses)+len(d.Contacts)+len(d.Messages) > 0}
	for _, r := range d.Responses {
		v := personResponseView{Round: r.Survey, Municipality: r.Municipality, Submitted: len(r.Submitted) > 2,
			Revisions: len(r.Revisions)}
		var a map[string]any
		_ = json.Unmarshal(r.Answers, &a)
		for k, x := range a {
			v.Values = append(v.Values, fmt.Sprintf("%s: %v", k, x))
		}
		slices.Sort(v.Values)
		f.Responses = append(f.Responses, v)
	}
	return f
}

// personalSearch shows what is held about the person posted.
func (s *Server) personalSearch(c *gin.Context) error {
	raw, q, err := personQuery(c)
	if err != nil {
		return err
	}
	d, err := s.manage.FindPerson(c.Request.Context(), actor(c), q)
	return s.renderPersonal(c, raw, d, err, nil)
}

// personalExport downloads everything held about the person posted as one
// JSON file.
func (s *Server) personalExport(c *gin.Context) error {
	raw, q, err := personQuery(c)
	if err != nil {
		return err
	}
	b, err := s.manage.ExportPerson(c.Request.Context(), actor(c), q, s.now())
	if errors.Is(err, manage.ErrPersonQuery) {
		return s.renderPersonal(c, raw, domain.PersonData{}, err, nil)
	}
	if err != nil {
		return err
	}
	s.log.Info("personal data exported", "request_id", requestID(c), "user_id", principalOf(c).user.ID)
	c.Header("Content-Disposition", `attachment; filename="personas-dati-`+s.now().In(s.tz).Format("2006-01-02")+`.json"`)
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	return nil
}

// personalErase erases what is held about the person posted once
// confirmed (confirm=1); without it, it shows what would be erased and
// asks.
func (s *Server) personalErase(c *gin.Context) error {
	l := s.lang(c)
	raw, q, err := personQuery(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if c.Request.PostForm.Get("confirm") != "1" {
		d, err := s.manage.FindPerson(ctx, actor(c), q)
		return s.renderPersonal(c, raw, d, err, func(p *personalPage) {
			p.Confirm = p.Found.Erasable
			p.Title = l.T("personal.confirm.title")
		})
	}
	_, e, err := s.manage.ErasePerson(ctx, actor(c), q)
	if errors.Is(err, manage.ErrPersonQuery) {
		return s.renderPersonal(c, raw, domain.PersonData{}, err, nil)
	}
	if err != nil {
		return err
	}
	s.log.Info("personal data erased", "request_id", requestID(c), "user_id", principalOf(c).user.ID,
		"responses", e.Responses, "revisions", e.Revisions, "contacts", e.Contacts, "messages", e.Messages)
	// What is left: nothing but the staff users it matches.
	d, err := s.manage.FindPerson(ctx, actor(c), q)
	return s.renderPersonal(c, raw, d, err, func(p *personalPage) {
		p.Done = l.T("personal.done", "responses", e.Responses, "revisions", e.Revisions, "contacts", e.Contacts,
			"messages", e.Messages)
	})
}
