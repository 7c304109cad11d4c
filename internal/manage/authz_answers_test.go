package manage_test

import (
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
)

// answerOps are the answer operations of the table (authz_test.go).
func answerOps() []operation {
	return []operation{
		{"Review", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Review(ctx, p, f.round.Slug, "cesis")
			return err
		}},
		{"ReviewToChange", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ReviewToChange(ctx, p, f.round.Slug, "cesis")
			return err
		}},
		// riga's draft: a correction that goes through for whoever may
		// make it (from the version stored now).
		{"Correct", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			cur, err := f.m.Store.Response(ctx, f.round.ID, "riga")
			if err != nil {
				return err
			}
			_, err = f.m.Correct(ctx, p, manage.Correction{Slug: f.round.Slug, Municipality: "riga", Question: "resp_name",
				BaseVersion: cur.Version, Answers: survey.Answers{"resp_name": "Anna Bērziņa-Kalniņa"}, Reason: "Uzvārds pa tālruni"})
			return err
		}},
		// cesis's submitted response: the first one allowed returns it.
		{"ReturnResponse", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			cur, err := f.m.Store.Response(ctx, f.round.ID, "cesis")
			if err != nil {
				return err
			}
			_, err = f.m.ReturnResponse(ctx, p, manage.Return{Slug: f.round.Slug, Municipality: "cesis",
				BaseVersion: cur.Version, Note: "Lūdzu, papildiniet anketu."})
			return err
		}},
	}
}

// answerExempt are the answer methods that take no principal, and why.
func answerExempt() map[string]string {
	const link = "the respondent's operation: the personal link's token is its credential"
	return map[string]string{
		"RespondentByToken": "resolves a personal link's token: the token is the credential",
		"RespondentToSave":  "resolves a personal link's token for a save: the token is the credential",
		"SaveAnswers":       link,
		"SubmitAnswers":     link,
		"SaveForm":          link,
		"ConfirmCarried":    link,
		"RecordLinkUse":     link,
		"QueueReceipt":      "queues the receipt of a submit made through a personal link (SubmitAnswers); checks the link's token",
		"Definition":        "parses a round's questionnaire; no data",
	}
}
