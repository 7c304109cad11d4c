package manage_test

import (
	"io"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
)

// accountOps are the account operations of the table (authz_test.go).
func accountOps() []operation {
	return []operation{
		{"ChangePassword", domain.AccessSignedIn, func(f *authzFixture, p domain.Principal) error {
			// The fixture's users have no password: a let-through call
			// gets ErrWrongPassword (the operator ErrNoAccount).
			return f.m.ChangePassword(ctx, p, manage.PasswordChange{Current: "vecā parole", New: "jaunā parole 123",
				Repeat: "jaunā parole 123"})
		}},
		{"Users", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.Users(ctx, p)
			return err
		}},
		{"AddUser", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.AddUser(ctx, p, "jauns@survey.test", "Jauns lietotājs", domain.RoleViewer)
			return err
		}},
		{"UpdateUser", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			v := f.users[domain.RoleViewer]
			_, err := f.m.UpdateUser(ctx, p, v.ID, "Pārdēvēts skatītājs", domain.RoleViewer, true)
			return err
		}},
		{"PasswordLink", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.PasswordLink(ctx, p, f.users[domain.RoleCoordinator].ID)
			return err
		}},
		{"APITokens", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.APITokens(ctx, p)
			return err
		}},
		{"CreateAPIToken", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, _, err := f.m.CreateAPIToken(ctx, p, f.users[domain.RoleCoordinator].ID, "Skripts")
			return err
		}},
		{"RevokeAPIToken", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			return f.m.RevokeAPIToken(ctx, p, f.apiToken.ID)
		}},
		{"AuditLog", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			_, err := f.m.AuditLog(ctx, p, domain.AuditFilter{})
			return err
		}},
		{"ExportAuditLog", domain.AccessAdminister, func(f *authzFixture, p domain.Principal) error {
			return f.m.ExportAuditLog(ctx, p, io.Discard, domain.AuditFilter{}, "lv")
		}},
	}
}

// accountExempt are the account methods that take no principal, and why.
func accountExempt() map[string]string {
	const establishes = "establishes who asks: the credential it is given is checked here"
	return map[string]string{
		"SignIn":                establishes + " (e-mail address and password, throttled)",
		"SessionPrincipal":      establishes + " (a session's token)",
		"TokenPrincipal":        establishes + " (an API token)",
		"SignOut":               "ends the session whose token it is given: the token is the credential",
		"PasswordLinkEmail":     "a set-password link's token is its credential",
		"SetPasswordByLink":     "a set-password link's token is its credential",
		"DeleteExpiredSessions": "the service's own clean-up job, run by serve",
		"FirstAdmin":            "the installation's first admin, run by make run before anyone exists",
		"Ping":                  "liveness, no data",
		"Readiness":             "readiness probe, no data",
	}
}
