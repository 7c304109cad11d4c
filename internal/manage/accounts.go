package manage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// AccountSettings configure signing in: how passwords are hashed, how long
// a session lasts, and the sign-in throttle. A zero field takes its
// default. The session limits come from the configuration
// (SESSION_IDLE_TIMEOUT, SESSION_MAX_AGE).
type AccountSettings struct {
	// Hasher hashes and checks passwords (default auth.NewHasher(0); tests
	// use a low bcrypt cost, and wrap it to count the checks).
	Hasher auth.PasswordHasher
	// SessionIdle and SessionMaxAge end sessions (defaults 2h and 12h):
	// after SessionIdle without a request, and SessionMaxAge after signing
	// in.
	SessionIdle, SessionMaxAge time.Duration
	// Throttle limits sign-in attempts (default auth.DefaultThrottle()).
	Throttle auth.Throttle
}

// Default session limits.
const (
	DefaultSessionIdle   = 2 * time.Hour
	DefaultSessionMaxAge = 12 * time.Hour
)

// sessionTouchEvery is how often a session's use is recorded: at most once
// a minute, so that requests do not each write.
const sessionTouchEvery = time.Minute

// defaultHasher is the service's hasher, made once on first use (making it
// hashes a password, which takes a while at the default cost).
var defaultHasher = sync.OnceValues(func() (auth.PasswordHasher, error) { return auth.NewHasher(0) })

func (m *Manager) hasher() (auth.PasswordHasher, error) {
	if m.Accounts.Hasher != nil {
		return m.Accounts.Hasher, nil
	}
	return defaultHasher()
}

func (m *Manager) sessionIdle() time.Duration {
	if m.Accounts.SessionIdle > 0 {
		return m.Accounts.SessionIdle
	}
	return DefaultSessionIdle
}

func (m *Manager) sessionMaxAge() time.Duration {
	if m.Accounts.SessionMaxAge > 0 {
		return m.Accounts.SessionMaxAge
	}
	return DefaultSessionMaxAge
}

func (m *Manager) throttle() auth.Throttle {
	if m.Accounts.Throttle.Window > 0 {
		return m.Accounts.Throttle
	}
	return auth.DefaultThrottle()
}

// Why signing in or changing a password is refused. The password rules'
// own reasons are auth's (auth.ErrPasswordShort …).
var (
	// ErrSignInFailed: an unknown address, a wrong password, a disabled
	// account, or one whose password has not been set yet — the one who
	// asks is not told which.
	ErrSignInFailed = errors.New("wrong e-mail address or password")
	// ErrWrongPassword: the current password given to change it is wrong.
	ErrWrongPassword = errors.New("the current password is wrong")
	// ErrNoAccount: the command line's operator has no account of its own.
	ErrNoAccount = errors.New("the operator has no account of its own")
	// ErrSessionNotRecorded: the session is valid, but recording its use
	// failed (SessionPrincipal returns the principal with it).
	ErrSessionNotRecorded = errors.New("recording the session's use failed")
)

// ThrottledError refuses a sign-in past the throttle's limits, even with the
// right password, for Wait (at least a second).
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many sign-in attempts; try again in %v", e.Wait)
}

// SignedIn is a new session: its token goes in the browser's cookie, and
// it ends at Expires at the latest.
type SignedIn struct {
	User    domain.User
	Token   string
	Expires time.Time
}

// SignIn checks an e-mail address and password at now from the client
// address ip and starts a session. Attempts are counted per account and
// per address, and each is reserved before its password is checked (a
// reservation counts as a failure until it succeeds), so however many
// arrive at once, on however many instances, no more passwords are
// checked than the limit allows; past it sign-in is refused for a while
// (*ThrottledError), even with the right password. A wrong address or
// password is ErrSignInFailed. The session's token is fresh, never one from
// before signing in.
//
// It takes no principal: it is how one is established.
func (m *Manager) SignIn(ctx context.Context, email, password, ip string, now time.Time) (SignedIn, error) {
	h, err := m.hasher()
	if err != nil {
		return SignedIn{}, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	t := m.throttle()
	since := now.Add(-t.Window)
	attempt, counts, err := m.Store.ReserveLoginAttempt(ctx, email, ip, now, since, t.PerAccount, t.PerIP)
	if err != nil {
		return SignedIn{}, err
	}
	if attempt == 0 {
		wait := t.Wait(now, counts.ByEmail, counts.ByIP, counts.OldestEmail, counts.OldestIP)
		if err := m.auditUser(ctx, domain.User{}, domain.AuditSignInThrottled, ip, triedEmail(email)); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, &ThrottledError{Wait: max(wait, time.Second)}
	}
	u, err := m.Store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return SignedIn{}, err // the reservation stays, counted as a failure
	}
	hash := ""
	if err == nil && u.Active() && u.PasswordHash != nil {
		hash = *u.PasswordHash
	}
	if !h.Verify(hash, password) {
		if err := m.Store.FailLoginAttempt(ctx, attempt); err != nil {
			return SignedIn{}, err
		}
		if err := m.auditUser(ctx, domain.User{}, domain.AuditSignInFailed, ip, triedEmail(email)); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, ErrSignInFailed
	}
	if err := m.Store.SucceedLoginAttempt(ctx, attempt, since, now.Add(-24*time.Hour)); err != nil {
		return SignedIn{}, err
	}
	token, th := auth.NewToken()
	expires := now.Add(m.sessionMaxAge())
	if err := m.Store.CreateSession(ctx, th, u.ID, now, expires); err != nil {
		return SignedIn{}, err
	}
	if err := m.auditUser(ctx, u, domain.AuditSignIn, ip, nil); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{User: u, Token: token, Expires: expires}, nil
}

// triedEmail is a refused sign-in's audit detail: the e-mail address
// tried — only when it is one, since a password typed into the address's
// field by mistake must not be recorded.
func triedEmail(email string) map[string]any {
	if _, err := NormalizeEmail(email); err != nil {
		return map[string]any{"email": "", "not_an_address": true}
	}
	return map[string]any{"email": email}
}

// SessionPrincipal is who a session's token (a browser's cookie) signs in
// at now: domain.ErrUnauthenticated when the token is malformed or unknown,
// the session is past either limit, or its user is disabled. It records
// the session's use (once a minute at most): when only that fails, it
// returns the principal with ErrSessionNotRecorded.
//
// It takes no principal: it is how one is established.
func (m *Manager) SessionPrincipal(ctx context.Context, token string, now time.Time) (domain.Principal, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	sess, u, err := m.Store.SessionUser(ctx, hash, now, m.sessionIdle())
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return domain.Principal{}, err
	}
	p := domain.UserPrincipal(u)
	if now.Sub(sess.LastSeenAt) > sessionTouchEvery {
		if err := m.Store.TouchSession(ctx, hash, now); err != nil {
			return p, fmt.Errorf("%w: %w", ErrSessionNotRecorded, err)
		}
	}
	return p, nil
}

// TokenPrincipal is who an API token (a script's Bearer token) acts as,
// recording its use: domain.ErrUnauthenticated when the token is
// malformed, unknown or revoked, or its user is disabled.
//
// It takes no principal: it is how one is established.
func (m *Manager) TokenPrincipal(ctx context.Context, token string) (domain.Principal, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	u, id, err := m.Store.APITokenUserID(ctx, hash)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return domain.Principal{}, err
	}
	p := domain.UserPrincipal(u)
	p.TokenID = id
	return p, nil
}

// SignOut ends the session of the token (nothing for a malformed or unknown
// one), asked from the address from (for the audit log).
//
// It takes no principal: the session's token is the credential.
func (m *Manager) SignOut(ctx context.Context, token, from string) error {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return nil
	}
	id, err := m.Store.EndSession(ctx, hash)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	u, err := m.Store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	return m.auditUser(ctx, u, domain.AuditSignOut, from, nil)
}

// DeleteExpiredSessions deletes the sessions past either limit at now.
func (m *Manager) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	return m.Store.DeleteExpiredSessions(ctx, now, m.sessionIdle())
}

// checkNewPassword applies the rules to a new password typed twice.
func checkNewPassword(pw, repeat, email string) error {
	if pw != repeat {
		return auth.ErrPasswordMismatch
	}
	return auth.CheckPassword(pw, email)
}

// PasswordChange is a user's form to change their own password.
type PasswordChange struct {
	Current, New, Repeat string
	// KeepSession is the token of the session that asks: it stays signed
	// in, the user's other sessions end ("" ends them all).
	KeepSession string
}

// ChangePassword changes the principal's own password (domain.AccessSignedIn):
// the current password must be right (ErrWrongPassword), the new one typed
// twice the same and follow the rules (auth.CheckPassword's errors). The
// user's other sessions end and unused set-password links stop working.
// The operator has no account (ErrNoAccount).
func (m *Manager) ChangePassword(ctx context.Context, p domain.Principal, c PasswordChange) error {
	if err := p.Require(domain.AccessSignedIn); err != nil {
		return err
	}
	if p.Operator {
		return ErrNoAccount
	}
	h, err := m.hasher()
	if err != nil {
		return err
	}
	u, err := m.Store.UserByID(ctx, p.User.ID)
	if err != nil {
		return err
	}
	hash := ""
	if u.PasswordHash != nil {
		hash = *u.PasswordHash
	}
	if !h.Verify(hash, c.Current) {
		return ErrWrongPassword
	}
	if err := checkNewPassword(c.New, c.Repeat, u.Email); err != nil {
		return err
	}
	nh, err := h.Hash(c.New)
	if err != nil {
		return err
	}
	var keep []byte
	if c.KeepSession != "" {
		keep, _ = auth.ParseToken(c.KeepSession) // malformed: keep none
	}
	if err := m.Store.SetPassword(ctx, u.ID, nh, keep); err != nil {
		return err
	}
	return m.audit(ctx, p, domain.AuditPasswordChange, 0, "", nil)
}

// PasswordLinkEmail is the e-mail address of the user a working
// set-password link's token belongs to; domain.ErrNotFound for a malformed,
// unknown, used or expired token, or a disabled user. It changes nothing.
//
// It takes no principal: the link's token is the credential.
func (m *Manager) PasswordLinkEmail(ctx context.Context, token string) (string, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return "", domain.ErrNotFound
	}
	return m.Store.PasswordLinkEmail(ctx, hash)
}

// SetPasswordByLink sets the password of the user a set-password link's
// token belongs to, typed twice (pw, repeat) and following the rules
// (auth.CheckPassword's errors), and uses up the link; the user's sessions
// end. It returns the user's e-mail address (to show the form again with),
// and domain.ErrNotFound as PasswordLinkEmail does. It is recorded in the
// audit log as the user's, from the address from.
//
// It takes no principal: the link's token is the credential.
func (m *Manager) SetPasswordByLink(ctx context.Context, token, pw, repeat, from string) (string, error) {
	h, err := m.hasher()
	if err != nil {
		return "", err
	}
	hash, err := auth.ParseToken(token)
	if err != nil {
		return "", domain.ErrNotFound
	}
	email, err := m.Store.PasswordLinkEmail(ctx, hash)
	if err != nil {
		return "", err
	}
	if err := checkNewPassword(pw, repeat, email); err != nil {
		return email, err
	}
	nh, err := h.Hash(pw)
	if err != nil {
		return email, err
	}
	u, err := m.Store.UsePasswordLink(ctx, hash, nh)
	if err != nil {
		return email, err
	}
	return email, m.auditUser(ctx, u, domain.AuditPasswordSet, from, nil)
}

// ErrBadAPIToken refuses a new API token without a name, or for a user
// who does not exist or is disabled.
var ErrBadAPIToken = errors.New("an API token needs a name and an active user")

// APITokens lists every API token, working ones first, and the active
// users a new token may act as (domain.AccessAdminister).
func (m *Manager) APITokens(ctx context.Context, p domain.Principal) ([]domain.APIToken, []domain.User, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return nil, nil, err
	}
	tokens, err := m.Store.APITokens(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := m.Store.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	var users []domain.User
	for _, u := range all {
		if u.Active() {
			users = append(users, u)
		}
	}
	return tokens, users, nil
}

// CreateAPIToken issues an API token named name acting as the user userID
// (domain.AccessAdminister): 128 random bits, of which only the hash is
// stored; the token is returned this once. ErrBadAPIToken for an empty
// name or a user who is not active; CheckName's errors for the name.
func (m *Manager) CreateAPIToken(ctx context.Context, p domain.Principal, userID int64, name string) (domain.APIToken, string, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return domain.APIToken{}, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return domain.APIToken{}, "", ErrBadAPIToken
	}
	if err := CheckName(name); err != nil {
		return domain.APIToken{}, "", err
	}
	u, err := m.Store.UserByID(ctx, userID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !u.Active() {
		return domain.APIToken{}, "", ErrBadAPIToken
	}
	if err != nil {
		return domain.APIToken{}, "", err
	}
	token, hash := auth.NewToken()
	t, err := m.Store.CreateAPIToken(ctx, userID, name, hash, p.UserID())
	if err != nil {
		return domain.APIToken{}, "", err
	}
	return t, token, m.audit(ctx, p, domain.AuditTokenCreate, 0, "", map[string]any{"token_id": t.ID, "name": t.Name,
		"user_id": u.ID, "user_email": u.Email})
}

// RevokeAPIToken stops an API token at once (domain.AccessAdminister);
// domain.ErrNotFound when it is unknown or already revoked.
func (m *Manager) RevokeAPIToken(ctx context.Context, p domain.Principal, id int64) error {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return err
	}
	if err := m.Store.RevokeAPIToken(ctx, id); err != nil {
		return err
	}
	return m.audit(ctx, p, domain.AuditTokenRevoke, 0, "", map[string]any{"token_id": id})
}

// Ping reports whether the database answers (the health check).
func (m *Manager) Ping(ctx context.Context) error { return m.Store.Ping(ctx) }
