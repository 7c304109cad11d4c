package store

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
)

// The domain types this file keeps.
type Municipality = domain.Municipality

const (
	qUpsertMunicipality = `
INSERT INTO municipalities (code, name_lv, name_en, kind, planning_region, statistical_region, active)
VALUES ($1, $2, $3, $4, $5, $6, true)
ON CONFLICT (code) DO UPDATE SET
    name_lv = EXCLUDED.name_lv, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind,
    planning_region = EXCLUDED.planning_region, statistical_region = EXCLUDED.statistical_region,
    active = true, updated_at = now()
WHERE (municipalities.name_lv, municipalities.name_en, municipalities.kind,
       municipalities.planning_region, municipalities.statistical_region, municipalities.active)
  IS DISTINCT FROM
      (EXCLUDED.name_lv, EXCLUDED.name_en, EXCLUDED.kind,
       EXCLUDED.planning_region, EXCLUDED.statistical_region, true)`
	qMunicipality   = `SELECT code, name_lv, name_en, kind, planning_region, statistical_region, active, updated_at FROM municipalities WHERE code = $1`
	qMunicipalities = `SELECT code, name_lv, name_en, kind, planning_region, statistical_region, active, updated_at FROM municipalities ORDER BY code`
)

var municipalityStatements = []string{qUpsertMunicipality, qMunicipality, qMunicipalities}

// UpsertMunicipalities inserts or updates the municipalities in one
// transaction and returns how many rows changed (0 when all were current).
// Municipalities missing from the list are left as they are.
func (s *Store) UpsertMunicipalities(ctx context.Context, list []Municipality) (changed int, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, m := range list {
			res, err := tx.ExecContext(ctx, qUpsertMunicipality, m.Code, m.NameLV, m.NameEN, m.Kind,
				m.PlanningRegion, m.StatisticalRegion)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			changed += int(n)
		}
		return nil
	})
	return changed, err
}

// Municipality returns one municipality by code.
func (s *Store) Municipality(ctx context.Context, code string) (Municipality, error) {
	var m Municipality
	err := s.db.GetContext(ctx, &m, qMunicipality, code)
	return m, notFound(err)
}

// Municipalities returns every municipality ordered by code.
func (s *Store) Municipalities(ctx context.Context) ([]Municipality, error) {
	var list []Municipality
	err := s.db.SelectContext(ctx, &list, qMunicipalities)
	return list, err
}
