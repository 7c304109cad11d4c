package manage_test

import (
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// personalOps are the personal-data operations of the table (authz_test.go):
// a round's retention like its dates; a person's search, export and erasure
// for admins only.
func personalOps() []operation {
	days := 365
	zelma := domain.PersonQuery{Name: "Bērziņa"} // riga's respondent in the fixture
	return []operation{
		{"RoundRetention", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.RoundRetention(ctx, p, f.round)
			return err
		}},
		{"SetRoundRetention", domain.AccessCoordinate, func(f *authzFixture, p domain.Principal) error {
			return f.m.SetRoundRetention(ctx, p, f.round, &days)
		}},
		{"FindPerson", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.FindPerson(ctx, p, zelma)
			return err
		}},
		{"ExportPerson", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.ExportPerson(ctx, p, zelma, time.Now())
			return err
		}},
		{"ErasePerson", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.ErasePerson(ctx, p, zelma)
			return err
		}},
	}
}

// personalExempt are the personal-data methods that take no principal, and
// why.
func personalExempt() map[string]string {
	return map[string]string{
		"EraseExpiredPersonal": "the service's daily retention job, run by serve",
		"RunRetention":         "the service's daily retention job (runs EraseExpiredPersonal in the background)",
	}
}
