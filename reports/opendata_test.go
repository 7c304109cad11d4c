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
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// odFixture is a round of the 2025 questionnaire: nine submitted
// municipalities (in no particular order), one returned for correction,
// one with a draft and one that saved nothing. Every personal answer,
// contact, unpublishable free text and "other" text carries a marker that
// must never reach the package; the publishable free text
// (final_comments) carries one that must.
type odFixture struct {
	def      *survey.Definition
	rows     []Row
	versions map[string]int
	secrets  []string // markers that must not appear anywhere
	public   []string // markers that must appear
	latest   time.Time
}

var odSubmitted = []string{"valmiera", "adazi", "riga", "cesis", "bauska", "ogre", "talsi", "ludza", "kuldiga"}

func newODFixture(t *testing.T) *odFixture {
	t.Helper()
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	f := &odFixture{def: def, versions: map[string]int{}}
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	regions := []string{"Vidzemes", "Rīgas", "Zemgales", "Kurzemes", "Latgales"}
	add := func(i int, code, status string) {
		a, err := def.Synthesize(rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		mark := func(kind string) string { return fmt.Sprintf("ZZ%sZZ%sZZ", kind, code) }
		a["resp_name"], a["resp_position"] = mark("NAME"), mark("POSITION")
		a["resp_email"] = strings.ToLower(mark("MAIL")) + "@example.lv"
		a["resp_phone"] = fmt.Sprintf("+371 2%07d", 1234567+i)
		a["ngo_obstacles"] = mark("UNPUBLISHED") + " <b>&</b>"
		a["ngo_forms_other"] = mark("OTHERTEXT")
		a["final_comments"] = mark("PUBLIC") + "\n\"citāts\", = + @ <tag> & ā"
		contact := strings.ToLower(mark("CONTACT")) + "@example.lv"
		f.secrets = append(f.secrets, a["resp_name"].(string), a["resp_position"].(string), a["resp_email"].(string),
			a["resp_phone"].(string), mark("UNPUBLISHED"), mark("OTHERTEXT"), contact)
		if status == domain.StatusSubmitted {
			f.public = append(f.public, mark("PUBLIC"))
		} else {
			f.secrets = append(f.secrets, mark("PUBLIC"))
		}
		at := base.Add(time.Duration(i) * 97 * time.Minute).Add(123 * time.Millisecond)
		row := Row{Municipality: domain.Municipality{Code: code, NameLV: "Pašv. " + code, NameEN: "Munic. " + code,
			Kind: "novads", PlanningRegion: regions[i%len(regions)], StatisticalRegion: regions[(i+1)%len(regions)]},
			Status: status, Answers: a, Contacts: []string{contact}}
		if code == "riga" {
			row.Municipality.Kind = "valstspilseta"
		}
		if status == domain.StatusSubmitted || status == domain.StatusReturned {
			row.SubmittedAt = &at
			f.versions[code] = 3 + i
		}
		if status == domain.StatusSubmitted && at.After(f.latest) {
			f.latest = at
		}
		if status == domain.StatusNone {
			row.Answers = survey.Answers{}
		}
		f.rows = append(f.rows, row)
	}
	for i, code := range odSubmitted {
		add(i, code, domain.StatusSubmitted)
	}
	add(20, "aaa-returned", domain.StatusReturned)
	add(21, "aab-draft", domain.StatusDraft)
	add(22, "aac-none", domain.StatusNone)
	return f
}

func (f *odFixture) input() OpenDataInput {
	return OpenDataInput{Definition: f.def, Slug: "regional-2025",
		Opens:  time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		Closes: time.Date(2026, 12, 15, 21, 59, 0, 0, time.UTC), TimeZone: riga,
		Rows: source(f.rows), SubmittedVersions: f.versions, Publishable: map[string]bool{"final_comments": true},
		Publisher: Publisher{Name: "Latvijas Pilsoniskā alianse", URL: "https://www.example.lv/", ContactEmail: "dati@example.lv",
			FilesURL: "https://dati.example.lv/regional-2025"}}
}

func buildZip(t *testing.T, in OpenDataInput) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteOpenData(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// unzipped is a zip file's parts by name, in stored order (an open-data
// package, a workbook).
type unzipped struct {
	names []string
	files map[string][]byte
	heads map[string]*zip.FileHeader
}

func unzipPackage(t *testing.T, data []byte) unzipped {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	u := unzipped{files: map[string][]byte{}, heads: map[string]*zip.FileHeader{}}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		u.names = append(u.names, f.Name)
		u.files[f.Name] = b
		u.heads[f.Name] = &f.FileHeader
	}
	return u
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Error("the CSV starts with a byte-order mark")
	}
	r := csv.NewReader(bytes.NewReader(data))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func decodeJSON(t *testing.T, data []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	return v
}

// TestOpenDataFiles: the zip holds the seven files; responses.csv has
// exactly the codebook's columns, one row per submitted municipality in
// code order, plain numbers, and no personal, contact or unpublishable
// columns.
func TestOpenDataFiles(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	u := unzipPackage(t, buildZip(t, f.input()))
	want := []string{"README.md", "datapackage.json", "responses.csv", "responses.json", "codebook.csv", "dcat.jsonld", "ckan.json"}
	if !slices.Equal(u.names, want) {
		t.Fatalf("files %q, want %q", u.names, want)
	}
	recs := readCSV(t, u.files["responses.csv"])
	book := readCSV(t, u.files["codebook.csv"])
	if !slices.Equal(book[0], codebookHeader) {
		t.Errorf("codebook header %q", book[0])
	}
	var names []string
	for _, r := range book[1:] {
		names = append(names, r[0])
	}
	if !slices.Equal(recs[0], names) {
		t.Fatalf("responses.csv columns\n%q\nare not the codebook's\n%q", recs[0], names)
	}
	for _, col := range []string{"municipality_code", "municipality_name", "municipality_kind", "planning_region",
		"statistical_region", "population", "ngo_forms", "ngo_forms__grants", "ngo_forms__other", "ngo_forms__none",
		"ngo_support_eur", "pb_share_pct", "final_comments"} {
		if !slices.Contains(recs[0], col) {
			t.Errorf("no column %s", col)
		}
	}
	for _, col := range []string{"resp_name", "resp_position", "resp_email", "resp_phone", "consent_contact", "ngo_obstacles", "ngo_forms_other",
		"del_comments", "pb_lessons", "rc_challenges"} {
		if slices.Contains(recs[0], col) {
			t.Errorf("column %s is published", col)
		}
	}
	var codes []string
	for _, r := range recs[1:] {
		codes = append(codes, r[0])
	}
	sorted := slices.Sorted(slices.Values(odSubmitted))
	if !slices.Equal(codes, sorted) {
		t.Errorf("rows %q, want the submitted ones by code %q", codes, sorted)
	}
	// Numbers are plain: a point, no group separators, no unit.
	col := slices.Index(recs[0], "ngo_support_eur")
	plain := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	seen := 0
	for _, r := range recs[1:] {
		if r[col] != "" {
			seen++
			if !plain.MatchString(r[col]) {
				t.Errorf("ngo_support_eur %q is not a plain number", r[col])
			}
		}
	}
	if seen == 0 {
		t.Error("no amounts to check")
	}
	if !strings.Contains(string(u.files["responses.csv"]), ",\"ZZPUBLICZZadaziZZ\n\"\"citāts\"\", = + @ <tag> & ā\"") {
		t.Error("the publishable text is not written as it was typed")
	}
}

// TestOpenDataValuesSatisfySchema: every value of both CSVs satisfies its
// field's type, constraints and enum in datapackage.json, the primary key
// is unique, and each resource's bytes and hash are the file's.
func TestOpenDataValuesSatisfySchema(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	u := unzipPackage(t, buildZip(t, f.input()))
	pkg := decodeJSON(t, u.files["datapackage.json"])
	if pkg["profile"] != "tabular-data-package" {
		t.Errorf("profile %v", pkg["profile"])
	}
	for _, key := range []string{"name", "title", "description", "version", "created", "licenses", "sources", "contributors", "keywords", "resources"} {
		if pkg[key] == nil {
			t.Errorf("datapackage.json has no %s", key)
		}
	}
	if !regexp.MustCompile(`^[-a-z0-9._/]+$`).MatchString(pkg["name"].(string)) {
		t.Errorf("package name %q", pkg["name"])
	}
	if pkg["created"] != f.latest.Truncate(time.Second).Format(time.RFC3339) {
		t.Errorf("created %v, want the latest submission %v", pkg["created"], f.latest)
	}
	lic := pkg["licenses"].([]any)[0].(map[string]any)
	if lic["name"] != "CC-BY-4.0" || lic["path"] != "https://creativecommons.org/licenses/by/4.0/" {
		t.Errorf("licence %v", lic)
	}
	if v := pkg["version"].(string); !regexp.MustCompile(`^1\.[0-9]+\.0\+[0-9a-f]{12}$`).MatchString(v) {
		t.Errorf("version %q", v)
	}
	resources := pkg["resources"].([]any)
	if len(resources) != 2 {
		t.Fatalf("%d resources", len(resources))
	}
	for _, r := range resources {
		res := r.(map[string]any)
		path := res["path"].(string)
		data := u.files[path]
		sum := sha256.Sum256(data)
		if res["profile"] != "tabular-data-resource" || res["format"] != "csv" || res["encoding"] != "utf-8" ||
			res["bytes"] != json.Number(strconv.Itoa(len(data))) || res["hash"] != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Errorf("%s: resource %v", path, res)
		}
		schema := res["schema"].(map[string]any)
		validateTable(t, path, schema, readCSV(t, data))
	}
}

// validateTable checks a CSV against a Table Schema (the parts the
// package uses): header = fields, missing values, types, required,
// unique, enum, minimum/maximum, pattern, maxLength, and the primary key.
func validateTable(t *testing.T, name string, schema map[string]any, recs [][]string) {
	t.Helper()
	var missing []string
	for _, m := range schema["missingValues"].([]any) {
		missing = append(missing, m.(string))
	}
	fields := schema["fields"].([]any)
	if len(recs) == 0 || len(recs[0]) != len(fields) {
		t.Fatalf("%s: header %q for %d fields", name, recs[0], len(fields))
	}
	for i, fv := range fields {
		fd := fv.(map[string]any)
		if recs[0][i] != fd["name"] {
			t.Errorf("%s: column %d is %q, the schema says %q", name, i, recs[0][i], fd["name"])
		}
		for _, k := range []string{"title", "description", "type"} {
			if s, _ := fd[k].(string); s == "" {
				t.Errorf("%s: field %v has no %s", name, fd["name"], k)
			}
		}
		cons, _ := fd["constraints"].(map[string]any)
		seen := map[string]bool{}
		for n, rec := range recs[1:] {
			v := rec[i]
			where := fmt.Sprintf("%s row %d %v=%q", name, n+2, fd["name"], v)
			if slices.Contains(missing, v) {
				if cons["required"] == true {
					t.Errorf("%s: required", where)
				}
				continue
			}
			if err := checkType(fd, v); err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if cons["unique"] == true {
				if seen[v] {
					t.Errorf("%s: not unique", where)
				}
				seen[v] = true
			}
			if enum, ok := cons["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == v }) {
				t.Errorf("%s: not in %v", where, enum)
			}
			if pat, ok := cons["pattern"].(string); ok && !regexp.MustCompile("^(?:"+pat+")$").MatchString(v) {
				t.Errorf("%s: does not match %s", where, pat)
			}
			if n, ok := cons["maxLength"].(json.Number); ok {
				if max, _ := n.Int64(); int64(utf8.RuneCountInString(v)) > max {
					t.Errorf("%s: longer than %d", where, max)
				}
			}
			for k, cmp := range map[string]int{"minimum": -1, "maximum": 1} {
				b, ok := cons[k].(json.Number)
				if !ok {
					continue
				}
				lim, _ := new(big.Rat).SetString(b.String())
				x, _ := new(big.Rat).SetString(v)
				if x.Cmp(lim) == cmp {
					t.Errorf("%s: beyond the %s %s", where, k, b)
				}
			}
		}
	}
	pk := schema["primaryKey"].([]any)
	if len(pk) != 1 {
		t.Fatalf("%s: primary key %v", name, pk)
	}
	col := slices.Index(recs[0], pk[0].(string))
	keys := map[string]bool{}
	for _, rec := range recs[1:] {
		if rec[col] == "" || keys[rec[col]] {
			t.Errorf("%s: primary key %q empty or repeated", name, rec[col])
		}
		keys[rec[col]] = true
	}
}

// checkType reads a CSV value as its field's Table Schema type.
func checkType(fd map[string]any, v string) error {
	switch fd["type"] {
	case "string":
		return nil
	case "integer":
		if !regexp.MustCompile(`^-?[0-9]+$`).MatchString(v) {
			return errors.New("not an integer")
		}
	case "number":
		if !regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`).MatchString(v) {
			return errors.New("not a number with a decimal point")
		}
	case "boolean":
		tv, _ := fd["trueValues"].([]any)
		fv, _ := fd["falseValues"].([]any)
		if tv == nil {
			tv = []any{"true", "True", "TRUE", "1"}
		}
		if fv == nil {
			fv = []any{"false", "False", "FALSE", "0"}
		}
		if !slices.Contains(tv, any(v)) && !slices.Contains(fv, any(v)) {
			return errors.New("not a boolean")
		}
	default:
		return fmt.Errorf("unexpected type %v", fd["type"])
	}
	return nil
}

// TestOpenDataRecordsMatchCSV: responses.json holds the same records as
// responses.csv, keys in column order, typed values and null for missing.
func TestOpenDataRecordsMatchCSV(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	u := unzipPackage(t, buildZip(t, f.input()))
	recs := readCSV(t, u.files["responses.csv"])
	d := json.NewDecoder(bytes.NewReader(u.files["responses.json"]))
	d.UseNumber()
	var records []map[string]any
	if err := d.Decode(&records); err != nil {
		t.Fatal(err)
	}
	if len(records) != len(recs)-1 {
		t.Fatalf("%d records, %d CSV rows", len(records), len(recs)-1)
	}
	for i, rec := range records {
		if len(rec) != len(recs[0]) {
			t.Errorf("record %d has %d keys, the CSV %d columns", i, len(rec), len(recs[0]))
		}
		for j, col := range recs[0] {
			v, ok := rec[col]
			if !ok {
				t.Errorf("record %d has no %s", i, col)
				continue
			}
			csvValue := recs[i+1][j]
			var got string
			switch x := v.(type) {
			case nil:
				got = ""
			case string:
				got = x
			case json.Number:
				got = x.String()
			case bool:
				got = strconv.FormatBool(x)
			default:
				t.Errorf("record %d %s: %T", i, col, v)
			}
			if got != csvValue {
				t.Errorf("record %d %s: JSON %q, CSV %q", i, col, got, csvValue)
			}
		}
	}
	// Keys in column order.
	first := string(u.files["responses.json"])
	last := -1
	for _, col := range recs[0] {
		at := strings.Index(first, `"`+col+`":`)
		if at < last {
			t.Fatalf("key %s out of order", col)
		}
		last = at
	}
}

// TestOpenDataDCAT: dcat.jsonld is a dcat:Dataset with the DCAT-AP
// mandatory properties (title, description; and for each distribution
// accessURL) and the recommended ones the package fills (contact point,
// distribution, keyword, publisher, spatial, temporal, theme; a
// distribution's description, format, licence), one distribution per
// data file with its real byte size.
func TestOpenDataDCAT(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	u := unzipPackage(t, buildZip(t, f.input()))
	ds := decodeJSON(t, u.files["dcat.jsonld"])
	ctx := ds["@context"].(map[string]any)
	if ctx["dcat"] != "http://www.w3.org/ns/dcat#" || ctx["dct"] != "http://purl.org/dc/terms/" {
		t.Errorf("context %v", ctx)
	}
	if ds["@type"] != "dcat:Dataset" {
		t.Fatalf("@type %v", ds["@type"])
	}
	langs := func(v any) map[string]string {
		out := map[string]string{}
		list, _ := v.([]any)
		for _, l := range list {
			m := l.(map[string]any)
			out[m["@language"].(string)] = m["@value"].(string)
		}
		return out
	}
	for _, p := range []string{"dct:title", "dct:description"} {
		l := langs(ds[p])
		if l["lv"] == "" || l["en"] == "" {
			t.Errorf("%s: %v", p, ds[p])
		}
	}
	if langs(ds["dct:title"])["lv"] != "Pašvaldību prakse sabiedrības līdzdalībā 2025" {
		t.Errorf("title %v", ds["dct:title"])
	}
	for _, p := range []string{"dcat:contactPoint", "dcat:distribution", "dcat:keyword", "dct:publisher", "dct:spatial",
		"dct:temporal", "dcat:theme", "dct:issued", "dct:modified", "dct:license", "owl:versionInfo"} {
		if ds[p] == nil {
			t.Errorf("no %s", p)
		}
	}
	pub := ds["dct:publisher"].(map[string]any)
	if pub["foaf:name"] != "Latvijas Pilsoniskā alianse" {
		t.Errorf("publisher %v", pub)
	}
	cp := ds["dcat:contactPoint"].(map[string]any)
	if cp["vcard:hasEmail"].(map[string]any)["@id"] != "mailto:dati@example.lv" || cp["vcard:fn"] == nil {
		t.Errorf("contact point %v", cp)
	}
	tmp := ds["dct:temporal"].(map[string]any)
	if tmp["dcat:startDate"].(map[string]any)["@value"] != "2025-01-01" || tmp["dcat:endDate"].(map[string]any)["@value"] != "2025-12-31" {
		t.Errorf("temporal %v", tmp)
	}
	if ds["dct:spatial"].(map[string]any)["@id"] != "http://publications.europa.eu/resource/authority/country/LVA" {
		t.Errorf("spatial %v", ds["dct:spatial"])
	}
	if ds["dct:modified"].(map[string]any)["@value"] != f.latest.Truncate(time.Second).Format(time.RFC3339) {
		t.Errorf("modified %v", ds["dct:modified"])
	}
	kw := langs(nil)
	for _, k := range ds["dcat:keyword"].([]any) {
		m := k.(map[string]any)
		kw[m["@language"].(string)] += m["@value"].(string) + ";"
	}
	if !strings.Contains(kw["lv"], "pašvaldības") || !strings.Contains(kw["en"], "municipalities") {
		t.Errorf("keywords %v", kw)
	}
	dists := ds["dcat:distribution"].([]any)
	var files []string
	for _, d := range dists {
		dist := d.(map[string]any)
		if dist["@type"] != "dcat:Distribution" {
			t.Errorf("distribution type %v", dist["@type"])
		}
		access, _ := dist["dcat:accessURL"].(map[string]any)
		download, _ := dist["dcat:downloadURL"].(map[string]any)
		if access == nil || download == nil {
			t.Errorf("distribution without accessURL or downloadURL: %v", dist)
			continue
		}
		url := download["@id"].(string)
		name := strings.TrimPrefix(url, "https://dati.example.lv/regional-2025/")
		files = append(files, name)
		if access["@id"] != url {
			t.Errorf("%s: access %v", name, access)
		}
		size := dist["dcat:byteSize"].(map[string]any)
		if size["@value"] != strconv.Itoa(len(u.files[name])) || size["@type"] != "xsd:nonNegativeInteger" {
			t.Errorf("%s: byte size %v, the file has %d", name, size, len(u.files[name]))
		}
		if dist["dcat:mediaType"] == nil || dist["dct:license"] == nil || dist["dct:description"] == nil {
			t.Errorf("%s: %v", name, dist)
		}
		if dist["dct:license"].(map[string]any)["@id"] != "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0" {
			t.Errorf("%s: licence %v", name, dist["dct:license"])
		}
	}
	if !slices.Equal(files, []string{"responses.csv", "responses.json", "codebook.csv", "datapackage.json", "README.md"}) {
		t.Errorf("distributions %q", files)
	}
}

// TestOpenDataCKAN: ckan.json is a package_create body: a valid name,
// title, notes, licence, tags CKAN accepts and resources with URLs.
func TestOpenDataCKAN(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	u := unzipPackage(t, buildZip(t, f.input()))
	body := decodeJSON(t, u.files["ckan.json"])
	name, _ := body["name"].(string)
	if !regexp.MustCompile(`^[a-z0-9_-]{2,100}$`).MatchString(name) || name != "pasvaldibu-prakse-sabiedribas-lidzdaliba-2025" {
		t.Errorf("name %q", name)
	}
	if body["title"] != "Pašvaldību prakse sabiedrības līdzdalībā 2025" || body["notes"] == "" || body["license_id"] != "cc-by" ||
		body["maintainer_email"] != "dati@example.lv" {
		t.Errorf("body %v", body)
	}
	tags := body["tags"].([]any)
	if len(tags) < 4 {
		t.Errorf("tags %v", tags)
	}
	for _, tg := range tags {
		n := tg.(map[string]any)["name"].(string)
		if l := utf8.RuneCountInString(n); l < 2 || l > 100 || !regexp.MustCompile(`^[\pL\pN _.-]+$`).MatchString(n) {
			t.Errorf("tag %q", n)
		}
	}
	resources := body["resources"].([]any)
	if len(resources) != 5 {
		t.Errorf("%d resources", len(resources))
	}
	for _, r := range resources {
		res := r.(map[string]any)
		url, _ := res["url"].(string)
		if !strings.HasPrefix(url, "https://dati.example.lv/regional-2025/") || res["name"] == "" || res["format"] == "" {
			t.Errorf("resource %v", res)
		}
	}
	for _, e := range body["extras"].([]any) {
		ex := e.(map[string]any)
		if _, ok := ex["key"].(string); !ok {
			t.Errorf("extra %v", ex)
		}
		if _, ok := ex["value"].(string); !ok {
			t.Errorf("extra %v: CKAN's extras are strings", ex)
		}
	}
	if _, ok := body["owner_org"]; ok {
		t.Error("owner_org without an organisation")
	}
	in := f.input()
	in.Publisher.CKANOrganization = "lpa"
	if body := decodeJSON(t, unzipPackage(t, buildZip(t, in)).files["ckan.json"]); body["owner_org"] != "lpa" {
		t.Errorf("owner_org %v", body["owner_org"])
	}
}

// TestOpenDataNothingPersonal: no personal answer, contact, unpublishable
// free text, "other" text, nor anything of a response that is not
// submitted appears in any file of the package (nor in the zip's bytes);
// the publishable free text of the submitted responses does.
func TestOpenDataNothingPersonal(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	data := buildZip(t, f.input())
	u := unzipPackage(t, data)
	for name, b := range u.files {
		for _, s := range f.secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains %q", name, s)
			}
		}
		for _, code := range []string{"aaa-returned", "aab-draft", "aac-none"} {
			if bytes.Contains(b, []byte(code)) {
				t.Errorf("%s names %s, which did not submit", name, code)
			}
		}
	}
	for _, s := range f.secrets {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the zip contains %q", s)
		}
	}
	for _, s := range f.public {
		for _, name := range []string{"responses.csv", "responses.json"} {
			if !bytes.Contains(u.files[name], []byte(s)) {
				t.Errorf("%s lacks the publishable %q", name, s)
			}
		}
	}
	readme := string(u.files["README.md"])
	for _, want := range []string{"## Latviski", "## In English", "9 no 12 pašvaldībām (75\u00a0%)", "9 of 12 municipalities submitted their answers (75%)",
		"Kā citēt", "How to cite", "Latvijas Pilsoniskā alianse (2026)", "`final_comments`", "01.11.2026.", "15 December 2026"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	// Nothing publishable: no free text at all.
	in := f.input()
	in.Publishable = nil
	u = unzipPackage(t, buildZip(t, in))
	for _, s := range f.public {
		for name, b := range u.files {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("not publishable, yet %s contains %q", name, s)
			}
		}
	}
}

// TestOpenDataReproducible: the same data give the same bytes, in
// whatever order the rows come, dated by the latest submission; a changed
// answer, a new submission and a question made publishable each change
// the version.
func TestOpenDataReproducible(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	one := buildZip(t, f.input())
	in := f.input()
	rev := slices.Clone(f.rows)
	slices.Reverse(rev)
	in.Rows = source(rev)
	if two := buildZip(t, in); !bytes.Equal(one, two) {
		t.Fatal("two packages of the same data differ")
	}
	u := unzipPackage(t, one)
	for name, h := range u.heads {
		if !h.Modified.UTC().Equal(f.latest.Truncate(time.Second)) {
			t.Errorf("%s dated %v, want %v", name, h.Modified.UTC(), f.latest)
		}
	}
	version := func(data []byte) string {
		return decodeJSON(t, unzipPackage(t, data).files["datapackage.json"])["version"].(string)
	}
	v1 := version(one)

	// A corrected answer (the submitted version rises too).
	changed := newODFixture(t)
	for i := range changed.rows {
		if changed.rows[i].Municipality.Code == "riga" {
			changed.rows[i].Answers["population"] = json.Number("600001")
			changed.versions["riga"]++
		}
	}
	v2 := version(buildZip(t, changed.input()))
	// Only the answers changed (a counter that did not move, say after a
	// return and another's first submission): the hash still tells.
	changed.versions["riga"]--
	v3 := version(buildZip(t, changed.input()))
	// A question made publishable.
	in = f.input()
	in.Publishable = map[string]bool{"final_comments": true, "pb_lessons": true}
	v4 := version(buildZip(t, in))
	counter := func(v string) string { return strings.Split(v, ".")[1] }
	if v2 == v1 || counter(v2) == counter(v1) || v3 == v1 || v4 == v1 || v3 == v2 {
		t.Errorf("versions %s, %s, %s, %s", v1, v2, v3, v4)
	}
	sum := 0
	for _, code := range odSubmitted {
		sum += f.versions[code]
	}
	if counter(v1) != strconv.Itoa(sum) {
		t.Errorf("counter of %s, want the sum of the submitted versions %d", v1, sum)
	}
}

// TestOpenDataLicence: another licence from the list goes into all three
// metadata files; an unknown one is refused.
func TestOpenDataLicence(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	in := f.input()
	in.Licence = "cc0-1.0"
	u := unzipPackage(t, buildZip(t, in))
	if lic := decodeJSON(t, u.files["datapackage.json"])["licenses"].([]any)[0].(map[string]any); lic["name"] != "CC0-1.0" {
		t.Errorf("datapackage licence %v", lic)
	}
	if body := decodeJSON(t, u.files["ckan.json"]); body["license_id"] != "cc-zero" {
		t.Errorf("ckan licence %v", body["license_id"])
	}
	if !strings.Contains(string(u.files["dcat.jsonld"]), "/authority/licence/CC0\"") {
		t.Error("dcat licence is not CC0")
	}
	in.Licence = "GPL-3.0"
	if err := WriteOpenData(io.Discard, in); !errors.Is(err, ErrUnknownLicence) {
		t.Errorf("unknown licence: %v", err)
	}
}

// TestOpenDataEmpty: a round without submissions gives a valid package
// with a header row only, dated by the round's opening.
func TestOpenDataEmpty(t *testing.T) {
	t.Parallel()
	f := newODFixture(t)
	in := f.input()
	var rows []Row
	for _, r := range f.rows {
		if r.Status != domain.StatusSubmitted {
			rows = append(rows, r)
		}
	}
	in.Rows = source(rows)
	u := unzipPackage(t, buildZip(t, in))
	if recs := readCSV(t, u.files["responses.csv"]); len(recs) != 1 {
		t.Errorf("%d rows", len(recs))
	}
	pkg := decodeJSON(t, u.files["datapackage.json"])
	if pkg["created"] != "2026-11-01T09:00:00Z" || !strings.HasPrefix(pkg["version"].(string), "1.0.0+") {
		t.Errorf("created %v, version %v", pkg["created"], pkg["version"])
	}
	if !strings.Contains(string(u.files["README.md"]), "0 no 3 pašvaldībām") {
		t.Error("README does not say nobody answered")
	}
}

func TestPackageName(t *testing.T) {
	t.Parallel()
	for title, want := range map[string]string{
		"Pašvaldību prakse sabiedrības līdzdalībā 2025": "pasvaldibu-prakse-sabiedribas-lidzdaliba-2025",
		"  ĶEKAVAS — Ūdens, ģērbonis!  ":                "kekavas-udens-gerbonis",
		"—":                                             "the-slug",
		strings.Repeat("ab ", 60):                       strings.TrimSuffix(strings.Repeat("ab-", 33), "-"),
	} {
		if got := packageName(title, "the-slug"); got != want {
			t.Errorf("%q: %q, want %q", title, got, want)
		}
	}
}
