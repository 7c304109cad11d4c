// Package wording is the service's one catalog of wording: every text a
// person reads — pages, e-mails, the workbook, the charts, the reports and
// the form's script — is a key in lv.json (Latvian, the service's first
// language) and en.json (English), with named placeholders ("Anketa
// iesniegta {date}."). Both files carry the same keys, each once, with the
// same placeholders; Parse refuses them otherwise, and the package's tests
// fail on a key that nothing uses and on a key the code asks for that the
// catalog lacks.
//
// Latvian grammar that message files cannot carry — dates in the case the
// sentence needs, the noun's form after a number — is code in latvian.go.
package wording

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Lang is a language of the catalog.
type Lang string

// The catalog's languages: Latvian first.
const (
	LV Lang = "lv"
	EN Lang = "en"
)

// Langs lists the catalog's languages, Latvian first.
func Langs() []Lang { return []Lang{LV, EN} }

//go:embed lv.json en.json
var files embed.FS

// Catalog holds the messages of every language.
type Catalog struct {
	msgs map[Lang]map[string]string
}

// catalog is the embedded catalog, parsed once (read-only afterwards).
var catalog = sync.OnceValue(func() *Catalog {
	c, err := Parse(mustRead("lv.json"), mustRead("en.json"))
	if err != nil {
		panic("wording: " + err.Error())
	}
	return c
})

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("wording: " + err.Error())
	}
	return b
}

// Default returns the catalog built into the service.
func Default() *Catalog { return catalog() }

// Parse reads the Latvian and the English message files (JSON objects of
// key → message) and checks that both have the same keys and each key the
// same placeholders.
func Parse(lvJSON, enJSON []byte) (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]string{}}
	for _, f := range []struct {
		l    Lang
		data []byte
	}{{LV, lvJSON}, {EN, enJSON}} {
		m, err := decode(f.data)
		if err != nil {
			return nil, fmt.Errorf("%s.json: %w", f.l, err)
		}
		c.msgs[f.l] = m
	}
	var problems []string
	for _, l := range Langs() {
		for _, k := range slices.Sorted(maps.Keys(c.msgs[l])) {
			if m := c.msgs[l][k]; strings.Contains(m, "%s") || strings.Contains(m, "%d") {
				problems = append(problems, fmt.Sprintf("%q in %s.json has a %%s or %%d: name the placeholder, {name}", k, l))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.msgs[LV])) {
		en, ok := c.msgs[EN][k]
		if !ok {
			problems = append(problems, fmt.Sprintf("%q is in lv.json but not in en.json", k))
			continue
		}
		if a, b := Placeholders(c.msgs[LV][k]), Placeholders(en); !slices.Equal(a, b) {
			problems = append(problems, fmt.Sprintf("%q has placeholders %v in lv.json but %v in en.json", k, a, b))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.msgs[EN])) {
		if _, ok := c.msgs[LV][k]; !ok {
			problems = append(problems, fmt.Sprintf("%q is in en.json but not in lv.json", k))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the message files disagree:\n%s", strings.Join(problems, "\n"))
	}
	return c, nil
}

// decode reads one message file: a JSON object of strings, each key once
// (encoding/json would keep the last of two silently — easy to get when
// two branches add the same key).
func decode(data []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object of messages (%v)", err)
	}
	m := map[string]string{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := t.(string) // an object's keys are strings
		var msg string
		if err := dec.Decode(&msg); err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("%q is there twice", key)
		}
		m[key] = msg
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("more after the object")
	}
	return m, nil
}

// Placeholders returns the sorted, distinct names of a message's
// placeholders ("{date}" → "date").
func Placeholders(msg string) []string {
	var names []string
	for rest := msg; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			break
		}
		names = append(names, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string { return slices.Sorted(maps.Keys(c.msgs[LV])) }

// Has reports whether the catalog has the key.
func (c *Catalog) Has(key string) bool { _, ok := c.msgs[LV][key]; return ok }

// Raw returns a message with its placeholders unfilled (for the form's
// script, which fills them itself); Latvian for a language it lacks, the
// key itself for an unknown key.
func (c *Catalog) Raw(l Lang, key string) string {
	m, ok := c.msgs[l]
	if !ok {
		m = c.msgs[LV]
	}
	if s, ok := m[key]; ok {
		return s
	}
	return key
}

// Text returns the message in the language with its placeholders filled
// from args, given as name, value pairs: Text(LV, "status.submitted",
// "date", when). A value is written with fmt.Sprint. A placeholder without
// a value, or a value without a placeholder, shows as "{name?}" — visible
// in a test, never a panic in production.
func (c *Catalog) Text(l Lang, key string, args ...any) string {
	s := c.Raw(l, key)
	if len(args) == 0 && !strings.Contains(s, "{") {
		return s
	}
	vals := make(map[string]string, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		vals[name] = fmt.Sprint(args[i+1])
	}
	var b strings.Builder
	used := 0
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		name := s[i+1 : i+j]
		if v, ok := vals[name]; ok {
			b.WriteString(v)
			used++
		} else {
			b.WriteString("{" + name + "?}")
		}
		s = s[i+j+1:]
	}
	if len(args)%2 != 0 || len(vals) > len(Placeholders(c.Raw(l, key))) {
		b.WriteString(" {args?}")
	}
	return b.String()
}

// T is Default().Text.
func T(l Lang, key string, args ...any) string { return Default().Text(l, key, args...) }
