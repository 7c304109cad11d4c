package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/civitas-lv/surveyd/reports"
	"github.com/gin-gonic/gin"
)

// definitionXLSX serves the round's questionnaire as an XLSForm workbook
// (manage.DefinitionXLSForm), built in memory (tens of kilobytes), so an
// error is still an error page.
func (s *Server) definitionXLSX(c *gin.Context) error {
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := s.manage.DefinitionXLSForm(c.Request.Context(), actor(c), &b, def); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, DefinitionFilename(sv.Slug)))
	c.Data(http.StatusOK, reports.XLSXContentType, b.Bytes())
	return nil
}

// DefinitionFilename names a round's questionnaire as XLSForm:
// regional-2025-xlsform.xlsx.
func DefinitionFilename(slug string) string {
	return fileSafe(slug) + "-xlsform.xlsx"
}
