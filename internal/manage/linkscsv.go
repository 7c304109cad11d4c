package manage

import (
	"context"
	"io"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
)

// LinkRow is one line of a links CSV: the file coordinators download from
// the links page and the one `surveyd invite` writes (and `make run`
// appends to) have the same columns.
type LinkRow struct {
	Code, Name, URL string
	// Contacts are the municipality's e-mail addresses.
	Contacts []string
}

// linksHeader is the links CSV's header row in lang.
func linksHeader(lang string) []any {
	if lang == "en" {
		return []any{"Code", "Municipality", "Link", "Contacts"}
	}
	return []any{"Kods", "Pašvaldība", "Saite", "Kontakti"}
}

// LinksCSVHeader is the first line of a links CSV in lang, as written by
// WriteLinksCSV (byte-order mark and line end included).
func LinksCSVHeader(lang string) string {
	var b strings.Builder
	_ = WriteLinksCSV(&b, nil, lang, false)
	return b.String()
}

// WriteLinksCSV writes the rows as a CSV for people (reports.CSV: a
// byte-order mark and ";" in Latvian, "," in English): code, municipality,
// link, contacts. When appending to a file that already has them, the
// byte-order mark and the header are left out.
func WriteLinksCSV(w io.Writer, rows []LinkRow, lang string, appending bool) error {
	if lang != "en" {
		lang = "lv"
	}
	var cw *reports.CSV
	if appending {
		cw = reports.AppendCSV(w, lang)
	} else {
		var err error
		if cw, err = reports.NewCSV(w, lang); err != nil {
			return err
		}
		if err := cw.Write(linksHeader(lang)...); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := cw.Write(r.Code, r.Name, r.URL, strings.Join(r.Contacts, "; ")); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// LinkRows is the links page's table for its CSV: every active
// municipality with its link when it can be shown ("" otherwise) and its
// contacts, in alphabetical order of the names in lang. For coordinators
// (domain.AccessCoordinate).
func (m *Manager) LinkRows(ctx context.Context, p domain.Principal, surveyID int64, lang string) ([]LinkRow, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	links, err := m.showableLinks(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	munis, err := m.Store.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	var active []domain.Municipality
	for _, mu := range munis {
		if mu.Active {
			active = append(active, mu)
		}
	}
	rows, err := m.linkRows(ctx, active, links, lang)
	if err != nil {
		return nil, err
	}
	return rows, m.audit(ctx, p, domain.AuditExportLinks, surveyID, "", map[string]any{"rows": len(rows), "links": len(links)})
}

// IssuedLinkRows turns links just issued (Invite) into rows of the links
// CSV, with names in lang and contacts, in alphabetical order. For
// coordinators (domain.AccessCoordinate).
func (m *Manager) IssuedLinkRows(ctx context.Context, p domain.Principal, issued []Link, lang string) ([]LinkRow, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	if len(issued) == 0 {
		return nil, nil
	}
	munis, err := m.Store.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	links := map[string]string{}
	for _, l := range issued {
		links[l.Municipality] = l.URL
	}
	var list []domain.Municipality
	for _, mu := range munis {
		if _, ok := links[mu.Code]; ok {
			list = append(list, mu)
		}
	}
	rows, err := m.linkRows(ctx, list, links, lang)
	if err != nil {
		return nil, err
	}
	return rows, m.audit(ctx, p, domain.AuditExportLinks, 0, sole(links), map[string]any{"rows": len(rows), "issued": true})
}

func (m *Manager) linkRows(ctx context.Context, munis []domain.Municipality, links map[string]string, lang string) ([]LinkRow, error) {
	contacts, err := m.Store.Contacts(ctx)
	if err != nil {
		return nil, err
	}
	SortMunicipalities(munis, lang)
	rows := make([]LinkRow, 0, len(munis))
	for _, mu := range munis {
		r := LinkRow{Code: mu.Code, Name: MunicipalityName(mu, lang), URL: links[mu.Code]}
		for _, c := range contacts[mu.Code] {
			r.Contacts = append(r.Contacts, c.Email)
		}
		rows = append(rows, r)
	}
	return rows, nil
}
