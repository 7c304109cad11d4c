package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/gin-gonic/gin"
)

type contactsPage struct {
	Page
	Rows  []contactRow
	Flash string
}

type contactRow struct {
	Code, Name, Region string
	Text               string // one contact per line
	Count              int
	Error              string
}

func contactsText(list []store.Contact) string {
	var lines []string
	for _, c := range list {
		if c.Name != "" {
			lines = append(lines, c.Name+" <"+c.Email+">")
		} else {
			lines = append(lines, c.Email)
		}
	}
	return strings.Join(lines, "\n")
}

func (s *Server) contactsPage(c *gin.Context) error {
	s.renderContacts(c, http.StatusOK, "", "", "")
	return nil
}

// renderContacts shows every municipality's contacts; for one (code) it
// may show text as typed and its problem.
func (s *Server) renderContacts(c *gin.Context, status int, code, text, problem string) {
	l := s.lang(c)
	ctx := c.Request.Context()
	munis, err := s.store.Municipalities(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	contacts, err := s.store.Contacts(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := contactsPage{Page: s.pageAt(c, l.T("contacts.title"), "/contacts")}
	manage.SortMunicipalities(munis, string(l))
	for _, m := range munis {
		if !m.Active {
			continue
		}
		r := contactRow{Code: m.Code, Name: m.Name(string(l)), Region: m.PlanningRegion,
			Text: contactsText(contacts[m.Code]), Count: len(contacts[m.Code])}
		if m.Code == code {
			r.Text, r.Error = text, problem
		}
		p.Rows = append(p.Rows, r)
	}
	if c.Query("done") == "saved" {
		p.Flash = l.T("contacts.saved", c.Query("m"))
	}
	s.render(c, status, "contacts.html", p)
}

// saveContacts replaces one municipality's contacts.
func (s *Server) saveContacts(c *gin.Context) error {
	l := s.lang(c)
	code := c.Param("code")
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	text := c.Request.PostForm.Get("contacts")
	list, err := manage.ParseContacts(text)
	if err != nil {
		problem := l.T("contacts.bad", err.Error())
		if errors.Is(err, manage.ErrBadEmail) {
			problem = l.T("contacts.bad", strings.TrimSuffix(err.Error(), ": "+manage.ErrBadEmail.Error()))
		}
		s.renderContacts(c, http.StatusUnprocessableEntity, code, text, problem)
		return nil
	}
	if err := s.store.ReplaceContacts(c.Request.Context(), code, list); err != nil {
		return err
	}
	m, err := s.store.Municipality(c.Request.Context(), code)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/contacts?done=saved&m="+url.QueryEscape(m.Name(string(l)))+"#c-"+code)
	return nil
}
