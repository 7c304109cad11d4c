package manage_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// TestOpenDataFromTheDatabase: the package holds the submitted responses
// as they are after a coordinator's correction, leaves out the returned
// and the draft ones, and nothing personal anywhere — personal answers,
// contacts, links, a correction's reason, a return's note and comments,
// unpublishable free text, "other" texts; the same data give the same
// bytes; a question made publishable and a new submission change the
// version (the latter its counter too).
func TestOpenDataFromTheDatabase(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	m.Publishing = manage.OpenDataSettings{ContactEmail: "dati@example.lv", CKANOrganization: "lpa"}
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga", "cesis", "ogre", "talsi"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var secrets, public []string
	for _, l := range links {
		secrets = append(secrets, l.URL[strings.LastIndex(l.URL, "/")+1:])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	answers := map[string]survey.Answers{}
	for i, code := range []string{"riga", "cesis", "ogre", "talsi"} {
		a, err := def.Synthesize(rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		mark := func(kind string) string { return "ZZ" + kind + "ZZ" + code + "ZZ" }
		a["resp_name"], a["resp_position"] = mark("NAME"), mark("POSITION")
		a["resp_email"] = strings.ToLower(mark("MAIL")) + "@example.lv"
		a["resp_phone"] = fmt.Sprintf("+371 2%07d", 7654321+i)
		a["ngo_obstacles"] = mark("UNPUBLISHED")
		a["ngo_forms_other"] = mark("OTHER")
		a["final_comments"] = mark("PUBLIC")
		secrets = append(secrets, a["resp_name"].(string), a["resp_position"].(string), a["resp_email"].(string),
			a["resp_phone"].(string), mark("UNPUBLISHED"), mark("OTHER"))
		if code == "riga" || code == "cesis" {
			public = append(public, mark("PUBLIC"))
		} else {
			secrets = append(secrets, mark("PUBLIC"))
		}
		answers[code] = a
		contact := strings.ToLower(mark("CONTACT")) + "@example.lv"
		secrets = append(secrets, contact, mark("CONTACTNAME"))
		if err := m.Store.ReplaceContacts(ctx, code, []domain.Contact{{Email: contact, Name: mark("CONTACTNAME")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: code, DefinitionSHA256: sv.DefinitionSHA256,
			Answers: a, Submit: code != "talsi", Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
			t.Fatal(err)
		}
	}
	// A coordinator corrects Cēsis's population; Ogre is returned.
	admin, _, err := m.AddUser(ctx, domain.OperatorPrincipal(), "koord@example.lv", "Koordinators", "coordinator")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := m.Store.Response(ctx, sv.ID, "cesis")
	if err != nil {
		t.Fatal(err)
	}
	fixed := answers["cesis"].Clone()
	fixed["population"] = json.Number("4321")
	if _, err := m.Store.Correct(ctx, store.Correction{SurveyID: sv.ID, Municipality: "cesis", BaseVersion: cur.Version,
		Answers: fixed, Submitted: fixed, UserID: admin.ID, Reason: "ZZREASONZZ"}); err != nil {
		t.Fatal(err)
	}
	cur, err = m.Store.Response(ctx, sv.ID, "ogre")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.ReturnResponse(ctx, sv.ID, "ogre", cur.Version, admin.ID, "ZZNOTEZZ",
		map[string]string{"population": "ZZCOMMENTZZ"}); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, "ZZREASONZZ", "ZZNOTEZZ", "ZZCOMMENTZZ", "koord@example.lv", "Koordinators")

	build := func() []byte {
		t.Helper()
		var b bytes.Buffer
		if err := m.OpenData(ctx, domain.OperatorPrincipal(), &b, sv, ""); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	one := build()
	if two := build(); !bytes.Equal(one, two) {
		t.Fatal("two packages of the same data differ")
	}
	files := unzipFiles(t, one)
	if len(files) != 7 {
		t.Errorf("%d files", len(files))
	}
	for name, data := range files {
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains %q", name, s)
			}
		}
	}
	recs, err := csv.NewReader(bytes.NewReader(files["responses.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range recs[1:] {
		codes = append(codes, r[0])
	}
	if !slices.Equal(codes, []string{"cesis", "riga"}) {
		t.Errorf("rows %q, want the two submitted ones", codes)
	}
	if col := slices.Index(recs[0], "population"); recs[1][col] != "4321" {
		t.Errorf("Cēsis's population %q, want the corrected 4321", recs[1][col])
	}
	if slices.Contains(recs[0], "final_comments") {
		t.Error("final_comments published before it was marked publishable")
	}
	ckan := string(files["ckan.json"])
	for _, want := range []string{`"owner_org": "lpa"`, `"maintainer_email": "dati@example.lv"`,
		`"url": "https://aptauja.example.lv/prefix/opendata/regional-2025/responses.csv"`} {
		if !strings.Contains(ckan, want) {
			t.Errorf("ckan.json lacks %s", want)
		}
	}
	version := func(data []byte) (string, int) {
		var pkg struct{ Version string }
		if err := json.Unmarshal(unzipFiles(t, data)["datapackage.json"], &pkg); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.Split(pkg.Version, ".")[1])
		return pkg.Version, n
	}
	v1, n1 := version(one)

	// Marked publishable: the submitted ones' final comments appear.
	if err := m.SetPublishable(ctx, domain.UserPrincipal(admin), sv, def, "final_comments", true); err != nil {
		t.Fatal(err)
	}
	three := build()
	for _, s := range public {
		if !bytes.Contains(unzipFiles(t, three)["responses.csv"], []byte(s)) {
			t.Errorf("the publishable %q is missing", s)
		}
	}
	v3, n3 := version(three)
	if v3 == v1 || n3 != n1 {
		t.Errorf("after marking publishable: %s → %s", v1, v3)
	}
	// Talsi submits: one more row, a higher counter.
	cur, err = m.Store.Response(ctx, sv.ID, "talsi")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "talsi", DefinitionSHA256: sv.DefinitionSHA256,
		BaseVersion: cur.Version, Answers: answers["talsi"], Submit: true, Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	if v4, n4 := version(build()); n4 <= n3 {
		t.Errorf("after a submission: %s → %s", v3, v4)
	}
}

func unzipFiles(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
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
		out[f.Name] = b
	}
	return out
}
