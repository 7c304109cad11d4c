package manage_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
)

// TestPersonalDataFollowsThePrincipal: the workbook and the results hold
// personal answers and contacts for those who may see personal data
// (coordinators, admins, the operator), never for a viewer, and not when
// the export leaves them out (the command line without --personal).
func TestPersonalDataFollowsThePrincipal(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t)
	code := f.submitted.MunicipalityCode
	if err := f.m.Store.ReplaceContacts(ctx, code, []domain.Contact{{Email: "kontakts@cesis.example.lv", Name: "Kontaktpersona"}}); err != nil {
		t.Fatal(err)
	}
	const answer = "Jānis Ozols" // the fixture's submitted personal answer
	viewer := domain.UserPrincipal(f.users[domain.RoleViewer])
	coordinator := domain.UserPrincipal(f.users[domain.RoleCoordinator])

	workbook := func(p domain.Principal, opt manage.ExportOptions) (string, bool) {
		t.Helper()
		var b bytes.Buffer
		personal, err := f.m.Export(ctx, p, &b, f.round, f.def, opt)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, file := range zr.File {
			rc, err := file.Open()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(&all, rc); err != nil {
				t.Fatal(err)
			}
			rc.Close()
		}
		return all.String(), personal
	}
	for _, c := range []struct {
		name     string
		p        domain.Principal
		opt      manage.ExportOptions
		personal bool
	}{
		{"viewer", viewer, manage.ExportOptions{}, false},
		{"coordinator", coordinator, manage.ExportOptions{}, true},
		{"operator", domain.OperatorPrincipal(), manage.ExportOptions{}, true},
		{"operator without personal data", domain.OperatorPrincipal(), manage.ExportOptions{WithoutPersonal: true}, false},
	} {
		xml, personal := workbook(c.p, c.opt)
		if personal != c.personal {
			t.Errorf("%s: Export says personal %v, want %v", c.name, personal, c.personal)
		}
		if !strings.Contains(xml, "Cēsu") {
			t.Errorf("%s: the workbook does not name the municipality that submitted", c.name)
		}
		for _, s := range []string{answer, "kontakts@cesis.example.lv"} {
			if got := strings.Contains(xml, s); got != c.personal {
				t.Errorf("%s: %q in the workbook: %v, want %v", c.name, s, got, c.personal)
			}
		}
	}

	for _, c := range []struct {
		name     string
		p        domain.Principal
		contacts bool
	}{{"viewer", viewer, false}, {"coordinator", coordinator, true}} {
		err := f.m.Results(ctx, c.p, f.round, f.def, "lv", func(src reports.Source, tr manage.Tracker) error {
			var rowContacts, trackerContacts int
			for r, err := range src() {
				if err != nil {
					return err
				}
				rowContacts += len(r.Contacts)
			}
			for _, r := range tr.Rows {
				trackerContacts += len(r.Contacts)
			}
			if got := rowContacts > 0 && trackerContacts > 0; got != c.contacts || (rowContacts > 0) != (trackerContacts > 0) {
				t.Errorf("%s: %d contacts in the rows, %d in the tracker; want some: %v", c.name, rowContacts, trackerContacts, c.contacts)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
