package manage_test

import (
	"bytes"
	"errors"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// roundOps are the round operations of the table (authz_test.go): rounds
// and their dates, links, messages, contacts, the tracker.
func roundOps() []operation {
	const csv = "Pašvaldība;E-pasts;Vārds\nriga;jauna@riga.lv;Jauna Kontaktpersona\n"
	later := func(f *authzFixture) time.Time { return f.round.ClosesAt.AddDate(0, 0, 7) }
	return []operation{
		{"Round", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.Round(ctx, p, f.round.Slug)
			return err
		}},
		{"Rounds", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Rounds(ctx, p)
			return err
		}},
		{"DefinitionXLSForm", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			return f.m.DefinitionXLSForm(ctx, p, io.Discard, f.def)
		}},
		{"CreateRound", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.CreateRound(ctx, p, f.def, "authz-round", f.round.OpensAt, f.round.ClosesAt)
			return err
		}},
		{"CreateRoundFrom", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.CreateRoundFrom(ctx, p, f.round.Slug, "authz-next", f.round.ReferenceYear+1, f.round.OpensAt, f.round.ClosesAt)
			return err
		}},
		{"ReplaceRoundDefinition", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			// The fixture's round has opened: let through, it is refused for that.
			_, err := f.m.ReplaceRoundDefinition(ctx, p, f.round.Slug, f.def)
			return err
		}},
		{"SetRoundDates", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.SetRoundDates(ctx, p, f.round, f.round.OpensAt, later(f))
			return err
		}},
		{"CloseRound", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			return f.m.CloseRound(ctx, p, f.round, time.Now())
		}},
		{"SetExtension", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			return f.m.SetExtension(ctx, p, f.round, "riga", later(f))
		}},
		{"DeleteExtension", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			// cesis has none: nothing to delete, but the principal is checked first.
			return f.m.DeleteExtension(ctx, p, f.round, "cesis")
		}},
		{"RoundSettings", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.RoundSettings(ctx, p, f.round, f.def)
			return err
		}},
		{"Publishable", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Publishable(ctx, p, f.round, f.def)
			return err
		}},
		{"SetPublishable", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			return f.m.SetPublishable(ctx, p, f.round, f.def, "final_comments", true)
		}},
		{"Tracker", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Tracker(ctx, p, f.round, f.def) // contacts: TestTrackerContacts
			return err
		}},
		{"TrackerRowOf", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.TrackerRowOf(ctx, p, f.round, f.def, "riga")
			return err
		}},
		{"LinksPage", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.LinksPage(ctx, p, f.round, f.def)
			return err
		}},
		{"ShowableLinks", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ShowableLinks(ctx, p, f.round.ID)
			return err
		}},
		{"LinkRows", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.LinkRows(ctx, p, f.round.ID, "lv")
			return err
		}},
		{"IssuedLinkRows", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.IssuedLinkRows(ctx, p, []manage.Link{{Municipality: "riga", URL: "https://example.lv/r/x"}}, "lv")
			return err
		}},
		{"IssueLinks", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.IssueLinks(ctx, p, f.round.Slug, []string{"ogre"}, false)
			return err
		}},
		{"Invite", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Invite(ctx, p, f.round.Slug, []string{"ogre"}, false)
			return err
		}},
		{"ReplaceLink", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ReplaceLink(ctx, p, f.round.ID, "ogre", 0)
			return err
		}},
		{"RevokeLink", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			inv, err := f.m.Store.ActiveInvitation(ctx, f.round.ID, "riga")
			if err != nil {
				return err
			}
			return f.m.RevokeLink(ctx, p, f.round.ID, "riga", inv.ID)
		}},
		{"QueueMessages", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			// The fixture has no mail: let through, it is refused for that.
			_, err := f.m.QueueMessages(ctx, p, f.round, domain.MessageReminder, []string{"riga"}, false)
			return err
		}},
		{"Messages", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Messages(ctx, p, f.round)
			return err
		}},
		{"Contacts", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Contacts(ctx, p)
			return err
		}},
		{"SaveContacts", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.SaveContacts(ctx, p, "riga", []domain.Contact{{Email: "anna@riga.lv", Name: "Anna"}})
			return err
		}},
		{"PreviewContactImport", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.PreviewContactImport(ctx, p, "kontakti.csv", []byte(csv))
			return err
		}},
		{"ApplyContactImport", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			plan, err := f.m.PreviewContactImport(ctx, domain.OperatorPrincipal(), "kontakti.csv", []byte(csv))
			if err != nil {
				return err
			}
			_, err = f.m.ApplyContactImport(ctx, p, plan.Lines, plan.Fingerprint)
			return err
		}},
		{"ContactList", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ContactList(ctx, p, f.round, "lv")
			return err
		}},
		{"Demo", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Demo(ctx, p, f.round.Slug, 1, 1)
			return err
		}},
		{"Scale", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			// The fixture has real answers: an allowed call is refused for
			// that, after the access check.
			_, err := f.m.Scale(ctx, p, manage.ScaleSpec{Rounds: 1, Municipalities: 1, Responses: 1})
			if errors.Is(err, store.ErrRealAnswers) {
				return nil
			}
			return err
		}},
		{"Preview", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Preview(ctx, p, f.round.Slug, "riga")
			return err
		}},
		{"CheckPreview", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.CheckPreview(ctx, p, f.round.Slug, "riga", survey.Answers{"resp_name": "Priekšskatījums"}, true)
			return err
		}},
		{"ExportArchive", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ExportArchive(ctx, p, f.round.Slug, io.Discard, time.Now())
			return err
		}},
		{"ImportArchive", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			var buf bytes.Buffer
			if _, _, err := manage.WriteArchive(f.m, ctx, f.round.Slug, &buf, time.Now()); err != nil {
				return err
			}
			// The second principal let through finds the slug taken.
			_, err := f.m.ImportArchive(ctx, p, bytes.NewReader(buf.Bytes()), int64(buf.Len()), "archive-copy")
			if errors.Is(err, domain.ErrExists) {
				return nil
			}
			return err
		}},
	}
}

// roundExempt are the round methods that take no principal, and why.
func roundExempt() map[string]string {
	return map[string]string{
		"EnsureRound":        "the seed's idempotent set-up of a built-in round (`surveyd seed`, `make run`): runs before any user exists; it makes a round as CreateRound does",
		"LoadMunicipalities": "reference data loaded at start-up by seed/make run",
		"Deliver":            "the service's mail job (sends what an operation queued)",
		"RunOutbox":          "the service's mail job (runs Deliver in the background)",
		"LinkURL":            "pure helper: the address of the form for a token",
		"RoundTrips":         "the service's own count of SQL round trips (tests and metrics); no data",
	}
}
