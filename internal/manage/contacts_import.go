package manage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/xuri/excelize/v2"
)

// Importing contacts for many municipalities from a CSV or .xlsx file.
//
// The rule: the contacts in the file become the contacts of each
// municipality the file names (contacts missing from the file are removed,
// new ones added; a contact without a name in the file keeps the name it
// has, one without a language its language, Latvian for a new one);
// municipalities the file does not name keep theirs. A municipality
// with a refused line (a bad or missing e-mail, too many contacts) is left
// unchanged altogether, so a typo never removes anybody; the other
// municipalities can be imported. Nothing changes until the coordinator
// confirms the preview, and then exactly what the preview showed changes,
// or nothing (ErrContactsChanged).

// Reasons a line of a contacts file is refused.
const (
	RefusedNoMunicipality        = "municipality_missing"
	RefusedUnknownMunicipality   = "municipality_unknown"
	RefusedAmbiguousMunicipality = "municipality_ambiguous"
	RefusedNoEmail               = "email_missing"
	RefusedBadEmail              = "email_bad"
	RefusedDuplicate             = "duplicate"
	RefusedTooMany               = "too_many"
	RefusedLongName              = "name_long"
	RefusedBadLang               = "lang_bad"
)

// maxContactName bounds a contact's name (in characters).
const maxContactName = 200

// MaxImportRows bounds the lines of a contacts file.
const MaxImportRows = 2000

// Problems with a contacts file as a whole (nothing is read from it).
var (
	ErrImportFormat   = errors.New("not a CSV or .xlsx file")
	ErrImportEncoding = errors.New("the CSV file is not UTF-8")
	ErrImportEmpty    = errors.New("the file has no lines")
	ErrImportTooLong  = fmt.Errorf("the file has more than %d lines", MaxImportRows)
	ErrImportHeader   = errors.New("the header row names no municipality or no e-mail column")
	// ErrImportInvalid: lines sent to apply do not pass the checks again.
	ErrImportInvalid = errors.New("the import lines are not valid")
	// ErrContactsChanged: the contacts changed after the preview; nothing
	// was changed, the new preview says what would change now.
	ErrContactsChanged = errors.New("the contacts changed after the preview")
)

// FileRow is one row of a contacts file: its line in the CSV (the row in
// the sheet) and its cells.
type FileRow struct {
	Line  int
	Cells []string
}

// ReadContactFile reads the rows of a contacts file: an .xlsx workbook
// (its first sheet) or a CSV file in UTF-8 (with or without a BOM), its
// cells separated by commas or semicolons. Empty rows are left out.
func ReadContactFile(name string, data []byte) ([]FileRow, error) {
	var rows []FileRow
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || strings.EqualFold(filepath.Ext(name), ".xlsx"):
		rows, err = readXLSXRows(data)
	case strings.EqualFold(filepath.Ext(name), ".xls") || strings.EqualFold(filepath.Ext(name), ".ods") ||
		bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")):
		return nil, ErrImportFormat
	default:
		rows, err = readCSVRows(data)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrImportEmpty
	}
	return rows, nil
}

func keep(rows []FileRow, line int, cells []string) ([]FileRow, error) {
	empty := true
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "\u00a0", " "))
		if cells[i] != "" {
			empty = false
		}
	}
	if empty {
		return rows, nil
	}
	if len(rows) >= MaxImportRows {
		return nil, ErrImportTooLong
	}
	return append(rows, FileRow{Line: line, Cells: cells}), nil
}

func readCSVRows(data []byte) ([]FileRow, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, ErrImportEncoding
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, ErrImportFormat
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows []FileRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrImportFormat, err)
		}
		line, _ := r.FieldPos(0)
		if rows, err = keep(rows, line, rec); err != nil {
			return nil, err
		}
	}
}

// separator guesses a CSV file's separator from its first line: a
// semicolon (as Latvian Excel writes) or a comma.
func separator(data []byte) rune {
	first := data
	for len(first) > 0 {
		line, rest, _ := bytes.Cut(first, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			first = line
			break
		}
		first = rest
	}
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

func readXLSXRows(data []byte) ([]FileRow, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 16 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImportFormat, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ErrImportEmpty
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImportFormat, err)
	}
	defer it.Close()
	var rows []FileRow
	for n := 1; it.Next(); n++ {
		cells, err := it.Columns()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrImportFormat, err)
		}
		if rows, err = keep(rows, n, cells); err != nil {
			return nil, err
		}
	}
	return rows, it.Error()
}

// ContactLine is a line of a contacts file that passed the checks.
type ContactLine struct {
	Line         int    `json:"l"`
	Municipality string `json:"m"` // its code
	Email        string `json:"e"` // lower-case
	Name         string `json:"n,omitempty"`
	// Lang is the contact's language, "lv" or "en"; "" when the file
	// gives none (a known contact keeps its own, a new one is Latvian).
	Lang string `json:"g,omitempty"`
}

// RefusedLine is a line of a contacts file that cannot be imported.
type RefusedLine struct {
	Line   int
	Text   string // the line's cells as read
	Reason string // one of the Refused… codes
	// Value is what the reason is about: the municipality or e-mail as
	// written; for a duplicate, the line it repeats; for too many, the
	// limit.
	Value string
	// Municipality is the code of the municipality the line names, when
	// known (its contacts are then left unchanged, except for a duplicate).
	Municipality string
}

// Header words of the three columns, folded (see fold).
var (
	municipalityHeaders = words("pasvaldiba", "pasvaldibas", "pasvaldibas kods", "pasvaldibas nosaukums", "kods",
		"municipality", "municipality code", "municipality name", "code")
	emailHeaders = words("e-pasts", "epasts", "e-pasta adrese", "e-mail", "email", "e-mail address", "email address", "mail")
	nameHeaders  = words("vards", "vards, uzvards", "vards uzvards", "kontaktpersona", "kontaktpersonas vards",
		"kontakts", "name", "full name", "contact", "contact name", "contact person")
	langHeaders = words("valoda", "sazinas valoda", "language", "lang", "contact language")
)

func words(list ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range list {
		m[w] = true
	}
	return m
}

// fold makes names comparable: lower case, Latvian letters without their
// marks, spaces collapsed.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if base, ok := foldBase[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(strings.TrimSuffix(b.String(), ":")), " ")
}

var foldBase = map[rune]rune{'ā': 'a', 'č': 'c', 'ē': 'e', 'ģ': 'g', 'ī': 'i', 'ķ': 'k', 'ļ': 'l', 'ņ': 'n', 'ō': 'o',
	'ŗ': 'r', 'š': 's', 'ū': 'u', 'ž': 'z'}

// municipalityIndex finds municipalities by code, Latvian or English name
// (with or without "novads", "valstspilsēta", "Municipality", "State
// City"), whatever the case and marks.
type municipalityIndex map[string][]string

func indexMunicipalities(munis []domain.Municipality) municipalityIndex {
	idx := municipalityIndex{}
	add := func(key, code string) {
		key = fold(key)
		if key == "" {
			return
		}
		for _, c := range idx[key] {
			if c == code {
				return
			}
		}
		idx[key] = append(idx[key], code)
	}
	for _, m := range munis {
		if !m.Active {
			continue
		}
		add(m.Code, m.Code)
		for _, n := range []string{m.NameLV, m.NameEN} {
			add(n, m.Code)
			f := fold(n)
			for _, suffix := range []string{" novads", " valstspilseta", " municipality", " state city"} {
				if short, ok := strings.CutSuffix(f, suffix); ok {
					add(short, m.Code)
				}
			}
		}
	}
	return idx
}

// CheckContactRows checks the rows of a contacts file: a header row (in
// Latvian or English) may name the columns, else they are municipality,
// e-mail, name. It returns the good lines and, line by line, the refused
// ones.
func CheckContactRows(rows []FileRow, munis []domain.Municipality) ([]ContactLine, []RefusedLine, error) {
	col := map[string]int{"municipality": 0, "email": 1, "name": 2, "lang": -1}
	if len(rows) > 0 {
		head := map[string]int{}
		for i, c := range rows[0].Cells {
			switch f := fold(c); {
			case municipalityHeaders[f]:
				head["municipality"] = i
			case emailHeaders[f]:
				head["email"] = i
			case nameHeaders[f]:
				head["name"] = i
			case langHeaders[f]:
				head["lang"] = i
			}
		}
		if len(head) > 0 && !strings.Contains(strings.Join(rows[0].Cells, " "), "@") {
			_, hasM := head["municipality"]
			_, hasE := head["email"]
			if !hasM || !hasE {
				return nil, nil, ErrImportHeader
			}
			col = head
			if _, ok := head["name"]; !ok {
				col["name"] = -1
			}
			if _, ok := head["lang"]; !ok {
				col["lang"] = -1
			}
			rows = rows[1:]
		}
	}
	cell := func(r FileRow, k string) string {
		if i := col[k]; i >= 0 && i < len(r.Cells) {
			return r.Cells[i]
		}
		return ""
	}
	idx := indexMunicipalities(munis)
	var lines []ContactLine
	var refused []RefusedLine
	seen := map[string]int{} // municipality + e-mail → first line
	count := map[string]int{}
	for _, r := range rows {
		text := strings.Join(r.Cells, "; ")
		if len([]rune(text)) > 200 {
			text = string([]rune(text)[:200]) + "…"
		}
		refuse := func(reason, value, code string) {
			refused = append(refused, RefusedLine{Line: r.Line, Text: text, Reason: reason, Value: value, Municipality: code})
		}
		mText := cell(r, "municipality")
		codes := idx[fold(mText)]
		code := ""
		if len(codes) == 1 {
			code = codes[0]
		}
		email, name, problem := contactOf(cell(r, "email"), cell(r, "name"))
		lang, langOK := importLang(cell(r, "lang"))
		switch {
		case mText == "":
			refuse(RefusedNoMunicipality, "", "")
		case len(codes) == 0:
			refuse(RefusedUnknownMunicipality, mText, "")
		case len(codes) > 1:
			refuse(RefusedAmbiguousMunicipality, mText, "")
		case problem == RefusedLongName:
			refuse(problem, fmt.Sprint(maxContactName), code)
		case problem != "":
			refuse(problem, cell(r, "email"), code)
		case !langOK:
			refuse(RefusedBadLang, cell(r, "lang"), code)
		case seen[code+" "+email] != 0:
			refuse(RefusedDuplicate, fmt.Sprint(seen[code+" "+email]), code)
		case count[code] >= MaxContacts:
			refuse(RefusedTooMany, fmt.Sprint(MaxContacts), code)
		default:
			seen[code+" "+email] = r.Line
			count[code]++
			lines = append(lines, ContactLine{Line: r.Line, Municipality: code, Email: email, Name: name, Lang: lang})
		}
	}
	return lines, refused, nil
}

// importLang reads a language cell: "lv", "latviski", "latvian"… or "en",
// "angliski", "english"…; "" for an empty cell; ok false for anything else.
func importLang(cell string) (lang string, ok bool) {
	switch fold(cell) {
	case "":
		return "", true
	case "lv", "lat", "latviski", "latviesu", "latvian":
		return domain.ContactLV, true
	case "en", "eng", "angliski", "anglu", "english":
		return domain.ContactEN, true
	}
	return "", false
}

// contactOf reads an e-mail cell ("adrese@x.lv" or "Vārds <adrese@x.lv>")
// and the name cell; problem is a Refused… code.
func contactOf(emailCell, nameCell string) (email, name, problem string) {
	name = strings.TrimSpace(nameCell)
	if len([]rune(name)) > maxContactName {
		return "", name, RefusedLongName
	}
	if emailCell == "" {
		return "", name, RefusedNoEmail
	}
	if e, err := NormalizeEmail(emailCell); err == nil {
		return e, name, ""
	}
	a, err := mail.ParseAddress(emailCell)
	if err != nil {
		return "", name, RefusedBadEmail
	}
	e, err := NormalizeEmail(a.Address)
	if err != nil {
		return "", name, RefusedBadEmail
	}
	if name == "" {
		name = strings.TrimSpace(a.Name)
	}
	if len([]rune(name)) > maxContactName {
		return "", name, RefusedLongName
	}
	return e, name, ""
}

// ContactChange is what an import does to one municipality's contacts.
type ContactChange struct {
	Municipality domain.Municipality
	Added        []domain.Contact
	Removed      []domain.Contact
	Kept         []domain.Contact
	Renamed      []Renamed  // kept, with the name the file gives
	Relanged     []Relanged // kept, with the language the file gives
	New          []domain.Contact
}

// Renamed is a kept contact whose name changes.
type Renamed struct{ Email, From, To string }

// Relanged is a kept contact whose language changes.
type Relanged struct{ Email, From, To string }

// Changes reports whether anything changes for the municipality.
func (c ContactChange) Changes() bool {
	return len(c.Added)+len(c.Removed)+len(c.Renamed)+len(c.Relanged) > 0
}

// HeldMunicipality is a municipality the file names whose contacts stay as
// they are because some of its lines were refused.
type HeldMunicipality struct {
	Municipality domain.Municipality
	Lines        []int
}

// ContactImport is the preview of an import, and what applying it did.
type ContactImport struct {
	Changes []ContactChange // municipalities the file names, by code
	Held    []HeldMunicipality
	Refused []RefusedLine
	// Lines are what applying the import writes.
	Lines []ContactLine
	// Others counts the active municipalities the file does not name.
	Others int
	// Fingerprint identifies the current contacts of the municipalities
	// in Changes, so applying can tell whether they changed meanwhile.
	Fingerprint string
}

// Changed counts the municipalities whose contacts change.
func (ci ContactImport) Changed() int {
	n := 0
	for _, c := range ci.Changes {
		if c.Changes() {
			n++
		}
	}
	return n
}

// PlanContactImport works out what the lines do to the current contacts
// (by municipality code): the rule in this file's comment.
func PlanContactImport(lines []ContactLine, refused []RefusedLine, munis []domain.Municipality, current map[string][]domain.Contact) ContactImport {
	byCode := map[string]domain.Municipality{}
	for _, m := range munis {
		byCode[m.Code] = m
	}
	held := map[string][]int{}
	for _, r := range refused {
		if r.Municipality != "" && r.Reason != RefusedDuplicate {
			held[r.Municipality] = append(held[r.Municipality], r.Line)
		}
	}
	out := ContactImport{Refused: refused}
	file := map[string][]ContactLine{}
	for _, l := range lines {
		if _, ok := held[l.Municipality]; ok {
			continue
		}
		if _, ok := file[l.Municipality]; !ok {
			out.Changes = append(out.Changes, ContactChange{Municipality: byCode[l.Municipality]})
		}
		file[l.Municipality] = append(file[l.Municipality], l)
		out.Lines = append(out.Lines, l)
	}
	for i := range out.Changes {
		ch := &out.Changes[i]
		code := ch.Municipality.Code
		now := map[string]domain.Contact{}
		for _, c := range current[code] {
			now[c.Email] = c
		}
		inFile := map[string]bool{}
		for _, l := range file[code] {
			inFile[l.Email] = true
			c, ok := now[l.Email]
			switch {
			case !ok:
				lang := l.Lang
				if lang == "" {
					lang = domain.ContactLV
				}
				ch.Added = append(ch.Added, domain.Contact{Email: l.Email, Name: l.Name, Lang: lang})
				ch.New = append(ch.New, domain.Contact{Email: l.Email, Name: l.Name, Lang: lang})
				continue
			case l.Name != "" && l.Name != c.Name:
				ch.Renamed = append(ch.Renamed, Renamed{Email: c.Email, From: c.Name, To: l.Name})
				c.Name = l.Name
			}
			if l.Lang != "" && l.Lang != c.Lang {
				ch.Relanged = append(ch.Relanged, Relanged{Email: c.Email, From: c.Lang, To: l.Lang})
				c.Lang = l.Lang
			}
			ch.Kept = append(ch.Kept, c)
			ch.New = append(ch.New, domain.Contact{Email: c.Email, Name: c.Name, Lang: c.Lang})
		}
		for _, c := range current[code] {
			if !inFile[c.Email] {
				ch.Removed = append(ch.Removed, c)
			}
		}
	}
	sort.Slice(out.Changes, func(i, j int) bool { return out.Changes[i].Municipality.Code < out.Changes[j].Municipality.Code })
	for code, ls := range held {
		out.Held = append(out.Held, HeldMunicipality{Municipality: byCode[code], Lines: ls})
	}
	sort.Slice(out.Held, func(i, j int) bool { return out.Held[i].Municipality.Code < out.Held[j].Municipality.Code })
	named := map[string]bool{}
	for code := range file {
		named[code] = true
	}
	for code := range held {
		named[code] = true
	}
	for _, m := range munis {
		if m.Active && !named[m.Code] {
			out.Others++
		}
	}
	out.Fingerprint = contactsFingerprint(out.Changes, current)
	return out
}

// contactsFingerprint hashes the current contacts of the municipalities.
func contactsFingerprint(changes []ContactChange, current map[string][]domain.Contact) string {
	h := sha256.New()
	for _, ch := range changes {
		fmt.Fprintf(h, "%s\n", ch.Municipality.Code)
		for _, c := range current[ch.Municipality.Code] {
			fmt.Fprintf(h, "%s\t%s\t%s\n", c.Email, c.Name, c.Lang)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// PreviewContactImport reads and checks a contacts file and says what
// importing it would change. Nothing is changed. For coordinators
// (domain.AccessCoordinate).
func (m *Manager) PreviewContactImport(ctx context.Context, p domain.Principal, name string, data []byte) (ContactImport, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return ContactImport{}, err
	}
	rows, err := ReadContactFile(name, data)
	if err != nil {
		return ContactImport{}, err
	}
	munis, err := m.Store.Municipalities(ctx)
	if err != nil {
		return ContactImport{}, err
	}
	lines, refused, err := CheckContactRows(rows, munis)
	if err != nil {
		return ContactImport{}, err
	}
	current, err := m.Store.Contacts(ctx)
	if err != nil {
		return ContactImport{}, err
	}
	return PlanContactImport(lines, refused, munis, current), nil
}

// ApplyContactImport writes the lines of a preview (checked again) as the
// contacts of the municipalities they name, in one transaction, provided
// those municipalities' contacts are still those the preview was made
// from (fingerprint); else nothing changes and ErrContactsChanged comes
// with the preview as things stand now. ErrImportInvalid for lines that do
// not pass the checks. For coordinators (domain.AccessCoordinate).
func (m *Manager) ApplyContactImport(ctx context.Context, p domain.Principal, lines []ContactLine, fingerprint string) (ContactImport, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return ContactImport{}, err
	}
	munis, err := m.Store.Municipalities(ctx)
	if err != nil {
		return ContactImport{}, err
	}
	if err := checkLines(lines, munis); err != nil {
		return ContactImport{}, err
	}
	codes := []string{}
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l.Municipality] {
			seen[l.Municipality] = true
			codes = append(codes, l.Municipality)
		}
	}
	var plan ContactImport
	err = m.Store.UpdateContacts(ctx, codes, func(current map[string][]domain.Contact) (map[string][]domain.Contact, error) {
		plan = PlanContactImport(lines, nil, munis, current)
		if plan.Fingerprint != fingerprint {
			return nil, ErrContactsChanged
		}
		out := map[string][]domain.Contact{}
		for _, ch := range plan.Changes {
			out[ch.Municipality.Code] = ch.New
		}
		return out, nil
	})
	if err == nil {
		err = m.audit(ctx, p, domain.AuditContactsImport, 0, "", map[string]any{"municipalities": len(plan.Changes), "lines": len(lines)})
	}
	return plan, err
}

// checkLines checks lines sent back from a preview as CheckContactRows
// did: known active municipalities, e-mail addresses, no repeats, at most
// MaxContacts each.
func checkLines(lines []ContactLine, munis []domain.Municipality) error {
	active := map[string]bool{}
	for _, m := range munis {
		active[m.Code] = m.Active
	}
	seen := map[string]bool{}
	count := map[string]int{}
	for _, l := range lines {
		e, err := NormalizeEmail(l.Email)
		key := l.Municipality + " " + l.Email
		badLang := l.Lang != "" && l.Lang != domain.ContactLV && l.Lang != domain.ContactEN
		if !active[l.Municipality] || err != nil || e != l.Email || seen[key] || len([]rune(l.Name)) > maxContactName || badLang {
			return fmt.Errorf("%w: line %d", ErrImportInvalid, l.Line)
		}
		seen[key] = true
		if count[l.Municipality]++; count[l.Municipality] > MaxContacts {
			return fmt.Errorf("%w: line %d", ErrImportInvalid, l.Line)
		}
	}
	return nil
}
