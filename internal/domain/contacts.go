package domain

import "time"

// Contact is a person at a municipality who receives invitations (personal
// data: coordinators and admins only).
type Contact struct {
	ID               int64     `db:"id" json:"-"`
	MunicipalityCode string    `db:"municipality_code" json:"-"`
	Email            string    `db:"email" json:"email"`
	Name             string    `db:"name" json:"name,omitempty"`
	CreatedAt        time.Time `db:"created_at" json:"-"`
}
