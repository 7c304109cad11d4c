package manage_test

import (
	"io"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
)

// resultOps are the results operations of the table (authz_test.go).
func resultOps() []operation {
	return []operation{
		{"Results", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			return f.m.Results(ctx, p, f.round, f.def, "lv", func(reports.Source, manage.Tracker) error { return nil })
		}},
		{"Export", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Export(ctx, p, io.Discard, f.round, f.def, manage.ExportOptions{})
			return err
		}},
		{"Charts", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Charts(ctx, p, f.round, f.def, reports.Filter{}, reports.ChartOptions{Lang: "lv", TablesOnly: true})
			return err
		}},
		{"OpenData", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			return f.m.OpenData(ctx, p, io.Discard, f.round, "")
		}},
		{"Feedback", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Feedback(ctx, p, f.round, f.submitted.MunicipalityCode, "lv")
			return err
		}},
		{"FeedbackAll", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			return f.m.FeedbackAll(ctx, p, f.round, nil, "lv", func(*reports.Feedback) error { return nil })
		}},
		{"WriteFeedbackFiles", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.WriteFeedbackFiles(ctx, p, f.round, nil, "lv", func(_ string, fill func(io.Writer) error) error {
				return fill(io.Discard)
			})
			return err
		}},
		{"FeedbackOverview", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.FeedbackOverview(ctx, p, f.round, f.def)
			return err
		}},
		{"ReleaseFeedback", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ReleaseFeedback(ctx, p, f.round, nil)
			return err
		}},
		// The fixture has no release: an allowed withdrawal finds none
		// (domain.ErrNotFound), a refused one must not get that far.
		{"WithdrawFeedback", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			return f.m.WithdrawFeedback(ctx, p, f.round, f.release.MunicipalityCode, f.release.ReleasedAt)
		}},
		// The fixture's Manager has no mail: an allowed call gets
		// manage.ErrNoMail, a refused one must not get that far.
		{"QueueFeedbackMail", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.QueueFeedbackMail(ctx, p, f.round, nil)
			return err
		}},
	}
}

// resultExempt are the results methods that take no principal, and why.
func resultExempt() map[string]string {
	return map[string]string{
		"OpenResults":         "the municipality's own released results, by its personal link (the token is the credential)",
		"ResultsReleased":     "whether the municipality's own results are released, by its personal link (the token is the credential)",
		"Warm":                "the service's start-up before it serves: parses questionnaires and builds charts of made-up answers, shows nothing to anyone",
		"Wait":                "the service's shutdown: waits for the prepared answers being kept after a charts request, shows nothing to anyone",
		"KeepMissingForms":    "the service's start-up job (RunKeepMissingForms): keeps derived forms of answers in the database, shows nothing to anyone",
		"RunKeepMissingForms": "the service's start-up job: runs KeepMissingForms in the background a second after start",
	}
}
