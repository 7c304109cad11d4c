package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
)

// Traces scans every text, varchar, char, json and jsonb column (and text
// arrays) of every table of the public schema for each of values, ignoring
// case, and returns "table.column: value" for each hit. except names
// "table.column"s not to scan (the audit log keeps staff e-mail addresses:
// pass "audit_log.<column>" once it exists).
func Traces(t testing.TB, s *store.Store, except []string, values ...string) []string {
	t.Helper()
	ctx := context.Background()
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := s.DB().SelectContext(ctx, &cols, `
SELECT c.table_name, c.column_name FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
  AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
       OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
ORDER BY c.table_name, c.column_name`); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if len(cols) < 20 {
		t.Fatalf("storetest: only %d text columns", len(cols))
	}
	var hits []string
	for _, c := range cols {
		if slices.Contains(except, c.Table+"."+c.Column) {
			continue
		}
		for _, v := range values {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE strpos(lower(%q::text), lower($1)) > 0`, c.Table, c.Column)
			if err := s.DB().GetContext(ctx, &n, q, v); err != nil {
				t.Fatalf("storetest: %s.%s: %v", c.Table, c.Column, err)
			}
			if n > 0 {
				hits = append(hits, fmt.Sprintf("%s.%s: %q (%d rows)", c.Table, c.Column, v, n))
			}
		}
	}
	return hits
}
