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
type ConflictError struct{ Current int }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("version conflict: the current version is %d", e.Current)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
