package manage

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
)

// PasswordLinkTTL is how long a set-password link works.
const PasswordLinkTTL = 72 * time.Hour

// Problems with user input, worded for people by the web layer.
var (
	ErrBadEmail = errors.New("not an e-mail address")
	ErrBadRole  = errors.New("unknown role")
)

// NormalizeEmail checks an address and returns it lower-case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return "", ErrBadEmail
	}
	return strings.ToLower(s), nil
}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool {
	return r == domain.RoleAdmin || r == domain.RoleCoordinator || r == domain.RoleViewer
}

// Users lists every user, active ones first (domain.AccessAdminister).
func (m *Manager) Users(ctx context.Context, p domain.Principal) ([]domain.User, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return nil, err
	}
	return m.Store.Users(ctx)
}

// AddUser creates a user without a password and returns a one-time link to
// set it (domain.AccessAdminister). ErrBadEmail, ErrBadRole, CheckName's
// errors, or domain.ErrExists when the address is taken.
func (m *Manager) AddUser(ctx context.Context, p domain.Principal, email, name, role string) (domain.User, string, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return domain.User{}, "", err
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return domain.User{}, "", err
	}
	if !ValidRole(role) {
		return domain.User{}, "", ErrBadRole
	}
	name = strings.TrimSpace(name)
	if err := CheckName(name); err != nil {
		return domain.User{}, "", err
	}
	u, err := m.Store.CreateUser(ctx, email, name, role, "")
	if err != nil {
		return u, "", err
	}
	link, err := m.passwordLink(ctx, u.ID)
	if err != nil {
		return u, "", err
	}
	return u, link, m.audit(ctx, p, domain.AuditUserCreate, 0, "", map[string]any{"user_id": u.ID, "email": u.Email,
		"role": u.Role})
}

// UpdateUser changes a user's name and role and whether they may sign in
// (domain.AccessAdminister). A disabled user's sessions and API tokens stop
// working at once. ErrBadRole, CheckName's errors, domain.ErrNotFound, or
// domain.ErrLastAdmin when no active admin would be left.
func (m *Manager) UpdateUser(ctx context.Context, p domain.Principal, id int64, name, role string, disabled bool) (domain.User, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return domain.User{}, err
	}
	if !ValidRole(role) {
		return domain.User{}, ErrBadRole
	}
	name = strings.TrimSpace(name)
	if err := CheckName(name); err != nil {
		return domain.User{}, err
	}
	before, err := m.Store.UserByID(ctx, id)
	if err != nil {
		return domain.User{}, err
	}
	after, err := m.Store.UpdateUser(ctx, id, name, role, disabled)
	if err != nil {
		return after, err
	}
	return after, m.auditUserChange(ctx, p, before, after)
}

// auditUserChange records what UpdateUser changed: a row for each of the
// role, disabling or enabling; a renaming alone is AuditUserUpdate.
func (m *Manager) auditUserChange(ctx context.Context, p domain.Principal, before, after domain.User) error {
	who := func() map[string]any { return map[string]any{"user_id": after.ID, "email": after.Email} }
	var rows []string
	details := map[string]map[string]any{}
	if before.Role != after.Role {
		rows = append(rows, domain.AuditUserRole)
		d := who()
		d["from"], d["to"] = before.Role, after.Role
		details[domain.AuditUserRole] = d
	}
	switch {
	case before.Active() && !after.Active():
		rows = append(rows, domain.AuditUserDisable)
	case !before.Active() && after.Active():
		rows = append(rows, domain.AuditUserEnable)
	}
	if len(rows) == 0 && before.Name != after.Name {
		rows = append(rows, domain.AuditUserUpdate)
	}
	for _, a := range rows {
		d := details[a]
		if d == nil {
			d = who()
		}
		if before.Name != after.Name {
			d["name_changed"] = true
		}
		if err := m.audit(ctx, p, a, 0, "", d); err != nil {
			return err
		}
	}
	return nil
}

// PasswordLink issues a new one-time link for the user to set a password
// (a reset; domain.AccessAdminister) and returns the user with it;
// domain.ErrNotFound for an unknown user.
func (m *Manager) PasswordLink(ctx context.Context, p domain.Principal, userID int64) (domain.User, string, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return domain.User{}, "", err
	}
	u, err := m.Store.UserByID(ctx, userID)
	if err != nil {
		return u, "", err
	}
	link, err := m.passwordLink(ctx, u.ID)
	if err != nil {
		return u, "", err
	}
	return u, link, m.audit(ctx, p, domain.AuditUserPasswordLink, 0, "", map[string]any{"user_id": u.ID, "email": u.Email})
}

// passwordLink issues a one-time link for the user to set a password.
func (m *Manager) passwordLink(ctx context.Context, userID int64) (string, error) {
	token, hash := auth.NewToken()
	if err := m.Store.CreatePasswordLink(ctx, userID, hash, time.Now().Add(PasswordLinkTTL)); err != nil {
		return "", err
	}
	u := *m.BaseURL
	u.Path = u.Path + "/password/" + token
	return u.String(), nil
}

// FirstAdmin creates an admin with a generated password when there is no
// active admin; it returns the password (to show once) or "" when an admin
// exists. It takes no principal: it makes the installation's first one.
func (m *Manager) FirstAdmin(ctx context.Context, email string) (string, error) {
	n, err := m.Store.CountAdmins(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	email, err = NormalizeEmail(email)
	if err != nil {
		return "", fmt.Errorf("%q: %w", email, err)
	}
	h, err := m.hasher()
	if err != nil {
		return "", err
	}
	pw := auth.GeneratePassword()
	hash, err := h.Hash(pw)
	if err != nil {
		return "", err
	}
	if _, err := m.Store.CreateUser(ctx, email, "", domain.RoleAdmin, hash); err != nil {
		if errors.Is(err, domain.ErrExists) {
			u, err := m.Store.UserByEmail(ctx, email)
			if err != nil {
				return "", err
			}
			// The address exists as another role or disabled: make it the
			// admin again with a new password.
			if _, err := m.Store.UpdateUser(ctx, u.ID, u.Name, domain.RoleAdmin, false); err != nil {
				return "", err
			}
			return pw, m.Store.SetPassword(ctx, u.ID, hash, nil)
		}
		return "", err
	}
	return pw, nil
}
