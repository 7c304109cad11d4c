// Package migrations holds the numbered SQL migrations of the database schema,
// embedded in the binary and applied by internal/store at start-up.
//
// Files are NNNN_name.up.sql / NNNN_name.down.sql (golang-migrate's naming).
// Each file runs as one transaction. Never edit a migration that has been
// released; add a new one.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
