package domain

import "errors"

// Access is what an operation needs from the one asking. Levels are
// ordered: each allows everything the ones before it allow.
type Access int

// Access levels.
const (
	// AccessSignedIn: any active user (their own account).
	AccessSignedIn Access = iota
	// AccessView: read rounds, the tracker and results — viewers
	// (council members), coordinators and admins.
	AccessView
	// AccessCoordinate: change rounds, links, contacts and answers, and
	// see personal data — coordinators and admins.
	AccessCoordinate
	// AccessAdminister: users and API tokens — admins.
	AccessAdminister
)

// String names the level for messages and test output.
func (a Access) String() string {
	switch a {
	case AccessSignedIn:
		return "signed-in"
	case AccessView:
		return "view"
	case AccessCoordinate:
		return "coordinate"
	case AccessAdminister:
		return "administer"
	}
	return "unknown"
}

// Allows reports whether a user with role has the access.
func (a Access) Allows(role string) bool {
	switch a {
	case AccessSignedIn, AccessView:
		return role == RoleViewer || role == RoleCoordinator || role == RoleAdmin
	case AccessCoordinate:
		return role == RoleCoordinator || role == RoleAdmin
	case AccessAdminister:
		return role == RoleAdmin
	}
	return false
}

// Errors of authorization.
var (
	// ErrUnauthenticated: nobody is signed in (or the account is disabled).
	ErrUnauthenticated = errors.New("sign-in required")
	// ErrForbidden: the principal's role does not allow the operation.
	ErrForbidden = errors.New("not allowed for this role")
)

// Principal is who asks for an operation: a signed-in user (through a
// session or an API token), or the operator at the command line, who runs
// the installation and may do everything. The zero Principal is nobody.
// A municipality answering through its personal link is not a Principal:
// the link's token is its credential, checked by the respondent operations.
type Principal struct {
	// User is the signed-in user; zero for the operator and for nobody.
	User User
	// Operator is the command line.
	Operator bool
	// TokenID is the API token the user acts through (0: a session, the
	// operator or nobody), for the audit log.
	TokenID int64
	// From is where the request came from, for the audit log: the client's
	// address as the web reads it (honouring TRUSTED_PROXIES), "cli" for
	// the operator.
	From string
}

// UserPrincipal is a signed-in user.
func UserPrincipal(u User) Principal { return Principal{User: u} }

// OperatorPrincipal is the command line.
func OperatorPrincipal() Principal { return Principal{Operator: true, From: OperatorAddr} }

// OperatorAddr is the operator's address in the audit log.
const OperatorAddr = "cli"

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return !p.Operator && (p.User.ID == 0 || !p.User.Active()) }

// Can reports whether the principal has the access.
func (p Principal) Can(a Access) bool {
	if p.Operator {
		return true
	}
	return !p.Anonymous() && a.Allows(p.User.Role)
}

// Require is nil when the principal has the access, ErrUnauthenticated for
// nobody and ErrForbidden for a role without it.
func (p Principal) Require(a Access) error {
	switch {
	case p.Can(a):
		return nil
	case p.Anonymous():
		return ErrUnauthenticated
	}
	return ErrForbidden
}

// SeesPersonalData reports whether contacts and personal answers may be
// shown to the principal: coordinators, admins and the operator.
func (p Principal) SeesPersonalData() bool { return p.Can(AccessCoordinate) }

// UserID is the acting user's ID for the records (revisions, returns,
// extensions); nil for the operator.
func (p Principal) UserID() *int64 {
	if p.Operator || p.User.ID == 0 {
		return nil
	}
	id := p.User.ID
	return &id
}
