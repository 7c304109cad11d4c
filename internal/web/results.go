package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/gin-gonic/gin"
)

// The municipality's results ("Rezultāti"), by its personal link: its
// feedback report once a coordinator released it, also after the round
// closed. The link's own municipality is the only one it ever shows;
// before the release (or after a withdrawal) the page says the results are
// not published yet. Unknown links get the same 404 as the form's.

// resultsPage is the municipality's results page.
type resultsPage struct {
	Page
	Municipality string
	SurveyTitle  string
	RefYear      int
	FormURL      string
	XLSXURL      string
	// Released is when the feedback was released; Report the report's
	// HTML (nil: nothing to show, Message says why).
	Released string
	Report   template.HTML
	Message  string
}

func (s *Server) resultsPage(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	s.touch(c, r)
	l := s.lang(c)
	res, err := s.manage.OpenResults(c.Request.Context(), r, string(l))
	if err != nil {
		return err
	}
	muni := manage.MunicipalityName(r.Municipality, string(l))
	base := "/r/" + c.Param("token")
	p := resultsPage{Page: s.page(c, l.T("results.page.title", "municipality", muni)), Municipality: muni,
		SurveyTitle: r.Def.Title.In(string(l)), RefYear: r.Def.ReferenceYear, FormURL: base,
		XLSXURL: base + manage.ResultsPath + ".xlsx"}
	p.Skip = l.T("skip.content")
	switch {
	case res.Report != nil:
		var b bytes.Buffer
		if err := reports.WriteFeedbackHTML(&b, res.Report, false); err != nil {
			return err
		}
		// html/template wrote it, escaping every value.
		p.Report = template.HTML(b.String())
		p.Released = l.when(res.Release.ReleasedAt.In(s.tz), locative)
	case res.Release != nil:
		p.Message = l.T("results.returned")
	default:
		p.Message = l.T("results.notyet")
	}
	s.render(c, http.StatusOK, "results.html", p)
	return nil
}

// resultsXLSX downloads the municipality's released feedback report as a
// workbook; before the release it leads to the results page, which says
// they are not published.
func (s *Server) resultsXLSX(c *gin.Context) error {
	r, err := s.loadRespondent(c)
	if err != nil {
		return err
	}
	s.touch(c, r)
	res, err := s.manage.OpenResults(c.Request.Context(), r, string(s.lang(c)))
	if err != nil {
		return err
	}
	if res.Report == nil {
		c.Redirect(http.StatusSeeOther, "/r/"+c.Param("token")+manage.ResultsPath)
		return nil
	}
	var b bytes.Buffer
	if err := reports.WriteFeedbackXLSX(&b, res.Report); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="rezultati-%s-%s.xlsx"`, r.Survey.Slug, r.Municipality.Code))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b.Bytes())
	return nil
}

// resultsURL is the address of the municipality's results when its
// feedback is released, else "" (the form shows the link then).
func (s *Server) resultsURL(c *gin.Context, r *respondent) string {
	released, err := s.manage.ResultsReleased(c.Request.Context(), r)
	if err != nil {
		s.log.Warn("read the feedback release", "request_id", requestID(c), "error", err)
	}
	if err != nil || !released {
		return ""
	}
	return "/r/" + c.Param("token") + manage.ResultsPath
}
