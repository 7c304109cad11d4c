package manage_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
)

const accountPassword = "pareizā zirga baterija"

// accountsSetup is a manager with a fast hasher and a coordinator who has
// a password.
func accountsSetup(t *testing.T) (*manage.Manager, domain.User) {
	t.Helper()
	m, _ := setup(t)
	h, err := auth.NewHasher(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	m.Accounts = manage.AccountSettings{Hasher: h, SessionIdle: time.Hour, SessionMaxAge: 3 * time.Hour,
		Throttle: auth.Throttle{PerAccount: 3, PerIP: 10, Window: 15 * time.Minute}}
	hash, err := h.Hash(accountPassword)
	if err != nil {
		t.Fatal(err)
	}
	u, err := m.Store.CreateUser(ctx, "koord@survey.test", "Koordinatore", domain.RoleCoordinator, hash)
	if err != nil {
		t.Fatal(err)
	}
	return m, u
}

// Signing in: a wrong password is ErrSignInFailed; the right one starts a
// session of SessionMaxAge whose token SessionPrincipal reads until the
// session is past its limits, signed out, or its user disabled.
func TestSignInAndSessions(t *testing.T) {
	t.Parallel()
	m, u := accountsSetup(t)
	m.Accounts.Throttle = auth.DefaultThrottle()
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	if _, err := m.SignIn(ctx, u.Email, "nepareizi", "192.0.2.1", now); !errors.Is(err, manage.ErrSignInFailed) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := m.SignIn(ctx, "neviens@survey.test", accountPassword, "192.0.2.1", now); !errors.Is(err, manage.ErrSignInFailed) {
		t.Fatalf("unknown address: %v", err)
	}
	in, err := m.SignIn(ctx, "  KOORD@survey.test ", accountPassword, "192.0.2.1", now)
	if err != nil || in.User.ID != u.ID || !in.Expires.Equal(now.Add(3*time.Hour)) || len(in.Token) != auth.TokenLen {
		t.Fatalf("sign in: %+v %v", in, err)
	}
	p, err := m.SessionPrincipal(ctx, in.Token, now.Add(50*time.Minute))
	if err != nil || p.User.ID != u.ID || !p.Can(domain.AccessCoordinate) {
		t.Fatalf("session: %+v %v", p, err)
	}
	// Used at +50 min: idle for less than an hour at +1h40.
	if _, err := m.SessionPrincipal(ctx, in.Token, now.Add(100*time.Minute)); err != nil {
		t.Fatalf("session after use: %v", err)
	}
	if _, err := m.SessionPrincipal(ctx, in.Token, now.Add(3*time.Hour)); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("past the max age: %v", err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", auth.TokenLen)} {
		if _, err := m.SessionPrincipal(ctx, bad, now); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("token %q: %v", bad, err)
		}
	}
	// Signing out ends the session.
	in, err = m.SignIn(ctx, u.Email, accountPassword, "192.0.2.1", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SignOut(ctx, in.Token, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SessionPrincipal(ctx, in.Token, now); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("after signing out: %v", err)
	}
	// A disabled user's sessions end.
	in, err = m.SignIn(ctx, u.Email, accountPassword, "192.0.2.1", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.UpdateUser(ctx, domain.OperatorPrincipal(), u.ID, u.Name, u.Role, true); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SessionPrincipal(ctx, in.Token, now); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("disabled user's session: %v", err)
	}
	if _, err := m.SignIn(ctx, u.Email, accountPassword, "192.0.2.1", now); !errors.Is(err, manage.ErrSignInFailed) {
		t.Fatalf("disabled user signs in: %v", err)
	}
}

// Past the throttle's limit for an account (3 here), even the right
// password is refused, from any address, with how long to wait; the
// refused attempt checks no password and is not counted.
func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	m, u := accountsSetup(t)
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, err := m.SignIn(ctx, u.Email, "nepareizi", "192.0.2.1", now.Add(time.Duration(i)*time.Minute)); !errors.Is(err, manage.ErrSignInFailed) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	for _, at := range []time.Duration{3 * time.Minute, 5 * time.Minute} {
		_, err := m.SignIn(ctx, u.Email, accountPassword, "198.51.100.7", now.Add(at))
		var throttled *manage.ThrottledError
		if !errors.As(err, &throttled) || throttled.Wait != 15*time.Minute-at {
			t.Fatalf("at +%v past the limit: %v", at, err)
		}
	}
	// The oldest failure leaves the window: one more check is allowed.
	if _, err := m.SignIn(ctx, u.Email, accountPassword, "198.51.100.7", now.Add(15*time.Minute+time.Second)); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// ChangePassword: the current password must be right and the new one
// follow the rules; it keeps the session that asks and ends the others.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	m, u := accountsSetup(t)
	now := time.Now()
	here, err := m.SignIn(ctx, u.Email, accountPassword, "192.0.2.1", now)
	if err != nil {
		t.Fatal(err)
	}
	there, err := m.SignIn(ctx, u.Email, accountPassword, "192.0.2.9", now)
	if err != nil {
		t.Fatal(err)
	}
	p := domain.UserPrincipal(u)
	const fresh = "jauna un gara parole"
	for _, c := range []struct {
		change manage.PasswordChange
		want   error
	}{
		{manage.PasswordChange{Current: "nepareizi", New: fresh, Repeat: fresh}, manage.ErrWrongPassword},
		{manage.PasswordChange{Current: accountPassword, New: fresh, Repeat: fresh + "!"}, auth.ErrPasswordMismatch},
		{manage.PasswordChange{Current: accountPassword, New: "īsa", Repeat: "īsa"}, auth.ErrPasswordShort},
		{manage.PasswordChange{Current: accountPassword, New: u.Email, Repeat: u.Email}, auth.ErrPasswordIsEmail},
	} {
		if err := m.ChangePassword(ctx, p, c.change); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.change, err, c.want)
		}
	}
	if err := m.ChangePassword(ctx, domain.OperatorPrincipal(), manage.PasswordChange{}); !errors.Is(err, manage.ErrNoAccount) {
		t.Errorf("operator: %v", err)
	}
	if err := m.ChangePassword(ctx, p, manage.PasswordChange{Current: accountPassword, New: fresh, Repeat: fresh,
		KeepSession: here.Token}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SessionPrincipal(ctx, here.Token, now); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, err := m.SessionPrincipal(ctx, there.Token, now); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Errorf("another session: %v", err)
	}
	if _, err := m.SignIn(ctx, u.Email, fresh, "192.0.2.1", now); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

// A set-password link shows its user's address and sets the password once.
func TestSetPasswordByLink(t *testing.T) {
	t.Parallel()
	m, _ := accountsSetup(t)
	u, link, err := m.AddUser(ctx, domain.OperatorPrincipal(), "Jauna@Survey.test", "Jauna", domain.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	token := link[strings.LastIndex(link, "/")+1:]
	if email, err := m.PasswordLinkEmail(ctx, token); err != nil || email != "jauna@survey.test" {
		t.Fatalf("peek: %q %v", email, err)
	}
	if _, err := m.PasswordLinkEmail(ctx, "nav-tokens"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("malformed: %v", err)
	}
	if email, err := m.SetPasswordByLink(ctx, token, "īsa", "īsa", "192.0.2.1"); !errors.Is(err, auth.ErrPasswordShort) || email != u.Email {
		t.Fatalf("short: %q %v", email, err)
	}
	if _, err := m.SetPasswordByLink(ctx, token, accountPassword, accountPassword, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.SetPasswordByLink(ctx, token, accountPassword, accountPassword, "192.0.2.1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("used twice: %v", err)
	}
	if _, err := m.SignIn(ctx, u.Email, accountPassword, "192.0.2.1", time.Now()); err != nil {
		t.Fatalf("sign in with the set password: %v", err)
	}
	// A reset issues a new link for an existing user only.
	if _, _, err := m.PasswordLink(ctx, domain.OperatorPrincipal(), 999999); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

// An API token is shown once, acts as its user until revoked, and is
// refused for a user who is not active or without a name.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	m, u := accountsSetup(t)
	admin, err := m.Store.CreateUser(ctx, "admin@survey.test", "Admins", domain.RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	p := domain.UserPrincipal(admin)
	if _, _, err := m.CreateAPIToken(ctx, p, u.ID, "  "); !errors.Is(err, manage.ErrBadAPIToken) {
		t.Fatalf("no name: %v", err)
	}
	if _, _, err := m.CreateAPIToken(ctx, p, 999999, "Skripts"); !errors.Is(err, manage.ErrBadAPIToken) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, _, err := m.CreateAPIToken(ctx, p, u.ID, "Skripts\x1b"); !errors.Is(err, manage.ErrBadCharacters) {
		t.Fatalf("bad name: %v", err)
	}
	tok, secret, err := m.CreateAPIToken(ctx, p, u.ID, " Skripts ")
	if err != nil || tok.Name != "Skripts" || tok.UserID != u.ID {
		t.Fatalf("create: %+v %v", tok, err)
	}
	if _, _, err := m.CreateAPIToken(ctx, domain.OperatorPrincipal(), u.ID, "Operatora skripts"); err != nil {
		t.Fatalf("by the operator: %v", err)
	}
	got, err := m.TokenPrincipal(ctx, secret)
	if err != nil || got.User.ID != u.ID {
		t.Fatalf("token acts as %+v, %v", got, err)
	}
	list, users, err := m.APITokens(ctx, p)
	if err != nil || len(list) != 2 || len(users) != 2 {
		t.Fatalf("list: %d tokens, %d users, %v", len(list), len(users), err)
	}
	if err := m.RevokeAPIToken(ctx, p, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TokenPrincipal(ctx, secret); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := m.RevokeAPIToken(ctx, p, tok.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("revoked twice: %v", err)
	}
	// A disabled user gets no token, and is left out of the choice.
	if _, err := m.UpdateUser(ctx, p, u.ID, u.Name, u.Role, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.CreateAPIToken(ctx, p, u.ID, "Skripts"); !errors.Is(err, manage.ErrBadAPIToken) {
		t.Fatalf("disabled user: %v", err)
	}
	if _, users, _ := m.APITokens(ctx, p); len(users) != 1 || users[0].ID != admin.ID {
		t.Fatalf("users a token may act as: %+v", users)
	}
}
