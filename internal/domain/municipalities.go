package domain

import "time"

// Municipality is one of Latvia's municipalities (reference data).
type Municipality struct {
	Code              string    `db:"code" json:"code"`
	NameLV            string    `db:"name_lv" json:"name_lv"`
	NameEN            string    `db:"name_en" json:"name_en"`
	Kind              string    `db:"kind" json:"kind"` // valstspilseta or novads
	PlanningRegion    string    `db:"planning_region" json:"planning_region"`
	StatisticalRegion string    `db:"statistical_region" json:"statistical_region"`
	Active            bool      `db:"active" json:"active"`
	UpdatedAt         time.Time `db:"updated_at" json:"-"`
}

// Name returns the name in lang ("lv" or "en").
func (m Municipality) Name(lang string) string {
	if lang == "en" {
		return m.NameEN
	}
	return m.NameLV
}
