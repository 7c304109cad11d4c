package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
)

// ContactList builds the round's invitation list for the council meeting
// in lang: from the submitted answers (the submitted copy, not a working
// copy changed since), every respondent whose answer to the definition's
// contact_list consent question is yes, with the municipality and the
// answers the contact_list names (reports.BuildContactList), read in one
// snapshot (Results). It is personal data, for coordinators and admins
// only (domain.AccessCoordinate), and the web logs each read.
// reports.ErrNoContactList when the round's questionnaire has no
// contact_list (a round created before the block existed keeps its
// stored questionnaire).
func (m *Manager) ContactList(ctx context.Context, p domain.Principal, sv domain.Survey, lang string) (*reports.ContactList, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	def, err := m.Definition(sv)
	if err != nil {
		return nil, err
	}
	if def.ContactList == nil {
		return nil, reports.ErrNoContactList
	}
	var out *reports.ContactList
	err = m.results(ctx, sv, def, false, lang, func(src reports.Source, _ Tracker) error {
		var err error
		out, err = reports.BuildContactList(def, src(), lang)
		return err
	})
	if err == nil {
		err = m.audit(ctx, p, domain.AuditExportContactList, sv.ID, "", map[string]any{"rows": len(out.Entries), "lang": lang})
	}
	return out, err
}
