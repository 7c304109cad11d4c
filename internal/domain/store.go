package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the store.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("version conflict")
	ErrExists   = errors.New("already exists")
)

// ConflictError reports a stale version: Current is the version now stored.
// Erased is true when a change that would have been merged with the
// versions since (store.Change.Rebase) was refused because they include an
// erasure of personal data (RevisionErase): merging would write the erased
// answers back.
type ConflictError struct {
	Current int
	Erased  bool
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("version conflict: the current version is %d", e.Current)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
