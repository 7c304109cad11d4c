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
// bare e-mail address (also separated by commas or semicolons), each
// optionally followed by its language, "(en)" or "(lv)" (Latvian when not
// given). It reports the first line it cannot read;
// duplicates are dropped.
func ParseContacts(text string) ([]domain.Contact, error) {
	var out []domain.Contact
	seen := map[string]bool{}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' })
	for _, line := range fields {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		for _, elem := range addressElements(line) {
			elem, lang := cutContactLang(elem)
			if strings.TrimSpace(elem) == "" {
				if lang != "" {
					return nil, fmt.Errorf("%q: %w", line, ErrBadEmail)
				}
				continue
			}
			list, err := mail.ParseAddressList(elem)
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
				out = append(out, domain.Contact{Email: email, Name: strings.TrimSpace(a.Name), Lang: lang})
			}
		}
	}
	if len(out) > MaxContacts {
		return nil, fmt.Errorf("at most %d contacts", MaxContacts)
	}
	return out, nil
}

// ContactsText writes contacts as ParseContacts reads them, one per line
// (see ContactText).
func ContactsText(list []domain.Contact) string {
	lines := make([]string, len(list))
	for i, c := range list {
		lines[i] = ContactText(c)
	}
	return strings.Join(lines, "\n")
}

// ContactText writes a contact as ParseContacts reads it: "Name <e-mail>"
// (the name in quotes when it holds a comma or the like) or the bare
// address, with " (en)" after an English contact's.
func ContactText(c domain.Contact) string {
	s := c.Email
	if c.Name != "" {
		name := c.Name
		if strings.ContainsAny(name, `,<>()"@\`) {
			// As typed ("Ozola, Anna"), it would not be read back.
			name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
		}
		s = name + " <" + c.Email + ">"
	}
	if c.Lang == domain.ContactEN {
		s += " (en)"
	}
	return s
}

// addressElements splits a line at the commas between addresses (not
// those in quotes, angle brackets or parentheses).
func addressElements(line string) []string {
	var out []string
	quoted, depth, start := false, 0, 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<' || c == '(':
			depth++
		case (c == '>' || c == ')') && depth > 0:
			depth--
		case c == ',' && depth == 0:
			out = append(out, line[start:i])
			start = i + 1
		}
	}
	return append(out, line[start:])
}

// cutContactLang cuts a trailing "(en)" or "(lv)" (any case) off an
// address: the contact's language, else Latvian.
func cutContactLang(elem string) (string, string) {
	s := strings.TrimSpace(elem)
	if len(s) >= 4 && s[len(s)-4] == '(' && s[len(s)-1] == ')' {
		switch strings.ToLower(s[len(s)-3 : len(s)-1]) {
		case domain.ContactEN:
			return s[:len(s)-4], domain.ContactEN
		case domain.ContactLV:
			return s[:len(s)-4], domain.ContactLV
		}
	}
	return elem, domain.ContactLV
}
