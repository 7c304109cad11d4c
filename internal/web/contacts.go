package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

type contactsPage struct {
	Page
	Rows  []contactRow
	Flash string
	// ImportError is why an uploaded contacts file could not be read.
	ImportError string
}

type contactRow struct {
	Code, Name, Region string
	Text               string // one contact per line
	Count              int
	Error              string
}

func contactsText(list []domain.Contact) string { return manage.ContactsText(list) }

func (s *Server) contactsPage(c *gin.Context) error {
	s.renderContacts(c, http.StatusOK, "", "", "")
	return nil
}

// renderContacts shows every municipality's contacts; for one (code) it
// may show text as typed and its problem.
func (s *Server) renderContacts(c *gin.Context, status int, code, text, problem string, extra ...func(*contactsPage)) {
	l := s.lang(c)
	o, err := s.manage.Contacts(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	munis, contacts := o.Municipalities, o.Contacts
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
	switch c.Query("done") {
	case "saved":
		p.Flash = l.T("contacts.saved", "municipality", c.Query("m"))
	case "imported":
		p.Flash = l.T("import.done", "count", c.Query("n"))
	}
	for _, f := range extra {
		f(&p)
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
		problem := l.T("contacts.bad", "problem", err.Error())
		if errors.Is(err, manage.ErrBadEmail) {
			problem = l.T("contacts.bad", "problem", strings.TrimSuffix(err.Error(), ": "+manage.ErrBadEmail.Error()))
		}
		s.renderContacts(c, http.StatusUnprocessableEntity, code, text, problem)
		return nil
	}
	m, err := s.manage.SaveContacts(c.Request.Context(), actor(c), code, list)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/contacts?done=saved&m="+url.QueryEscape(m.Name(string(l)))+"#c-"+code)
	return nil
}

// importPage previews a contacts import.
type importPage struct {
	Page
	File     string
	Import   manage.ContactImport
	Changes  []importChange
	Same     string // municipalities whose contacts the file leaves as they are
	Held     []importHeld
	Refused  []importRefused
	Lines    string // the lines to apply, as JSON
	Changed  int
	Conflict bool // the contacts changed after the preview
}

type importChange struct {
	manage.ContactChange
	Name string
}

type importHeld struct {
	Name  string
	Lines string
}

type importRefused struct {
	Line   int
	Text   string
	Reason string
}

// importContacts reads an uploaded contacts file (CSV or .xlsx) and shows
// what importing it would change; nothing changes yet.
func (s *Server) importContacts(c *gin.Context) error {
	l := s.lang(c)
	if err := c.Request.ParseMultipartForm(maxBody); err != nil {
		return formError(err)
	}
	files := c.Request.MultipartForm.File["file"]
	problem := func(key string, args ...any) error {
		s.renderContacts(c, http.StatusUnprocessableEntity, "", "", "", func(p *contactsPage) {
			p.ImportError = l.T(key, args...)
		})
		return nil
	}
	if len(files) == 0 || files[0].Size == 0 {
		return problem("import.missing")
	}
	data, err := readUpload(files[0])
	if err != nil {
		return err
	}
	ci, err := s.manage.PreviewContactImport(c.Request.Context(), actor(c), files[0].Filename, data)
	switch {
	case errors.Is(err, manage.ErrImportEncoding):
		return problem("import.encoding")
	case errors.Is(err, manage.ErrImportEmpty):
		return problem("import.empty")
	case errors.Is(err, manage.ErrImportTooLong):
		return problem("import.toolong", "max", manage.MaxImportRows)
	case errors.Is(err, manage.ErrImportHeader):
		return problem("import.header")
	case errors.Is(err, manage.ErrImportFormat):
		return problem("import.format")
	case err != nil:
		return err
	}
	s.renderImport(c, http.StatusOK, files[0].Filename, ci, false)
	return nil
}

// applyContactImport writes what the preview showed: the lines it carried
// (checked again), provided the contacts have not changed since.
func (s *Server) applyContactImport(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return formError(err)
	}
	f := c.Request.PostForm
	var lines []manage.ContactLine
	if err := json.Unmarshal([]byte(f.Get("lines")), &lines); err != nil || len(lines) == 0 {
		return badRequest(errors.New("import lines"))
	}
	ci, err := s.manage.ApplyContactImport(c.Request.Context(), actor(c), lines, f.Get("fingerprint"))
	switch {
	case errors.Is(err, manage.ErrContactsChanged):
		s.renderImport(c, http.StatusConflict, f.Get("file"), ci, true)
		return nil
	case errors.Is(err, manage.ErrImportInvalid):
		return badRequest(err)
	case err != nil:
		return err
	}
	s.log.Info("contacts imported", "request_id", requestID(c), "municipalities", ci.Changed(),
		"user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/contacts?done=imported&n="+strconv.Itoa(ci.Changed()))
	return nil
}

func (s *Server) renderImport(c *gin.Context, status int, file string, ci manage.ContactImport, conflict bool) {
	l := s.lang(c)
	lines, err := json.Marshal(ci.Lines)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := importPage{Page: s.pageAt(c, l.T("import.title"), "/contacts"), File: file, Import: ci, Lines: string(lines),
		Changed: ci.Changed(), Conflict: conflict}
	var same []string
	for _, ch := range ci.Changes {
		name := ch.Municipality.Name(string(l))
		if !ch.Changes() {
			same = append(same, name)
			continue
		}
		p.Changes = append(p.Changes, importChange{ContactChange: ch, Name: name})
	}
	survey.SortByName(p.Changes, string(l), func(c importChange) string { return c.Name })
	survey.SortByName(same, string(l), func(n string) string { return n })
	p.Same = strings.Join(same, ", ")
	for _, h := range ci.Held {
		nums := make([]string, len(h.Lines))
		for i, n := range h.Lines {
			nums[i] = strconv.Itoa(n)
		}
		p.Held = append(p.Held, importHeld{Name: h.Municipality.Name(string(l)), Lines: strings.Join(nums, ", ")})
	}
	survey.SortByName(p.Held, string(l), func(h importHeld) string { return h.Name })
	for _, r := range ci.Refused {
		var args []any
		if r.Value != "" {
			args = append(args, "value", r.Value)
		}
		p.Refused = append(p.Refused, importRefused{Line: r.Line, Text: r.Text, Reason: l.T("import.refused."+r.Reason, args...)})
	}
	s.render(c, status, "contacts_import.html", p)
}
