package manage_test

import "github.com/civitas-lv/surveyd/internal/domain"

// roundOps are the round operations of the table (authz_test.go).
func roundOps() []operation {
	return []operation{
		{"Round", domain.AccessView, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.Round(ctx, p, f.round.Slug)
			return err
		}},
	}
}

// roundExempt are the round methods that take no principal, and why.
func roundExempt() map[string]string {
	return map[string]string{}
}
