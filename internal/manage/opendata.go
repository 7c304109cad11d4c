package manage

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
)

// DefaultOpenDataPublisher publishes the open-data package when
// OpenDataSettings.Publisher is empty (OPENDATA_PUBLISHER's default).
const DefaultOpenDataPublisher = "Latvijas Pilsoniskā alianse"

// OpenDataSettings say who publishes the rounds' open-data packages and
// where (the OPENDATA_* variables). Empty values get defaults.
type OpenDataSettings struct {
	// Publisher is the publishing organisation (DefaultOpenDataPublisher).
	Publisher string
	// PublisherURL is its web site (optional).
	PublisherURL string
	// ContactEmail receives questions about the data (optional).
	ContactEmail string
	// FilesURL is where the packages' files are published: a round's
	// files are under FilesURL/<slug>/ (default BaseURL/opendata).
	FilesURL string
	// CKANOrganization is the portal organisation (CKAN owner_org).
	CKANOrganization string
	// Licence is the SPDX identifier of the default licence (CC-BY-4.0
	// when empty; see reports.Licences).
	Licence string
}

// OpenData writes the round's open-data package (reports.WriteOpenData):
// the submitted answers and the tracker's submitted versions read in one
// snapshot (results, without personal data), the free-text questions
// marked publishable, and the publisher from Manager.Publishing; licence
// "" is the configured one (reports.ErrUnknownLicence for one not in
// reports.Licences). The same data give the same bytes, whoever asks among
// those who may see results (domain.AccessView): no role changes what it
// holds.
func (m *Manager) OpenData(ctx context.Context, p domain.Principal, w io.Writer, sv domain.Survey, licence string) (err error) {
	if err := p.Require(domain.AccessView); err != nil {
		return err
	}
	defer m.exported("opendata", time.Now(), &err)
	set := m.Publishing
	if licence == "" {
		licence = set.Licence
	}
	if _, err := reports.LookupLicence(licence); err != nil {
		return err
	}
	def, err := m.Definition(sv)
	if err != nil {
		return err
	}
	pub, err := m.publishable(ctx, sv, def)
	if err != nil {
		return err
	}
	publisher := reports.Publisher{Name: set.Publisher, URL: set.PublisherURL, ContactEmail: set.ContactEmail,
		FilesURL: set.FilesURL, CKANOrganization: set.CKANOrganization}
	if publisher.Name == "" {
		publisher.Name = DefaultOpenDataPublisher
	}
	if publisher.FilesURL == "" {
		u := *m.BaseURL
		u.Path = strings.TrimRight(u.Path, "/") + "/opendata"
		publisher.FilesURL = u.String()
	}
	publisher.FilesURL = strings.TrimRight(publisher.FilesURL, "/") + "/" + sv.Slug
	return m.results(ctx, sv, def, false, "lv", func(src reports.Source, t Tracker) error {
		versions := map[string]int{}
		for _, r := range t.Rows {
			if r.SubmittedVersion != nil {
				versions[r.Code] = *r.SubmittedVersion
			}
		}
		return reports.WriteOpenData(w, reports.OpenDataInput{Definition: def, Slug: sv.Slug, Opens: sv.OpensAt,
			Closes: sv.ClosesAt, TimeZone: m.tz(), Rows: src(), SubmittedVersions: versions, Publishable: pub,
			Licence: licence, Publisher: publisher})
	})
}
