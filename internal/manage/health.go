package manage

import (
	"context"
	"errors"

	"github.com/civitas-lv/surveyd/internal/store"
)

// NotReadyDatabase is the reason when the database does not answer (the
// schema's reasons are store's Schema* states; the web adds "shutting_down").
const NotReadyDatabase = "database_unavailable"

// NotReady says why this instance should not get traffic now.
type NotReady struct {
	// Reason is a stable code: database_unavailable, schema_missing,
	// schema_dirty, schema_behind or schema_ahead.
	Reason string
	// Detail is a sentence for the operator (English, no secrets).
	Detail string
}

// Readiness reports whether this instance can serve: the database answers
// and its schema is exactly this build's. nil means ready. One read of the
// schema's version (which fails when the database does not answer),
// nothing written; for the readiness probe (GET /readyz).
func (m *Manager) Readiness(ctx context.Context) *NotReady {
	err := m.Store.SchemaCurrent(ctx)
	var se *store.SchemaError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return &NotReady{Reason: se.State, Detail: se.Error()}
	}
	return &NotReady{Reason: NotReadyDatabase, Detail: "the database does not answer"}
}
