package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/gin-gonic/gin"
)

// contactListPage is the invitation list for the council meeting
// (personal data: coordinators and admins only).
type contactListPage struct {
	Page
	Survey      domain.Survey
	SurveyTitle string
	// List is nil when the round's questionnaire names no consent
	// question (NoList).
	List   *reports.ContactList
	NoList bool
}

func (s *Server) contactListPage(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	list, err := s.manage.ContactList(c.Request.Context(), actor(c), sv, string(l))
	p := contactListPage{Page: s.page(c, l.T("contactlist.title")), Survey: sv, SurveyTitle: sv.TitleLV}
	if l == en && sv.TitleEN != "" {
		p.SurveyTitle = sv.TitleEN
	}
	switch {
	case errors.Is(err, reports.ErrNoContactList):
		p.NoList = true
	case err != nil:
		return err
	default:
		p.List = list
		s.logContactList(c, sv, "page", list)
	}
	s.render(c, http.StatusOK, "contact_list.html", p)
	return nil
}

// contactListCSV downloads the list as a CSV for people (reports.CSV).
func (s *Server) contactListCSV(c *gin.Context) error {
	return s.contactListFile(c, "csv", "text/csv; charset=utf-8", reports.WriteContactListCSV)
}

// contactListXLSX downloads the list as an Excel workbook.
func (s *Server) contactListXLSX(c *gin.Context) error {
	return s.contactListFile(c, "xlsx", reports.XLSXContentType, reports.WriteContactListXLSX)
}

// contactListFile writes the list in the page's language as a download
// (a 404 page when the round has no list). The list is small: it is
// written into memory first, so an error is still an error page.
func (s *Server) contactListFile(c *gin.Context, ext, contentType string,
	write func(io.Writer, *reports.ContactList) error) error {
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	list, err := s.manage.ContactList(c.Request.Context(), actor(c), sv, string(s.lang(c)))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := write(&b, list); err != nil {
		return err
	}
	s.logContactList(c, sv, ext, list)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="contact-list-%s.%s"`, sv.Slug, ext))
	c.Data(http.StatusOK, contentType, b.Bytes())
	return nil
}

// logContactList records a read of the list — personal data — with who
// read which round's list and how; never the data itself.
func (s *Server) logContactList(c *gin.Context, sv domain.Survey, format string, list *reports.ContactList) {
	s.log.Info("invitation list read", "request_id", requestID(c), "survey", sv.Slug, "user_id", principalOf(c).user.ID,
		"format", format, "entries", len(list.Entries))
}
