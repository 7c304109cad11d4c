package domain

import "time"

// Extension is a later deadline for one municipality.
type Extension struct {
	MunicipalityCode string    `db:"municipality_code"`
	ClosesAt         time.Time `db:"closes_at"`
	UserID           *int64    `db:"user_id"`
	CreatedAt        time.Time `db:"created_at"`
}
