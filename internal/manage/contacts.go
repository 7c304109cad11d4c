package manage

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// MaxContacts is the most contacts a municipality may have.
const MaxContacts = 10

// ParseContacts reads contacts written one per line as "Name <e-mail>" or a
// bare e-mail address (also separated by commas or semicolons). It reports
// the first line it cannot read; duplicates are dropped.
func ParseContacts(text string) ([]domain.Contact, error) {
	var out []domain.Contact
	seen := map[string]bool{}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' })
	for _, line := range fields {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		list, err := mail.ParseAddressList(line)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", line, ErrBadEmail)
		}
		for _, a := range list {
			email, err := NormalizeEmail(a.Address)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", line, err)
			}
			if seen[email] {
				continue
			}
			seen[email] = true
			out = append(out, domain.Contact{Email: email, Name: strings.TrimSpace(a.Name)})
		}
	}
	if len(out) > MaxContacts {
		return nil, fmt.Errorf("at most %d contacts", MaxContacts)
	}
	return out, nil
}
