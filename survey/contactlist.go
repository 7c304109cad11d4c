package survey

// ContactList names the questions the council-meeting invitation list is
// built from: the yes/no question by which a respondent agrees to be
// contacted and invited, and the questions holding the respondent's name,
// position, e-mail and phone. Consent and Name are required; Position,
// Email and Phone are optional (the list then has no such column). The
// loader checks the types, and that the contact questions are personal.
type ContactList struct {
	Consent  string `json:"consent" yaml:"consent"`
	Name     string `json:"name" yaml:"name"`
	Position string `json:"position,omitempty" yaml:"position"`
	Email    string `json:"email,omitempty" yaml:"email"`
	Phone    string `json:"phone,omitempty" yaml:"phone"`
}

// ContactField is one column of the invitation list after the
// municipality: Key is name, position, email or phone; Question the
// question that holds it.
type ContactField struct {
	Key      string
	Question *Question
}

// ContactFields returns the invitation list's columns after the
// municipality, in the order name, position, email, phone (those the
// definition names); nil when the definition has no contact_list.
func (d *Definition) ContactFields() []ContactField {
	cl := d.ContactList
	if cl == nil {
		return nil
	}
	var out []ContactField
	for _, f := range []struct{ key, code string }{
		{"name", cl.Name}, {"position", cl.Position}, {"email", cl.Email}, {"phone", cl.Phone},
	} {
		if q := d.questions[f.code]; q != nil {
			out = append(out, ContactField{Key: f.key, Question: q})
		}
	}
	return out
}

// Consented reports whether the answers agree to be contacted: the
// contact_list consent question is answered yes. False without a
// contact_list.
func (d *Definition) Consented(a Answers) bool {
	if d.ContactList == nil {
		return false
	}
	yes, _ := a[d.ContactList.Consent].(bool)
	return yes
}

// checkContactList checks the contact_list block: every question it names
// exists and has the right type (consent yes/no; name and position text;
// email email; phone phone), the contact questions are personal, and no
// question is named twice.
func (d *Definition) checkContactList(c *checker) {
	cl := d.ContactList
	if cl == nil {
		return
	}
	seen := map[string]string{}
	for _, f := range []struct {
		key, code string
		typ       Type
		required  bool
	}{
		{"consent", cl.Consent, YesNo, true},
		{"name", cl.Name, Short, true},
		{"position", cl.Position, Short, false},
		{"email", cl.Email, Email, false},
		{"phone", cl.Phone, Phone, false},
	} {
		want := "a " + string(f.typ)
		switch f.typ {
		case YesNo:
			want = "a yes/no"
		case Email:
			want = "an email"
		}
		if f.code == "" {
			if f.required {
				c.add("survey", "contact_list: %s is missing (%s question)", f.key, want)
			}
			continue
		}
		if other, ok := seen[f.code]; ok {
			c.add("survey", "contact_list: %s: question %q is already named as %s", f.key, f.code, other)
			continue
		}
		seen[f.code] = f.key
		q := d.questions[f.code]
		switch {
		case q == nil:
			c.add("survey", "contact_list: %s: unknown question %q", f.key, f.code)
		case q.Type != f.typ:
			c.add("survey", "contact_list: %s: question %q is %s, not %s question", f.key, f.code, q.Type, want)
		case f.key != "consent" && !q.Personal:
			c.add("survey", "contact_list: %s: question %q must be marked personal: true", f.key, f.code)
		}
	}
}
