package domain

import "time"

// Roles of users.
const (
	RoleAdmin       = "admin"
	RoleCoordinator = "coordinator"
	RoleViewer      = "viewer"
)

// User is a person who signs in: a coordinator, a council member (viewer) or
// an admin.
type User struct {
	ID                int64      `db:"id"`
	Email             string     `db:"email"`
	Name              string     `db:"name"`
	Role              string     `db:"role"`
	PasswordHash      *string    `db:"password_hash"`
	PasswordChangedAt *time.Time `db:"password_changed_at"`
	DisabledAt        *time.Time `db:"disabled_at"`
	CreatedAt         time.Time  `db:"created_at"`
	UpdatedAt         time.Time  `db:"updated_at"`
}

// Active reports whether the user may sign in.
func (u User) Active() bool { return u.DisabledAt == nil }

// ErrLastAdmin refuses a change that would leave no active admin.
var ErrLastAdmin = errLastAdmin{}

type errLastAdmin struct{}

func (errLastAdmin) Error() string { return "the last active admin cannot be demoted or disabled" }
