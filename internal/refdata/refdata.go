// Package refdata holds the reference data the service ships with: the 43
// Latvian municipalities since the 2021 reform with their planning region
// (Cabinet Regulation No. 418 of 22 June 2021) and statistical region (NUTS 3,
// Cabinet Order No. 911 of 7 December 2021). Coordinators can correct the
// list in the database; loading it again only updates rows that differ.
package refdata

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"

	"github.com/civitas-lv/surveyd/internal/domain"
)

//go:embed municipalities.csv
var municipalitiesCSV []byte

var header = []string{"code", "name_lv", "name_en", "kind", "planning_region", "statistical_region"}

// Municipalities parses the embedded list.
func Municipalities() ([]domain.Municipality, error) {
	return ParseMunicipalities(municipalitiesCSV)
}

// ParseMunicipalities reads a municipalities CSV with the header
// code,name_lv,name_en,kind,planning_region,statistical_region.
func ParseMunicipalities(data []byte) ([]domain.Municipality, error) {
	r := csv.NewReader(bytes.NewReader(data))
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || fmt.Sprint(rows[0]) != fmt.Sprint(header) {
		return nil, fmt.Errorf("municipalities CSV: the header must be %v", header)
	}
	seen := map[string]bool{}
	var out []domain.Municipality
	for i, row := range rows[1:] {
		m := domain.Municipality{Code: row[0], NameLV: row[1], NameEN: row[2], Kind: row[3],
			PlanningRegion: row[4], StatisticalRegion: row[5], Active: true}
		if seen[m.Code] {
			return nil, fmt.Errorf("municipalities CSV line %d: duplicate code %q", i+2, m.Code)
		}
		if m.Kind != "novads" && m.Kind != "valstspilseta" {
			return nil, fmt.Errorf("municipalities CSV line %d: kind %q is neither novads nor valstspilseta", i+2, m.Kind)
		}
		seen[m.Code] = true
		out = append(out, m)
	}
	return out, nil
}
