package web

import (
	"errors"
	"net/http"

	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/gin-gonic/gin"
)

// replaceDefinition replaces the questionnaire of a round that has not
// opened with an uploaded file, YAML, JSON or XLSForm
// (manage.ReplaceRoundDefinition): the settings page's "Aizstāt anketu".
// The file is bounded as the new-round form bounds it (413 beyond); every
// problem is listed at the section and nothing is stored.
func (s *Server) replaceDefinition(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseMultipartForm(maxBody); err != nil {
		return formError(err)
	}
	refuse := func(status int, problems ...string) error {
		s.renderRoundWith(c, status, "", nil, func(p *roundPage) { p.ReplaceErrors = problems })
		return nil
	}
	files := c.Request.MultipartForm.File["definition"]
	if len(files) == 0 {
		return refuse(http.StatusUnprocessableEntity, l.T("round.file.missing"))
	}
	data, err := readUpload(files[0])
	if err != nil {
		return err
	}
	def, err := survey.ParseAny(data, files[0].Filename) // YAML, JSON or XLSForm
	var de *survey.DefinitionError
	switch {
	case errors.As(err, &de):
		return refuse(http.StatusUnprocessableEntity, append([]string{l.T("round.file.bad")}, de.Problems...)...)
	case err != nil:
		return refuse(http.StatusUnprocessableEntity, l.T("round.file.bad"), err.Error())
	}
	res, err := s.manage.ReplaceRoundDefinition(c.Request.Context(), actor(c), sv.Slug, def)
	var year *manage.ReferenceYearError
	var series *survey.SeriesError
	var saved *manage.SavedAnswersError
	switch {
	case errors.Is(err, manage.ErrRoundOpened):
		// The section is no longer on the page: say it at the top.
		s.renderRound(c, http.StatusConflict, l.T("round.replace.opened"))
		return nil
	case errors.As(err, &year):
		return refuse(http.StatusUnprocessableEntity, l.T("round.replace.year", "file", year.File, "round", year.Round))
	case errors.As(err, &series):
		problems := []string{l.T("round.replace.series")}
		for _, p := range series.Problems {
			problems = append(problems, p.String())
		}
		return refuse(http.StatusUnprocessableEntity, problems...)
	case errors.As(err, &saved):
		key := "round.replace.saved.many"
		if wording.Singular(wording.Lang(l), saved.Municipalities) {
			key = "round.replace.saved.one"
		}
		return refuse(http.StatusConflict, l.T(key, "count", saved.Municipalities))
	case err != nil:
		return err
	}
	s.log.Info("round questionnaire replaced", "request_id", requestID(c), "survey", sv.Slug,
		"carried", res.Carried, "user_id", principalOf(c).user.ID)
	c.Redirect(http.StatusSeeOther, "/surveys/"+sv.Slug+"/settings?done=replaced")
	return nil
}
