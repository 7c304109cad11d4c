package store

import (
	"context"
	"sort"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The domain types this file keeps.
type Contact = domain.Contact

const (
	contactColumns       = `id, municipality_code, email, name, lang, created_at`
	qContacts            = `SELECT ` + contactColumns + ` FROM contacts ORDER BY municipality_code, id`
	qContactsOf          = `SELECT ` + contactColumns + ` FROM contacts WHERE municipality_code = $1 ORDER BY id`
	qDeleteContactsNotIn = `DELETE FROM contacts WHERE municipality_code = $1 AND NOT (email = ANY($2))`
	// $4 '': a new contact is Latvian, a known one keeps its language.
	qUpsertContact = `INSERT INTO contacts (municipality_code, email, name, lang) VALUES ($1, $2, $3, COALESCE(NULLIF($4, ''), 'lv'))
		ON CONFLICT (municipality_code, email) DO UPDATE SET name = EXCLUDED.name,
		lang = CASE WHEN $4 = '' THEN contacts.lang ELSE EXCLUDED.lang END`
	qLockMunicipalityForKey = `SELECT code FROM municipalities WHERE code = $1 FOR KEY SHARE`
	qLockMunicipality       = `SELECT code FROM municipalities WHERE code = $1 FOR UPDATE`
	qContactsOfAny          = `SELECT ` + contactColumns + ` FROM contacts WHERE municipality_code = ANY($1) ORDER BY municipality_code, id`
)

var contactStatements = []string{qContacts, qContactsOf, qDeleteContactsNotIn, qUpsertContact, qLockMunicipalityForKey,
	qLockMunicipality, qContactsOfAny}

// Contacts returns every contact by municipality code.
func (s *Store) Contacts(ctx context.Context) (map[string][]Contact, error) {
	return s.now().Contacts(ctx)
}

// Contacts is Store.Contacts within the snapshot.
func (sn *Snapshot) Contacts(ctx context.Context) (map[string][]Contact, error) {
	var list []Contact
	if err := sn.q.SelectContext(ctx, &list, qContacts); err != nil {
		return nil, err
	}
	out := map[string][]Contact{}
	for _, c := range list {
		out[c.MunicipalityCode] = append(out[c.MunicipalityCode], c)
	}
	return out, nil
}

// ContactsOf returns one municipality's contacts.
func (s *Store) ContactsOf(ctx context.Context, code string) ([]Contact, error) {
	var out []Contact
	return out, s.db.SelectContext(ctx, &out, qContactsOf, code)
}

// ReplaceContacts makes list (emails lower-case, no duplicates) the
// municipality's contacts (a contact without a language keeps its own); ErrNotFound for an unknown municipality.
func (s *Store) ReplaceContacts(ctx context.Context, code string, list []Contact) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var got string
		if err := tx.GetContext(ctx, &got, qLockMunicipalityForKey, code); err != nil {
			return notFound(err)
		}
		emails := make([]string, len(list))
		for i, c := range list {
			emails[i] = c.Email
		}
		if _, err := tx.ExecContext(ctx, qDeleteContactsNotIn, code, pq.Array(emails)); err != nil {
			return err
		}
		for _, c := range list {
			if _, err := tx.ExecContext(ctx, qUpsertContact, code, c.Email, c.Name, c.Lang); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateContacts changes the contacts of several municipalities (codes) in
// one transaction: fn gets their current contacts by code, while nobody
// else can change them, and returns the new lists (emails lower-case, no
// duplicates; a code left out keeps its contacts) or an error, which
// changes nothing and is returned. ErrNotFound for an unknown municipality.
func (s *Store) UpdateContacts(ctx context.Context, codes []string, fn func(current map[string][]Contact) (map[string][]Contact, error)) error {
	codes = append([]string(nil), codes...)
	sort.Strings(codes) // one locking order
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, code := range codes {
			var got string
			if err := tx.GetContext(ctx, &got, qLockMunicipality, code); err != nil {
				return notFound(err)
			}
		}
		var list []Contact
		if err := tx.SelectContext(ctx, &list, qContactsOfAny, pq.Array(codes)); err != nil {
			return err
		}
		current := map[string][]Contact{}
		for _, c := range list {
			current[c.MunicipalityCode] = append(current[c.MunicipalityCode], c)
		}
		lists, err := fn(current)
		if err != nil {
			return err
		}
		for _, code := range codes {
			next, ok := lists[code]
			if !ok {
				continue
			}
			emails := make([]string, len(next))
			for i, c := range next {
				emails[i] = c.Email
			}
			if _, err := tx.ExecContext(ctx, qDeleteContactsNotIn, code, pq.Array(emails)); err != nil {
				return err
			}
			for _, c := range next {
				if _, err := tx.ExecContext(ctx, qUpsertContact, code, c.Email, c.Name, c.Lang); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
