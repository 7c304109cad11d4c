// Package domain holds the types every layer shares: municipalities, survey
// rounds and their states, responses and their statuses, revisions, returns,
// contacts, users and roles, API tokens, messages, deadline extensions and
// feedback releases; who is acting (Principal) and what they may do (Access);
// and the errors the layers use to tell each other what went wrong
// (ErrNotFound, ErrConflict, ErrForbidden …).
//
// It is pure Go: no SQL, no HTTP. The store keeps these types in PostgreSQL
// (their db tags name the columns), manage runs the operations on them, and
// the web, the CLI and reports read them. A test (layering_test.go) keeps
// this package, survey and reports free of any SQL package.
package domain
