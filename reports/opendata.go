package reports

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
)

// The open-data package: one zip with the submitted answers of a round as
// data for machines (responses.csv, responses.json), what every column
// means (codebook.csv), and metadata for the portals that publish it — a
// Frictionless Tabular Data Package (datapackage.json), DCAT-AP as JSON-LD
// (dcat.jsonld) and a CKAN package_create body (ckan.json) — with a
// README.md in Latvian and English.
//
// What never goes in: personal questions (the respondent's name, position,
// e-mail, phone), e-mail and phone answers, free text that is not
// publishable, the "other" texts of choice questions, contacts (Row.Contacts
// is ignored), links, and the revision history (only the answers that
// count are read). The rows are the submitted responses only.
//
// The same data give the same bytes: rows sorted by municipality code,
// JSON keys in a fixed order, every time stamp taken from the data (the
// latest submission; the zip's entry times too), and the version derived
// from the data (see OpenDataVersion).

// The files of the package, in the order they are stored.
const (
	OpenDataReadme      = "README.md"
	OpenDataPackage     = "datapackage.json"
	OpenDataResponses   = "responses.csv"
	OpenDataRecords     = "responses.json"
	OpenDataCodebook    = "codebook.csv"
	OpenDataDCAT        = "dcat.jsonld"
	OpenDataCKAN        = "ckan.json"
	OpenDataContentType = "application/zip"
)

// OpenDataMultiSeparator joins the option codes of a multiple-choice answer
// in its one text column (the 0/1 columns give them one by one).
const OpenDataMultiSeparator = ";"

// OpenDataListSeparator separates the allowed values and their labels in
// the codebook.
const OpenDataListSeparator = "|"

// Licence is an open licence the package may carry: its SPDX identifier
// (what Frictionless names it), its title and text, the EU Publications
// Office's licence IRI (for DCAT-AP) and CKAN's licence id.
type Licence struct {
	ID, Title, URL, EU, CKAN string
}

// Licences lists the licences the package can carry; the first is the
// default.
func Licences() []Licence {
	const eu = "http://publications.europa.eu/resource/authority/licence/"
	return []Licence{
		{"CC-BY-4.0", "Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/", eu + "CC_BY_4_0", "cc-by"},
		{"CC0-1.0", "Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/", eu + "CC0", "cc-zero"},
		{"CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International", "https://creativecommons.org/licenses/by-sa/4.0/", eu + "CC_BYSA_4_0", "cc-by-sa"},
		{"ODC-By-1.0", "Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/", eu + "ODC_BY", "odc-by"},
		{"ODbL-1.0", "Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/", eu + "ODC_BL", "odc-odbl"},
		{"PDDL-1.0", "Open Data Commons Public Domain Dedication & License 1.0", "https://opendatacommons.org/licenses/pddl/1-0/", eu + "ODC_PDDL", "odc-pddl"},
	}
}

// ErrUnknownLicence refuses a licence identifier that is not in Licences.
var ErrUnknownLicence = errors.New("unknown licence")

// LookupLicence finds a licence by its SPDX identifier, in any case; ""
// is the default (CC-BY-4.0).
func LookupLicence(id string) (Licence, error) {
	list := Licences()
	if id == "" {
		return list[0], nil
	}
	var ids []string
	for _, l := range list {
		if strings.EqualFold(l.ID, id) {
			return l, nil
		}
		ids = append(ids, l.ID)
	}
	return Licence{}, fmt.Errorf("%w %q: use one of %s", ErrUnknownLicence, id, strings.Join(ids, ", "))
}

// Publisher says who publishes the package and where its files will be.
type Publisher struct {
	// Name is the publishing organisation (DCAT publisher, Frictionless
	// contributor, CKAN author and maintainer).
	Name string
	// URL is its web site (optional).
	URL string
	// ContactEmail is the address questions about the data go to.
	ContactEmail string
	// FilesURL is where the package's files are published: each file's
	// download URL is FilesURL/<file>.
	FilesURL string
	// CKANOrganization is the portal organisation the dataset belongs to
	// (CKAN's owner_org; left out when empty).
	CKANOrganization string
}

// OpenDataInput is what the package is built from.
type OpenDataInput struct {
	Definition *survey.Definition
	// Slug names the round.
	Slug string
	// Opens and Closes are the round's dates (the README's method).
	Opens, Closes time.Time
	// TimeZone is the zone of the dates in the README (UTC when nil).
	TimeZone *time.Location
	// Rows are every municipality of the round with the answers that
	// count; only the submitted ones enter the package, and Total counts
	// them all ("27 of 43"). Contacts are ignored.
	Rows Rows
	// SubmittedVersions gives, by municipality code, the response version
	// its submitted answers are: their sum over the package's rows is the
	// version's counter.
	SubmittedVersions map[string]int
	// Publishable lists the free-text questions whose answers may be
	// published (manage.Publishable); no other free text is.
	Publishable map[string]bool
	// Licence is an SPDX identifier from Licences ("" for CC-BY-4.0).
	Licence   string
	Publisher Publisher
}

// WriteOpenData writes the round's open-data package as a zip.
func WriteOpenData(w io.Writer, in OpenDataInput) error {
	p, err := buildOpenData(in)
	if err != nil {
		return err
	}
	return p.writeZip(w)
}

// openData is the package being built.
type openData struct {
	in       OpenDataInput
	def      *survey.Definition
	licence  Licence
	tz       *time.Location
	cols     []odColumn
	rows     []Row // submitted, by code
	total    int
	regions  []regionCount
	counter  int
	version  string
	name     string
	issued   time.Time
	modified time.Time
	files    map[string][]byte
}

type regionCount struct {
	name             string
	submitted, total int
}

// Kinds of column.
const (
	odCode = iota
	odNameLV
	odNameEN
	odKind
	odPlanning
	odStatistical
	odSingle
	odMultiCodes
	odMultiOption
	odInteger
	odNumber
	odBoolean
	odText
)

// odColumn is one column of responses.csv.
type odColumn struct {
	name   string
	kind   int
	q      *survey.Question
	option string // odMultiOption
	title  survey.Text
	desc   survey.Text
}

func buildOpenData(in OpenDataInput) (*openData, error) {
	if in.Definition == nil {
		return nil, errors.New("open data: no definition")
	}
	lic, err := LookupLicence(in.Licence)
	if err != nil {
		return nil, err
	}
	p := &openData{in: in, def: in.Definition, licence: lic, tz: in.TimeZone, files: map[string][]byte{}}
	if p.tz == nil {
		p.tz = time.UTC
	}
	byRegion := map[string]*regionCount{}
	for r, err := range in.Rows {
		if err != nil {
			return nil, err
		}
		p.total++
		reg := byRegion[r.Municipality.PlanningRegion]
		if reg == nil {
			reg = &regionCount{name: r.Municipality.PlanningRegion}
			byRegion[reg.name] = reg
		}
		reg.total++
		if r.Status != domain.StatusSubmitted {
			continue
		}
		reg.submitted++
		r.Contacts = nil
		p.rows = append(p.rows, r)
	}
	for _, reg := range byRegion {
		p.regions = append(p.regions, *reg)
	}
	slices.SortFunc(p.regions, func(a, b regionCount) int { return survey.Collate("lv", a.name, b.name) })
	slices.SortFunc(p.rows, func(a, b Row) int { return strings.Compare(a.Municipality.Code, b.Municipality.Code) })
	for _, r := range p.rows {
		p.counter += in.SubmittedVersions[r.Municipality.Code]
		if r.SubmittedAt == nil {
			continue
		}
		at := r.SubmittedAt.UTC().Truncate(time.Second)
		if p.modified.IsZero() || at.After(p.modified) {
			p.modified = at
		}
		if p.issued.IsZero() || at.Before(p.issued) {
			p.issued = at
		}
	}
	if p.modified.IsZero() { // nothing submitted yet: the round's opening
		p.issued = in.Opens.UTC().Truncate(time.Second)
		p.modified = p.issued
	}
	p.name = packageName(in.Definition.Title.LV, in.Slug)
	p.columns()

	// The data first: the version is derived from them, and the metadata
	// describe them.
	if p.files[OpenDataResponses], err = p.responsesCSV(); err != nil {
		return nil, err
	}
	if p.files[OpenDataRecords], err = p.responsesJSON(); err != nil {
		return nil, err
	}
	if p.files[OpenDataCodebook], err = p.codebookCSV(); err != nil {
		return nil, err
	}
	p.version = OpenDataVersion(p.counter, p.files[OpenDataResponses], p.files[OpenDataRecords], p.files[OpenDataCodebook])
	p.files[OpenDataReadme] = p.readme()
	if p.files[OpenDataPackage], err = p.dataPackage(); err != nil {
		return nil, err
	}
	if p.files[OpenDataDCAT], err = p.dcat(); err != nil {
		return nil, err
	}
	if p.files[OpenDataCKAN], err = p.ckan(); err != nil {
		return nil, err
	}
	return p, nil
}

// OpenDataVersion is the package's version: "1.N.0+H", where N, the
// counter, is the sum of the submitted versions of the responses in it
// (every submission and every correction of a submitted response raises
// it), and H is the start of the SHA-256 of the data files, which changes
// whenever anything published changes — also what the counter cannot see,
// such as a question made publishable or a municipality's name corrected.
// Semantic versioning orders by the counter and ignores what follows "+".
func OpenDataVersion(counter int, data ...[]byte) string {
	h := sha256.New()
	for _, d := range data {
		fmt.Fprintf(h, "%d\n", len(d))
		h.Write(d)
	}
	return fmt.Sprintf("1.%d.0+%s", counter, hex.EncodeToString(h.Sum(nil))[:12])
}

// columns lists the columns of responses.csv: the municipality's
// reference data, then every question that may be published, in
// questionnaire order.
func (p *openData) columns() {
	p.cols = []odColumn{
		{name: "municipality_code", kind: odCode, title: odWords("opendata.col.municipality_code"),
			desc: odWords("opendata.col.municipality_code.desc")},
		{name: "municipality_name", kind: odNameLV, title: odWords("opendata.col.municipality_name"),
			desc: odWords("opendata.col.municipality_name.desc")},
		{name: "municipality_name_en", kind: odNameEN, title: odWords("opendata.col.municipality_name_en"),
			desc: odWords("opendata.col.municipality_name_en.desc")},
		{name: "municipality_kind", kind: odKind, title: odWords("opendata.col.municipality_kind"),
			desc: odWords("opendata.col.municipality_kind.desc")},
		{name: "planning_region", kind: odPlanning, title: odWords("opendata.col.planning_region"),
			desc: odWords("opendata.col.planning_region.desc")},
		{name: "statistical_region", kind: odStatistical, title: odWords("opendata.col.statistical_region"),
			desc: odWords("opendata.col.statistical_region.desc")},
	}
	for _, q := range p.def.Questions() {
		if q.Personal {
			continue
		}
		c := odColumn{name: q.Code, q: q, title: q.Text}
		switch {
		case q.Type == survey.Single:
			c.kind = odSingle
			c.desc = odWords("opendata.desc.single")
		case q.Type == survey.Multi:
			c.kind = odMultiCodes
			c.desc = odWords("opendata.desc.multi")
			p.cols = append(p.cols, c)
			for _, o := range q.AllOptions() {
				label := q.CategoryLabel(o.Code)
				p.cols = append(p.cols, odColumn{name: q.Code + "__" + o.Code, kind: odMultiOption, q: q, option: o.Code,
					title: survey.Text{LV: q.Text.LV + " — " + label.LV, EN: q.Text.In("en") + " — " + label.In("en")},
					desc:  odWords("opendata.desc.option")})
			}
			continue
		case q.Type == survey.Int || q.Type == survey.Year:
			c.kind = odInteger
		case q.Type.IsNumber():
			c.kind = odNumber
		case q.Type == survey.YesNo:
			c.kind = odBoolean
			c.desc = odWords("opendata.desc.boolean")
		case q.CanPublish() && p.in.Publishable[q.Code]:
			c.kind = odText
			c.desc = odWords("opendata.desc.text")
		default:
			continue // e-mail and phone answers, free text not publishable
		}
		if u := unitOf(q); u != "" {
			c.desc = odWords("opendata.desc.unit", "unit", u)
		}
		p.cols = append(p.cols, c)
	}
}

// unitOf is the unit of a number question's answers (EUR, %), shown at
// chart axes and in the open data's codebook.
func unitOf(q *survey.Question) string {
	switch q.Type {
	case survey.Money:
		return "EUR"
	case survey.Percent:
		return "%"
	}
	return ""
}

// value is a column's value in a row: its CSV text ("" when missing) and
// its JSON value (nil when missing).
func (p *openData) value(c odColumn, r Row) (string, any) {
	m := r.Municipality
	switch c.kind {
	case odCode:
		return m.Code, m.Code
	case odNameLV:
		return m.NameLV, m.NameLV
	case odNameEN:
		return m.NameEN, m.NameEN
	case odKind:
		return m.Kind, m.Kind
	case odPlanning:
		return m.PlanningRegion, m.PlanningRegion
	case odStatistical:
		return m.StatisticalRegion, m.StatisticalRegion
	}
	v, ok := r.Answers[c.q.Code]
	if !ok || v == nil {
		return "", nil
	}
	switch c.kind {
	case odSingle:
		if s, ok := v.(string); ok && c.q.Option(s) != nil {
			return s, s
		}
	case odMultiCodes, odMultiOption:
		list, ok := v.([]string)
		if !ok {
			return "", nil
		}
		if c.kind == odMultiOption {
			if slices.Contains(list, c.option) {
				return "1", 1
			}
			return "0", 0
		}
		var codes []string
		for _, o := range c.q.AllOptions() { // definition order, known codes only
			if slices.Contains(list, o.Code) {
				codes = append(codes, o.Code)
			}
		}
		s := strings.Join(codes, OpenDataMultiSeparator)
		return s, s
	case odInteger, odNumber:
		r := ratOf(v)
		if r == nil || c.kind == odInteger && !r.IsInt() {
			return "", nil
		}
		s := survey.FormatNumber(r, "en", false) // plain: no groups, a decimal point
		return s, json.Number(s)
	case odBoolean:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), b
		}
	case odText:
		if s, ok := v.(string); ok && s != "" {
			return s, s
		}
	}
	return "", nil
}

// ratOf reads a number answer exactly (nil when it is not a number).
func ratOf(v any) *big.Rat {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	default:
		return nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	return r
}

// responsesCSV writes the rows: UTF-8 without a byte-order mark (CKAN's
// previews and loaders would read one into the first column's name, and
// Frictionless readers take UTF-8 as it is), "," between fields, "\n"
// after each record, numbers with a decimal point.
func (p *openData) responsesCSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := make([]string, len(p.cols))
	for i, c := range p.cols {
		header[i] = c.name
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for _, r := range p.rows {
		rec := make([]string, len(p.cols))
		for i, c := range p.cols {
			rec[i], _ = p.value(c, r)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// responsesJSON writes the same records as an array of objects with the
// columns as keys, in the same order: numbers as JSON numbers, yes/no as
// true/false, missing values as null.
func (p *openData) responsesJSON() ([]byte, error) {
	records := make([]object, 0, len(p.rows))
	for _, r := range p.rows {
		o := make(object, len(p.cols))
		for i, c := range p.cols {
			_, v := p.value(c, r)
			o[i] = field{c.name, v}
		}
		records = append(records, o)
	}
	return encodeJSON(records)
}

// The codebook's columns.
var codebookHeader = []string{"name", "title_lv", "title_en", "question", "question_type", "type", "unit",
	"minimum", "maximum", "values", "labels_lv", "labels_en", "description_lv", "description_en"}

// codebookCSV describes every column of responses.csv, one row each.
func (p *openData) codebookCSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(codebookHeader); err != nil {
		return nil, err
	}
	for _, c := range p.cols {
		var question, qtype, unit string
		if c.q != nil {
			question, qtype, unit = c.q.Code, string(c.q.Type), unitOf(c.q)
		}
		minimum, maximum := p.bounds(c)
		values, lv, en := p.allowed(c)
		rec := []string{c.name, c.title.LV, c.title.In("en"), question, qtype, p.fieldType(c), unit,
			numberText(minimum), numberText(maximum), strings.Join(values, OpenDataListSeparator),
			strings.Join(lv, OpenDataListSeparator), strings.Join(en, OpenDataListSeparator), c.desc.LV, c.desc.In("en")}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func numberText(n json.Number) string { return string(n) }

// fieldType is a column's Table Schema type.
func (p *openData) fieldType(c odColumn) string {
	switch c.kind {
	case odMultiOption, odInteger:
		return "integer"
	case odNumber:
		return "number"
	case odBoolean:
		return "boolean"
	}
	return "string"
}

// bounds are a column's minimum and maximum ("" when unbounded).
func (p *openData) bounds(c odColumn) (json.Number, json.Number) {
	switch c.kind {
	case odMultiOption:
		return "0", "1"
	case odInteger, odNumber:
		var lo, hi json.Number
		if r := c.q.MinRat(); r != nil {
			lo = json.Number(survey.FormatNumber(r, "en", false))
		}
		if r := c.q.MaxRat(); r != nil {
			hi = json.Number(survey.FormatNumber(r, "en", false))
		}
		return lo, hi
	}
	return "", ""
}

// allowed lists a column's allowed values with their labels (none when
// any value of its type is allowed).
func (p *openData) allowed(c odColumn) (values, lv, en []string) {
	switch c.kind {
	case odKind:
		return labelled([]string{"novads", "valstspilseta"}, odWords("opendata.kind.novads"), odWords("opendata.kind.valstspilseta"))
	case odSingle, odMultiCodes:
		for _, o := range c.q.AllOptions() {
			label := c.q.CategoryLabel(o.Code)
			values, lv, en = append(values, o.Code), append(lv, label.LV), append(en, label.In("en"))
		}
	case odMultiOption:
		return labelled([]string{"0", "1"}, odWords("opendata.option.not_chosen"), odWords("opendata.option.chosen"))
	case odBoolean:
		return labelled([]string{"true", "false"}, odWords("opendata.yes"), odWords("opendata.no"))
	}
	return values, lv, en
}

// schemaField is a column's Table Schema field descriptor.
func (p *openData) schemaField(c odColumn) object {
	desc := c.desc.In("en")
	if c.q != nil {
		desc = c.title.In("en")
		if d := c.desc.In("en"); d != "" {
			if !strings.ContainsAny(desc[len(desc)-1:], ".?!:") {
				desc += "."
			}
			desc += " " + d
		}
	}
	f := object{{"name", c.name}, {"title", c.title.LV}, {"description", desc}, {"type", p.fieldType(c)}}
	if c.kind == odBoolean {
		f = append(f, field{"trueValues", []string{"true"}}, field{"falseValues", []string{"false"}})
	}
	var cons object
	switch c.kind {
	case odCode:
		cons = object{{"required", true}, {"unique", true}}
	case odNameLV, odPlanning, odStatistical:
		cons = object{{"required", true}}
	case odKind:
		values, _, _ := p.allowed(c)
		cons = object{{"required", true}, {"enum", values}}
	case odSingle:
		values, _, _ := p.allowed(c)
		cons = object{{"enum", values}}
	case odMultiCodes:
		values, _, _ := p.allowed(c)
		quoted := make([]string, len(values))
		for i, v := range values {
			quoted[i] = regexp.QuoteMeta(v)
		}
		// Anchored here too: the Table Schema means the whole value, but
		// not every reader anchors it (tableschema-js does not).
		alt := "(" + strings.Join(quoted, "|") + ")"
		cons = object{{"pattern", "^" + alt + "(" + regexp.QuoteMeta(OpenDataMultiSeparator) + alt + ")*$"}}
	case odMultiOption, odInteger, odNumber:
		lo, hi := p.bounds(c)
		if lo != "" {
			cons = append(cons, field{"minimum", lo})
		}
		if hi != "" {
			cons = append(cons, field{"maximum", hi})
		}
	case odText:
		cons = object{{"maxLength", c.q.Limit()}}
	}
	if len(cons) > 0 {
		f = append(f, field{"constraints", cons})
	}
	return f
}

// fileURL is where a file of the package is published.
func (p *openData) fileURL(name string) string {
	return strings.TrimRight(p.in.Publisher.FilesURL, "/") + "/" + name
}

// description says what the dataset is, in lang.
func (p *openData) description(lang string) string {
	return wording.T(catalogLang(lang), "opendata.description", "title", p.def.Title.In(lang), "year", p.def.ReferenceYear,
		"submitted", len(p.rows), "total", p.total)
}

// keywords are the dataset's keywords in lang: the subject, and the
// titles of the questionnaire's sections that have no personal questions
// (those are about the respondent, not a topic).
func (p *openData) keywords(lang string) []string {
	l := catalogLang(lang)
	out := []string{wording.T(l, "opendata.keyword.municipalities"), wording.T(l, "opendata.keyword.participation"),
		wording.T(l, "opendata.keyword.survey"), wording.T(l, "opendata.keyword.latvia")}
	for _, s := range p.def.Sections {
		if slices.ContainsFunc(s.Questions, func(q *survey.Question) bool { return q.Personal }) {
			continue
		}
		if k := s.Title.In(lang); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// distributed are the files described as distributions and CKAN
// resources (the metadata files describe these, not themselves).
var distributed = []string{OpenDataResponses, OpenDataRecords, OpenDataCodebook, OpenDataPackage, OpenDataReadme}

// fileInfo describes a file for the metadata.
type fileInfo struct {
	title, desc survey.Text
	mediaType   string
	format      string // EU file type and CKAN format ("" when none fits)
}

var fileInfos = map[string]fileInfo{
	OpenDataResponses: {odWords("opendata.file.responses"), odWords("opendata.file.responses.desc"),
		"text/csv", "CSV"},
	OpenDataRecords: {odWords("opendata.file.records"), odWords("opendata.file.records.desc"),
		"application/json", "JSON"},
	OpenDataCodebook: {odWords("opendata.file.codebook"), odWords("opendata.file.codebook.desc"),
		"text/csv", "CSV"},
	OpenDataPackage: {odWords("opendata.file.package"), odWords("opendata.file.package.desc"),
		"application/json", "JSON"},
	OpenDataReadme: {odWords("opendata.file.readme"), odWords("opendata.file.readme.desc"),
		"text/markdown", ""},
}

// dataPackage writes datapackage.json.
func (p *openData) dataPackage() ([]byte, error) {
	fields := make([]object, len(p.cols))
	for i, c := range p.cols {
		fields[i] = p.schemaField(c)
	}
	cbFields := []object{
		{{"name", "name"}, {"title", "Kolonna"}, {"description", "Column name in responses.csv"}, {"type", "string"},
			{"constraints", object{{"required", true}, {"unique", true}}}},
		{{"name", "title_lv"}, {"title", "Nosaukums latviski"}, {"description", "The column's question (and option) in Latvian"}, {"type", "string"}},
		{{"name", "title_en"}, {"title", "Nosaukums angliski"}, {"description", "The column's question (and option) in English"}, {"type", "string"}},
		{{"name", "question"}, {"title", "Jautājuma kods"}, {"description", "The question's code (empty for the municipality's reference data)"}, {"type", "string"}},
		{{"name", "question_type"}, {"title", "Jautājuma veids"}, {"description", "The questionnaire's type of the question"}, {"type", "string"}},
		{{"name", "type"}, {"title", "Datu tips"}, {"description", "The column's Table Schema type"}, {"type", "string"},
			{"constraints", object{{"required", true}, {"enum", []string{"string", "integer", "number", "boolean"}}}}},
		{{"name", "unit"}, {"title", "Mērvienība"}, {"description", "Unit of a number: EUR or %"}, {"type", "string"}},
		{{"name", "minimum"}, {"title", "Mazākā vērtība"}, {"description", "Smallest allowed value"}, {"type", "number"}},
		{{"name", "maximum"}, {"title", "Lielākā vērtība"}, {"description", "Largest allowed value"}, {"type", "number"}},
		{{"name", "values"}, {"title", "Atļautās vērtības"}, {"description", "Allowed values, separated by |"}, {"type", "string"}},
		{{"name", "labels_lv"}, {"title", "Vērtību nosaukumi latviski"}, {"description", "The values' labels in Latvian, in the same order, separated by |"}, {"type", "string"}},
		{{"name", "labels_en"}, {"title", "Vērtību nosaukumi angliski"}, {"description", "The values' labels in English, in the same order, separated by |"}, {"type", "string"}},
		{{"name", "description_lv"}, {"title", "Paskaidrojums latviski"}, {"description", "How the values are written, in Latvian"}, {"type", "string"}},
		{{"name", "description_en"}, {"title", "Paskaidrojums angliski"}, {"description", "How the values are written, in English"}, {"type", "string"}},
	}
	dialect := object{{"delimiter", ","}, {"lineTerminator", "\n"}, {"quoteChar", "\""}, {"doubleQuote", true}, {"header", true}}
	resource := func(name, path string, fields []object, key string) object {
		info := fileInfos[path]
		data := p.files[path]
		sum := sha256.Sum256(data)
		return object{{"profile", "tabular-data-resource"}, {"name", name}, {"path", path},
			{"title", info.title.LV}, {"description", info.desc.In("en")},
			{"format", "csv"}, {"mediatype", "text/csv"}, {"encoding", "utf-8"},
			{"bytes", len(data)}, {"hash", "sha256:" + hex.EncodeToString(sum[:])},
			{"dialect", dialect},
			{"schema", object{{"fields", fields}, {"missingValues", []string{""}}, {"primaryKey", []string{key}}}}}
	}
	contributors := []object{{{"title", p.in.Publisher.Name}, {"role", "publisher"}}}
	if p.in.Publisher.URL != "" {
		contributors[0] = append(contributors[0], field{"path", p.in.Publisher.URL})
	}
	if p.in.Publisher.ContactEmail != "" {
		contributors[0] = append(contributors[0], field{"email", p.in.Publisher.ContactEmail})
	}
	contributors = append(contributors, object{{"title", "Latvijas pašvaldības (respondentes) / Latvian municipalities (respondents)"}, {"role", "contributor"}})
	pkg := object{
		{"profile", "tabular-data-package"},
		{"name", p.name},
		{"id", p.fileURL(OpenDataPackage)},
		{"title", p.def.Title.LV},
		{"description", p.description("lv") + "\n\n" + p.description("en")},
		{"version", p.version},
		{"created", p.modified.Format(time.RFC3339)},
		{"keywords", append(p.keywords("lv"), p.keywords("en")...)},
		{"licenses", []object{{{"name", p.licence.ID}, {"path", p.licence.URL}, {"title", p.licence.Title}}}},
		{"sources", []object{{{"title", fmt.Sprintf("%s (%s), %s – %s", p.def.Title.LV, p.in.Slug,
			p.in.Opens.In(p.tz).Format("2006-01-02"), p.in.Closes.In(p.tz).Format("2006-01-02"))}}}},
		{"contributors", contributors},
		{"resources", []object{
			resource("responses", OpenDataResponses, fields, "municipality_code"),
			resource("codebook", OpenDataCodebook, cbFields, "name"),
		}},
	}
	return encodeJSON(pkg)
}

// JSON-LD helpers: a literal in a language, a typed literal, an IRI.
func lit(lang, s string) object   { return object{{"@value", s}, {"@language", lang}} }
func typed(typ, s string) object  { return object{{"@value", s}, {"@type", typ}} }
func iri(s string) object         { return object{{"@id", s}} }
func both(t survey.Text) []object { return []object{lit("lv", t.LV), lit("en", t.In("en"))} }

// dcat writes dcat.jsonld: the dataset and a distribution per file, in
// DCAT-AP terms.
func (p *openData) dcat() ([]byte, error) {
	const (
		authority = "http://publications.europa.eu/resource/authority/"
		iana      = "http://www.iana.org/assignments/media-types/"
	)
	var dists []object
	for _, name := range distributed {
		info := fileInfos[name]
		d := object{{"@type", "dcat:Distribution"},
			{"dct:title", both(info.title)},
			{"dct:description", both(info.desc)},
			{"dcat:accessURL", iri(p.fileURL(name))},
			{"dcat:downloadURL", iri(p.fileURL(name))},
			{"dcat:mediaType", iri(iana + info.mediaType)}}
		if info.format != "" {
			d = append(d, field{"dct:format", iri(authority + "file-type/" + info.format)})
		}
		d = append(d, field{"dcat:byteSize", typed("xsd:nonNegativeInteger", strconv.Itoa(len(p.files[name])))},
			field{"dct:license", iri(p.licence.EU)},
			field{"dct:issued", typed("xsd:dateTime", p.issued.Format(time.RFC3339))},
			field{"dct:modified", typed("xsd:dateTime", p.modified.Format(time.RFC3339))})
		dists = append(dists, d)
	}
	var keywords []object
	for _, k := range p.keywords("lv") {
		keywords = append(keywords, lit("lv", k))
	}
	for _, k := range p.keywords("en") {
		keywords = append(keywords, lit("en", k))
	}
	publisher := object{{"@type", []string{"foaf:Agent", "foaf:Organization"}}, {"foaf:name", p.in.Publisher.Name}}
	if p.in.Publisher.URL != "" {
		publisher = append(object{{"@id", p.in.Publisher.URL}}, publisher...)
		publisher = append(publisher, field{"foaf:homepage", iri(p.in.Publisher.URL)})
	}
	contact := object{{"@type", "vcard:Organization"}, {"vcard:fn", p.in.Publisher.Name}}
	if p.in.Publisher.ContactEmail != "" {
		contact = append(contact, field{"vcard:hasEmail", iri("mailto:" + p.in.Publisher.ContactEmail)})
	}
	year := p.def.ReferenceYear
	doc := object{
		{"@context", object{
			{"dcat", "http://www.w3.org/ns/dcat#"},
			{"dct", "http://purl.org/dc/terms/"},
			{"foaf", "http://xmlns.com/foaf/0.1/"},
			{"vcard", "http://www.w3.org/2006/vcard/ns#"},
			{"owl", "http://www.w3.org/2002/07/owl#"},
			{"xsd", "http://www.w3.org/2001/XMLSchema#"},
		}},
		{"@id", p.fileURL(OpenDataDCAT) + "#dataset"},
		{"@type", "dcat:Dataset"},
		{"dct:title", both(p.def.Title)},
		{"dct:description", []object{lit("lv", p.description("lv")), lit("en", p.description("en"))}},
		{"dct:identifier", p.name},
		{"owl:versionInfo", p.version},
		{"dcat:version", p.version},
		{"dct:publisher", publisher},
		{"dcat:contactPoint", contact},
		{"dcat:theme", []object{iri(authority + "data-theme/GOVE"), iri(authority + "data-theme/SOCI")}},
		{"dcat:keyword", keywords},
		{"dct:temporal", object{{"@type", "dct:PeriodOfTime"},
			{"dcat:startDate", typed("xsd:date", fmt.Sprintf("%04d-01-01", year))},
			{"dcat:endDate", typed("xsd:date", fmt.Sprintf("%04d-12-31", year))}}},
		{"dct:spatial", iri(authority + "country/LVA")},
		{"dct:language", []object{iri(authority + "language/LAV"), iri(authority + "language/ENG")}},
		{"dct:issued", typed("xsd:dateTime", p.issued.Format(time.RFC3339))},
		{"dct:modified", typed("xsd:dateTime", p.modified.Format(time.RFC3339))},
		{"dct:accessRights", iri(authority + "access-right/PUBLIC")},
		{"dct:license", iri(p.licence.EU)},
		{"dcat:distribution", dists},
	}
	return encodeJSON(doc)
}

// ckan writes ckan.json, a body for CKAN's package_create.
func (p *openData) ckan() ([]byte, error) {
	var tags []object
	seen := map[string]bool{}
	for _, k := range append(p.keywords("lv"), p.keywords("en")...) {
		if t := ckanTag(k); t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, object{{"name", t}})
		}
	}
	var resources []object
	for _, name := range distributed {
		info := fileInfos[name]
		sum := sha256.Sum256(p.files[name])
		format := info.format
		if format == "" {
			format = "Markdown"
		}
		resources = append(resources, object{{"name", name}, {"description", info.desc.LV + "\n\n" + info.desc.In("en")},
			{"url", p.fileURL(name)}, {"format", format}, {"mimetype", info.mediaType}, {"size", len(p.files[name])},
			{"hash", "sha256:" + hex.EncodeToString(sum[:])}})
	}
	year := strconv.Itoa(p.def.ReferenceYear)
	extras := []object{
		{{"key", "issued"}, {"value", p.issued.Format(time.RFC3339)}},
		{{"key", "language"}, {"value", "lv, en"}},
		{{"key", "modified"}, {"value", p.modified.Format(time.RFC3339)}},
		{{"key", "notes_en"}, {"value", p.description("en")}},
		{{"key", "reference_year"}, {"value", year}},
		{{"key", "respondents"}, {"value", fmt.Sprintf("%d/%d", len(p.rows), p.total)}},
		{{"key", "spatial_uri"}, {"value", "http://publications.europa.eu/resource/authority/country/LVA"}},
		{{"key", "survey_round"}, {"value", p.in.Slug}},
		{{"key", "temporal_end"}, {"value", year + "-12-31"}},
		{{"key", "temporal_start"}, {"value", year + "-01-01"}},
		{{"key", "theme"}, {"value", "http://publications.europa.eu/resource/authority/data-theme/GOVE, http://publications.europa.eu/resource/authority/data-theme/SOCI"}},
		{{"key", "title_en"}, {"value", p.def.Title.In("en")}},
	}
	body := object{{"name", p.name}, {"title", p.def.Title.LV},
		{"notes", p.description("lv") + "\n\n" + p.description("en")},
		{"license_id", p.licence.CKAN}, {"version", p.version}}
	if p.in.Publisher.CKANOrganization != "" {
		body = append(body, field{"owner_org", p.in.Publisher.CKANOrganization})
	}
	body = append(body, field{"author", p.in.Publisher.Name})
	if p.in.Publisher.ContactEmail != "" {
		body = append(body, field{"author_email", p.in.Publisher.ContactEmail})
	}
	body = append(body, field{"maintainer", p.in.Publisher.Name})
	if p.in.Publisher.ContactEmail != "" {
		body = append(body, field{"maintainer_email", p.in.Publisher.ContactEmail})
	}
	if p.in.Publisher.URL != "" {
		body = append(body, field{"url", p.in.Publisher.URL})
	}
	body = append(body, field{"tags", tags}, field{"resources", resources}, field{"extras", extras})
	return encodeJSON(body)
}

// ckanTag makes a keyword a CKAN tag: letters, digits, spaces, "-", "_"
// and "." only, 2 to 100 characters ("" when nothing is left).
func ckanTag(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '_' || r == '.' || isWordRune(r):
			b.WriteRune(r)
		}
	}
	t := strings.Join(strings.Fields(b.String()), " ")
	if n := len([]rune(t)); n < 2 || n > 100 {
		return ""
	}
	return t
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && (strings.ContainsRune(latvianLetters, r) ||
		strings.ContainsRune(strings.ToUpper(latvianLetters), r))
}

const latvianLetters = "āčēģīķļņōŗšūž"

// packageName is the dataset's name on a portal and in Frictionless: the
// Latvian title in lowercase ASCII letters, digits and "-" (at most 100
// characters), or the round's slug when the title gives too little.
func packageName(title, slug string) string {
	plain := map[rune]string{'ā': "a", 'č': "c", 'ē': "e", 'ģ': "g", 'ī': "i", 'ķ': "k", 'ļ': "l", 'ņ': "n",
		'ō': "o", 'ŗ': "r", 'š': "s", 'ū': "u", 'ž': "z"}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		s, ok := plain[r]
		switch {
		case ok:
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			s = string(r)
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(s)
	}
	name := b.String()
	if len(name) > 100 { // cut at a word's end
		name = name[:101]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		} else {
			name = name[:100]
		}
	}
	if len(name) < 2 {
		return slug
	}
	return name
}

// readme writes README.md, Latvian first.
func (p *openData) readme() []byte {
	var b strings.Builder
	lic := p.licence
	fmt.Fprintf(&b, "# %s — atvērtie dati\n\n*%s — open data*\n\n", p.def.Title.LV, p.def.Title.In("en"))
	fmt.Fprintf(&b, "Versija / version: `%s`  \nDati līdz / data as of: %s  \nLicence / licence: %s (%s)\n\n",
		p.version, p.modified.Format(time.RFC3339), lic.ID, lic.URL)

	published := p.publishedTexts()
	for _, lang := range []string{"lv", "en"} {
		l := catalogLang(lang)
		t := func(key string, args ...any) string { return wording.T(l, key, args...) }
		date := func(at time.Time) string {
			at = at.In(p.tz)
			if lang == "en" {
				return at.Format("2 January 2006")
			}
			return at.Format("02.01.2006.")
		}
		b.WriteString(t("opendata.readme.language"))
		b.WriteString(t("opendata.readme.what"))
		b.WriteString(p.description(lang))
		b.WriteString(t("opendata.readme.columns"))
		b.WriteString(t("opendata.readme.method.title"))
		// A Latvian date ends with its own full stop ("15.12.2026.").
		b.WriteString(t("opendata.readme.method", "opens", date(p.in.Opens), "closes", date(p.in.Closes), "year", p.def.ReferenceYear))
		if intro := p.def.Intro.In(lang); intro != "" {
			b.WriteString(t("opendata.readme.intro"))
			b.WriteString("> " + strings.ReplaceAll(intro, "\n", "\n> ") + "\n\n")
		}
		b.WriteString(t("opendata.readme.who.title"))
		pct := 0
		if p.total > 0 {
			pct = (200*len(p.rows) + p.total) / (2 * p.total)
		}
		b.WriteString(t("opendata.readme.who", "submitted", len(p.rows), "total", p.total,
			"percent", survey.FormatPercent(big.NewRat(int64(pct), 1), lang)))
		if len(p.rows) > 0 {
			names := make([]string, len(p.rows))
			for i, r := range p.rows {
				names[i] = r.Municipality.Name(lang)
				if names[i] == "" {
					names[i] = r.Municipality.NameLV
				}
			}
			survey.SortByName(names, lang, func(s string) string { return s })
			b.WriteString(" " + strings.Join(names, ", ") + ".")
		}
		b.WriteString("\n\n")
		if len(p.regions) > 0 {
			b.WriteString(t("opendata.readme.regions.title"))
			for _, reg := range p.regions {
				b.WriteString(t("opendata.readme.region", "region", reg.name, "submitted", reg.submitted, "total", reg.total))
			}
			b.WriteString("\n")
		}
		b.WriteString(t("opendata.readme.unpublished.title"))
		b.WriteString(t("opendata.readme.unpublished"))
		if len(published) > 0 {
			b.WriteString(t("opendata.readme.published", "questions", strings.Join(published, ", ")))
		} else {
			b.WriteString(t("opendata.readme.published.none"))
		}
		b.WriteString("\n\n")
		b.WriteString(t("opendata.readme.files.title"))
		for _, name := range []string{OpenDataResponses, OpenDataRecords, OpenDataCodebook, OpenDataPackage} {
			fmt.Fprintf(&b, "- `%s` — %s\n", name, fileInfos[name].desc.In(lang))
		}
		fmt.Fprintf(&b, "- `%s` — %s\n", OpenDataDCAT, t("opendata.readme.dcat"))
		fmt.Fprintf(&b, "- `%s` — %s\n\n", OpenDataCKAN, t("opendata.readme.ckan"))
		b.WriteString(t("opendata.readme.csv"))
		b.WriteString(t("opendata.readme.cite.title"))
		fmt.Fprintf(&b, "%s (%d). *%s* [%s]. %s %s. %s: %s. %s\n\n",
			p.in.Publisher.Name, p.modified.Year(), p.def.Title.In(lang), t("opendata.readme.dataset"),
			t("opendata.readme.version"), p.version, t("opendata.readme.licence"), lic.ID, p.fileURL(""))
	}
	return []byte(b.String())
}

// publishedTexts lists the free-text questions whose answers are in the
// package.
func (p *openData) publishedTexts() []string {
	var out []string
	for _, c := range p.cols {
		if c.kind == odText {
			out = append(out, "`"+c.name+"`")
		}
	}
	return out
}

// writeZip stores the files, each dated with the data's latest change, so
// the same data give the same bytes.
func (p *openData) writeZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, name := range []string{OpenDataReadme, OpenDataPackage, OpenDataResponses, OpenDataRecords, OpenDataCodebook,
		OpenDataDCAT, OpenDataCKAN} {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: p.modified}
		h.SetMode(0o644)
		f, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := f.Write(p.files[name]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// object is a JSON object whose keys keep their order.
type object []field

type field struct {
	key string
	val any
}

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := compactJSON(f.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := compactJSON(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// compactJSON encodes v without escaping <, > and & (the texts stay
// readable).
func compactJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// encodeJSON writes a file's JSON, indented, ending with a newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// odWords is a catalog message in both languages (the open data carry
// both), its placeholders filled from args (name, value pairs).
func odWords(key string, args ...any) survey.Text {
	return survey.Text{LV: wording.T(wording.LV, key, args...), EN: wording.T(wording.EN, key, args...)}
}

// labelled returns values with their labels in Latvian and in English.
func labelled(values []string, labels ...survey.Text) ([]string, []string, []string) {
	lv, en := make([]string, len(labels)), make([]string, len(labels))
	for i, l := range labels {
		lv[i], en[i] = l.LV, l.EN
	}
	return values, lv, en
}
