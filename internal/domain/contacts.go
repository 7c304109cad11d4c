package domain

import "time"

// Contact is a person at a municipality who receives invitations (personal
// data: coordinators and admins only).
type Contact struct {
	ID               int64  `db:"id" json:"-"`
	MunicipalityCode string `db:"municipality_code" json:"-"`
	Email            string `db:"email" json:"email"`
	Name             string `db:"name" json:"name,omitempty"`
	// Lang is the language the contact is written to: ContactLV (the
	// default) or ContactEN. Empty in a contact to save: keep the
	// language a contact already has (Latvian for a new one).
	Lang      string    `db:"lang" json:"-"`
	CreatedAt time.Time `db:"created_at" json:"-"`
}

// The languages a contact can be written to.
const (
	ContactLV = "lv"
	ContactEN = "en"
)
