package manage

import (
	"context"
	"io"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// DefinitionXLSForm writes a round's questionnaire as an XLSForm workbook
// (survey.ExportXLSForm: what KoboToolbox and ODK read, and what the
// new-round form and `surveyd round create` read back to the same
// questionnaire), for anyone who may read rounds (domain.AccessView).
func (m *Manager) DefinitionXLSForm(ctx context.Context, p domain.Principal, w io.Writer, def *survey.Definition) error {
	if err := p.Require(domain.AccessView); err != nil {
		return err
	}
	return survey.ExportXLSForm(def, w)
}
