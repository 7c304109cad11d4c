package manage_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/archive"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// archivedRound is a round with what an archive must carry: links (one
// revoked), drafts and submissions through them, a coordinator's
// correction, a return with comments resolved by a new submission, an
// extension, a feedback release, a publication flag and contacts; and the
// next round made from it, with carried-over answers.
type archivedRound struct {
	m          *manage.Manager
	round      domain.Survey
	next       domain.Survey
	coord      domain.User
	admin      domain.User
	onlySource domain.User // referenced only by the round; not in the target
}

func newArchivedRound(t *testing.T) *archivedRound {
	t.Helper()
	m, def := setup(t)
	st := m.Store
	opens := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	a := &archivedRound{m: m, round: sv}
	user := func(email, role string) domain.User {
		u, err := st.CreateUser(ctx, email, "Lietotājs "+role, role, "$2a$10$notarealhashbutlongenough.......................")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a.coord, a.admin = user("koord@survey.test", domain.RoleCoordinator), user("admin@survey.test", domain.RoleAdmin)
	a.onlySource = user("releaser@survey.test", domain.RoleAdmin)
	if _, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga", "cesis", "ogre"}, false); err != nil {
		t.Fatal(err)
	}
	links, err := st.ActiveInvitations(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	sha := manage.DefinitionSHA256(def)
	apply := func(code string, base int, ans survey.Answers, submit bool) domain.Response {
		t.Helper()
		s, err := st.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: code, DefinitionSHA256: sha, BaseVersion: base,
			Answers: ans, Submit: submit, Actor: store.Actor{Kind: domain.ActorInvitation, InvitationID: links[code].ID}})
		if err != nil {
			t.Fatal(err)
		}
		return s.Response
	}
	apply("riga", 0, survey.Answers{"resp_name": "Anna Bērziņa", "resp_email": "anna@riga.lv"}, false)
	// riga's link is replaced: the revision above names the revoked one.
	hash := make([]byte, 32)
	rand.Read(hash)
	if _, err := st.RotateInvitation(ctx, sv.ID, "riga", store.NewLink{Hash: hash}); err != nil {
		t.Fatal(err)
	}
	if links, err = st.ActiveInvitations(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	apply("riga", 1, survey.Answers{"resp_name": "Anna Bērziņa", "resp_email": "anna@riga.lv", "ngo_rules": "adopted"}, false)
	full := survey.Answers{"resp_name": "Jānis Ozols", "ngo_rules": "drafting", "ngo_forms": []any{"grants"}}
	r := apply("cesis", 0, full, true)
	saved, err := st.Correct(ctx, store.Correction{SurveyID: sv.ID, Municipality: "cesis", BaseVersion: r.Version,
		Answers:   survey.Answers{"resp_name": "Jānis Ozols", "ngo_rules": "adopted", "ngo_forms": []any{"grants"}},
		Submitted: survey.Answers{"resp_name": "Jānis Ozols", "ngo_rules": "adopted", "ngo_forms": []any{"grants"}},
		UserID:    a.coord.ID, Reason: "Pēc tālruņa sarunas"})
	if err != nil {
		t.Fatal(err)
	}
	r, err = st.ReturnResponse(ctx, sv.ID, "cesis", saved.Response.Version, a.coord.ID, "Lūdzu, precizējiet",
		map[string]string{"ngo_forms": "Kādi vēl atbalsta veidi?"})
	if err != nil {
		t.Fatal(err)
	}
	full["ngo_forms"] = []any{"grants", "premises"}
	full["ngo_rules"] = "adopted"
	apply("cesis", r.Version, full, true)
	apply("ogre", 0, survey.Answers{"resp_name": "Ilze", "ngo_rules": "none", "ngo_forms": []any{"grants"}}, true)
	if err := st.SetExtension(ctx, sv.ID, "riga", opens.AddDate(0, 2, 0), a.coord.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReleaseFeedback(ctx, sv.ID, []string{"cesis", "ogre"}, a.onlySource.ID); err != nil {
		t.Fatal(err)
	}
	rel, err := st.FeedbackRelease(ctx, sv.ID, "ogre")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.WithdrawFeedback(ctx, sv.ID, "ogre", rel.ReleasedAt, a.admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPublication(ctx, sv.ID, "ngo_forms_other", true, a.admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.ReplaceContacts(ctx, "cesis", []domain.Contact{{Email: "dome@cesis.lv", Name: "Dome"},
		{Email: "ieva@cesis.lv", Name: "Ieva Kalniņa", Lang: "en"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSurvey(ctx, sv.ID, time.Now().Truncate(time.Second)); err != nil {
		t.Fatal(err)
	}
	next, err := m.CreateRoundFrom(ctx, domain.UserPrincipal(a.coord), sv.Slug, "regional-2026", 2026,
		time.Now().Add(24*time.Hour).Truncate(time.Second), time.Now().AddDate(0, 2, 0).Truncate(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if next.Carried == 0 {
		t.Fatalf("no answers carried over: %+v", next)
	}
	a.next = next.Survey
	return a
}

// export archives the round slug of m as the operator.
func exportArchive(t *testing.T, m *manage.Manager, slug string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := m.ExportArchive(ctx, domain.OperatorPrincipal(), slug, &buf, time.Now()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importArchive(m *manage.Manager, data []byte, slug string) (manage.ArchiveImport, error) {
	return m.ImportArchive(ctx, domain.OperatorPrincipal(), bytes.NewReader(data), int64(len(data)), slug)
}

// roundRows are the round's rows in every table an archive carries, with
// the identities that change on import replaced by what they identify
// (municipality, version, e-mail, slug), each table's rows in a fixed
// order: two rounds compare equal when these do. The links' token hashes
// and salts are not in them (they are left out on purpose).
func roundRows(t *testing.T, st *store.Store, surveyID int64) map[string][]string {
	t.Helper()
	email := func(col string) string {
		return `(SELECT email FROM users WHERE id = ` + col + `)`
	}
	inv := `(SELECT jsonb_build_array(i.municipality_code, i.created_at) FROM invitations i WHERE i.id = v.invitation_id)`
	used := `SELECT municipality_code FROM responses WHERE survey_id = $1 UNION SELECT municipality_code FROM invitations WHERE survey_id = $1`
	queries := map[string]string{
		"surveys": `SELECT to_jsonb(s) - 'id' - 'previous_survey_id' || jsonb_build_object('previous',
			(SELECT slug FROM surveys p WHERE p.id = s.previous_survey_id)) FROM surveys s WHERE id = $1`,
		"municipalities": `SELECT to_jsonb(m) FROM municipalities m WHERE code IN (` + used + `) ORDER BY code`,
		"contacts": `SELECT to_jsonb(c) - 'id' FROM contacts c WHERE municipality_code IN (` + used + `)
			ORDER BY municipality_code, email`,
		"invitations": `SELECT to_jsonb(i) - 'id' - 'survey_id' - 'token_sha256' - 'token_salt' FROM invitations i
			WHERE survey_id = $1 ORDER BY municipality_code, created_at`,
		"responses": `SELECT to_jsonb(r) - 'id' - 'survey_id' FROM responses r WHERE survey_id = $1 ORDER BY municipality_code`,
		"revisions": `SELECT to_jsonb(v) - 'id' - 'response_id' - 'invitation_id' - 'user_id' || jsonb_build_object(
			'm', r.municipality_code, 'u', ` + email("v.user_id") + `, 'i', ` + inv + `)
			FROM revisions v JOIN responses r ON r.id = v.response_id WHERE r.survey_id = $1 ORDER BY r.municipality_code, v.version`,
		"returns": `SELECT to_jsonb(x) - 'id' - 'response_id' - 'user_id' || jsonb_build_object('m', r.municipality_code,
			'u', ` + email("x.user_id") + `) FROM returns x JOIN responses r ON r.id = x.response_id WHERE r.survey_id = $1
			ORDER BY r.municipality_code, x.created_at`,
		"deadline_extensions": `SELECT to_jsonb(e) - 'survey_id' - 'user_id' || jsonb_build_object('u', ` + email("e.user_id") + `)
			FROM deadline_extensions e WHERE survey_id = $1 ORDER BY municipality_code`,
		"feedback_releases": `SELECT to_jsonb(f) - 'survey_id' - 'released_by' - 'withdrawn_by' || jsonb_build_object(
			'r', ` + email("f.released_by") + `, 'w', ` + email("f.withdrawn_by") + `)
			FROM feedback_releases f WHERE survey_id = $1 ORDER BY municipality_code`,
		"question_publication": `SELECT to_jsonb(q) - 'survey_id' - 'user_id' || jsonb_build_object('u', ` + email("q.user_id") + `)
			FROM question_publication q WHERE survey_id = $1 ORDER BY question_code`,
		"users": `SELECT jsonb_build_object('email', email, 'name', name, 'role', role) FROM users WHERE id IN (
			SELECT v.user_id FROM revisions v JOIN responses r ON r.id = v.response_id WHERE r.survey_id = $1
			UNION SELECT x.user_id FROM returns x JOIN responses r ON r.id = x.response_id WHERE r.survey_id = $1
			UNION SELECT user_id FROM deadline_extensions WHERE survey_id = $1
			UNION SELECT released_by FROM feedback_releases WHERE survey_id = $1
			UNION SELECT withdrawn_by FROM feedback_releases WHERE survey_id = $1
			UNION SELECT user_id FROM question_publication WHERE survey_id = $1) ORDER BY email`,
	}
	out := map[string][]string{}
	for table, q := range queries {
		var rows []string
		if err := st.DB().SelectContext(ctx, &rows, q, surveyID); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = rows
	}
	return out
}

// compareRounds checks that the restored round's rows equal the source's,
// but for the links that worked in the source: revoked at the import.
// renamed: the slug and the questionnaire's slug and checksum differ.
func compareRounds(t *testing.T, src, dst map[string][]string, renamed bool) {
	t.Helper()
	for table, want := range src {
		got := dst[table]
		if table == "invitations" && len(got) == len(want) {
			for i := range want {
				var w, g map[string]any
				json.Unmarshal([]byte(want[i]), &w)
				json.Unmarshal([]byte(got[i]), &g)
				if w["revoked_at"] == nil && g["revoked_at"] == nil {
					t.Errorf("invitations: the restored link %v works", g)
				}
				if w["revoked_at"] == nil {
					delete(g, "revoked_at")
					delete(w, "revoked_at")
				}
				if !reflect.DeepEqual(w, g) {
					t.Errorf("invitations row %d:\nsource   %v\nrestored %v", i, w, g)
				}
			}
			continue
		}
		if table == "surveys" && renamed && len(got) == 1 {
			var w, g map[string]any
			json.Unmarshal([]byte(want[0]), &w)
			json.Unmarshal([]byte(got[0]), &g)
			for _, k := range []string{"slug", "definition", "definition_sha256"} {
				delete(w, k)
				delete(g, k)
			}
			if !reflect.DeepEqual(w, g) {
				t.Errorf("surveys:\nsource   %v\nrestored %v", w, g)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d rows restored, %d in the source; they differ:\nsource   %q\nrestored %q", table, len(got), len(want), want, got)
		}
	}
}

// TestArchiveRoundTrip: a round with corrections, a return, an extension,
// a release and contacts is exported and imported into an empty migrated
// database, and again under another slug into the same database; the next
// round, made from it with carried answers, follows. Every row of every
// table the archive carries compares equal (identities mapped), but for
// what is left out on purpose: the links' tokens (the restored links do
// not work) and the users' passwords (added users are disabled).
func TestArchiveRoundTrip(t *testing.T) {
	t.Parallel()
	a := newArchivedRound(t)
	data := exportArchive(t, a.m, a.round.Slug)
	for _, secret := range []string{"$2a$10$notarealhash", "token_sha256", "token_salt", "password"} {
		if bytes.Contains(unzipAll(t, data), []byte(secret)) {
			t.Errorf("the archive holds %q", secret)
		}
	}
	src := roundRows(t, a.m.Store, a.round.ID)
	for table, rows := range src {
		if len(rows) == 0 {
			t.Errorf("the fixture has no %s", table)
		}
	}

	// Into an empty database, migrated, with no municipalities.
	target := &manage.Manager{Store: storetest.New(t)}
	res, err := importArchive(target, data, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Slug != a.round.Slug || res.PreviousLinked || res.UsersMatched != 0 || res.Rows["users"] != 3 {
		t.Errorf("import: %+v", res)
	}
	compareRounds(t, src, roundRows(t, target.Store, res.SurveyID), false)
	for _, u := range []string{"koord@survey.test", "releaser@survey.test"} {
		got, err := target.Store.UserByEmail(ctx, u)
		if err != nil || got.DisabledAt == nil || got.PasswordHash != nil {
			t.Errorf("user %s restored as %+v, %v: want disabled without a password", u, got, err)
		}
	}
	if _, _, err := target.Round(ctx, domain.OperatorPrincipal(), res.Slug); err != nil {
		t.Errorf("the restored round does not load: %v", err)
	}
	// The restored round's links are issued anew.
	links, err := target.Store.ActiveInvitations(ctx, res.SurveyID)
	if err != nil || len(links) != 0 {
		t.Errorf("working links after import: %v %v", links, err)
	}

	// The same round again into the same database: refused by its slug,
	// restored under another.
	before := storetest.Fingerprint(t, target.Store)
	if _, err := importArchive(target, data, ""); !errors.Is(err, domain.ErrExists) {
		t.Errorf("the slug taken: %v, want ErrExists", err)
	}
	if after := storetest.Fingerprint(t, target.Store); after != before {
		t.Errorf("a refused import changed the database")
	}
	again, err := importArchive(target, data, "regional-2025-copy")
	if err != nil {
		t.Fatal(err)
	}
	if again.UsersMatched != 3 || again.Rows["users"] != 0 || again.Rows["municipalities"] != 0 {
		t.Errorf("import again: %+v", again)
	}
	compareRounds(t, src, roundRows(t, target.Store, again.SurveyID), true)
	_, def, err := target.Round(ctx, domain.OperatorPrincipal(), "regional-2025-copy")
	if err != nil || def.Slug != "regional-2025-copy" {
		t.Errorf("the renamed round's questionnaire: %v, %v", def, err)
	}

	// The next round: its previous round (by slug) is in the target now.
	nextData := exportArchive(t, a.m, a.next.Slug)
	nres, err := importArchive(target, nextData, "")
	if err != nil {
		t.Fatal(err)
	}
	if !nres.PreviousLinked || nres.Manifest.PreviousSurvey != a.round.Slug {
		t.Errorf("next round: %+v", nres)
	}
	compareRounds(t, roundRows(t, a.m.Store, a.next.ID), roundRows(t, target.Store, nres.SurveyID), false)
	// Into a database without its previous round: restored without the link.
	alone := &manage.Manager{Store: storetest.New(t)}
	if nres, err = importArchive(alone, nextData, ""); err != nil || nres.PreviousLinked {
		t.Errorf("next round alone: %+v %v", nres, err)
	}

	// An installation that knows the municipalities keeps their contacts:
	// the archive's do not join them.
	known := &manage.Manager{Store: storetest.New(t)}
	if _, err := known.LoadMunicipalities(ctx); err != nil {
		t.Fatal(err)
	}
	own := []domain.Contact{{Email: "jauna@cesis.lv", Name: "Jaunā kontaktpersona"}}
	if err := known.Store.ReplaceContacts(ctx, "cesis", own); err != nil {
		t.Fatal(err)
	}
	kres, err := importArchive(known, data, "")
	if err != nil || kres.Rows["municipalities"] != 0 || kres.Rows["contacts"] != 0 {
		t.Errorf("into an installation with the municipalities: %+v %v", kres, err)
	}
	if got, err := known.Store.ContactsOf(ctx, "cesis"); err != nil || len(got) != 1 || got[0].Email != own[0].Email {
		t.Errorf("cesis's contacts after the import: %+v %v", got, err)
	}
}

func unzipAll(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&all, rc)
		rc.Close()
	}
	return all.Bytes()
}

// rezip rewrites an archive with each file's content through change (nil
// leaves the file out), plus the files extra.
func rezip(t *testing.T, data []byte, change func(name string, content []byte) []byte, extra map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		content, _ := io.ReadAll(rc)
		rc.Close()
		if content = change(f.Name, content); content == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(content)
	}
	for name, content := range extra {
		w, _ := zw.Create(name)
		w.Write([]byte(content))
	}
	zw.Close()
	return out.Bytes()
}

// TestArchiveRefused: a damaged, changed or unknown archive is refused with
// the reason, and the database it was to go into is left exactly as it
// was (here the source's own database, under a new slug).
func TestArchiveRefused(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	opens := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: manage.DefinitionSHA256(def),
		Answers: survey.Answers{"resp_name": "Anna Bērziņa"}, Actor: store.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	data := exportArchive(t, m, sv.Slug)
	same := func(name string, c []byte) []byte { return c }
	manifest := func(edit func(*archive.Manifest)) []byte {
		return rezip(t, data, func(name string, c []byte) []byte {
			if name != archive.ManifestName {
				return c
			}
			var man archive.Manifest
			if err := json.Unmarshal(c, &man); err != nil {
				t.Fatal(err)
			}
			edit(&man)
			c, _ = json.Marshal(man)
			return c
		}, nil)
	}
	flipped := bytes.Clone(data)
	flipped[len(flipped)/3] ^= 0x20
	cases := []struct {
		name string
		data []byte
		slug string
		want error
		says string
	}{
		{"not a zip", []byte("surveyd archive"), "x-copy", archive.ErrDamaged, "not a zip"},
		{"truncated", data[:len(data)-200], "x-copy", archive.ErrDamaged, "cut short"},
		{"truncated to half", data[:len(data)/2], "x-copy", archive.ErrDamaged, "not a zip"},
		{"a byte flipped", flipped, "x-copy", nil, ""},
		{"a part changed", rezip(t, data, func(name string, c []byte) []byte {
			if name == "responses.jsonl" {
				return bytes.Replace(c, []byte("Anna"), []byte("Anne"), 1)
			}
			return c
		}, nil), "x-copy", archive.ErrTampered, "responses.jsonl: SHA-256"},
		{"a part removed", rezip(t, data, func(name string, c []byte) []byte {
			if name == "revisions.jsonl" {
				return nil
			}
			return c
		}, nil), "x-copy", archive.ErrDamaged, "revisions.jsonl is missing"},
		{"a file added", rezip(t, data, same, map[string]string{"extra.jsonl": "{}\n"}), "x-copy", archive.ErrTampered, "extra.jsonl is not in the manifest"},
		{"a newer format version", manifest(func(m *archive.Manifest) { m.Version = archive.Version + 1 }), "x-copy",
			archive.ErrVersion, "format version 2"},
		{"another format", manifest(func(m *archive.Manifest) { m.Format = "limesurvey" }), "x-copy", archive.ErrVersion, "limesurvey"},
		{"a newer schema", manifest(func(m *archive.Manifest) { m.SchemaVersion = 999 }), "x-copy", archive.ErrVersion, "schema 999"},
		{"another round than the manifest's", manifest(func(m *archive.Manifest) { m.Survey = "other" }), "x-copy", manage.ErrArchiveRound, "names \"other\""},
		{"the slug taken", data, "", domain.ErrExists, "--slug"},
		{"a bad slug", data, "Not A Slug", survey.ErrBadSlug, ""},
	}
	for _, c := range cases {
		before := storetest.Fingerprint(t, m.Store)
		_, err := importArchive(m, c.data, c.slug)
		switch {
		case err == nil:
			t.Errorf("%s: imported", c.name)
		case c.want == nil && !errors.Is(err, archive.ErrDamaged) && !errors.Is(err, archive.ErrTampered):
			t.Errorf("%s: %v, want damaged or tampered", c.name, err)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		case !strings.Contains(err.Error(), c.says):
			t.Errorf("%s: %q does not say %q", c.name, err, c.says)
		}
		if after := storetest.Fingerprint(t, m.Store); after != before {
			t.Errorf("%s: the refused import changed the database", c.name)
		}
	}
	// The untouched archive is restored.
	if _, err := importArchive(m, data, "x-copy"); err != nil {
		t.Errorf("the archive itself: %v", err)
	}
}

// TestArchiveManyRows: a round of more rows than one insert takes comes
// back equal, row for row. The import's batch is cut to 50 rows
// (Manager.ArchiveBatchRows; in production store.DefaultRestoreBatchRows,
// 1,000) so that 120 responses and revisions of 120 municipalities each
// cross two batch boundaries, the last batch part-full, as 1,500 rows did
// with the default at twelve times the cost. The same archive imported
// with the default batch (one insert per table) comes back equal too, and
// the round trips of the two imports prove that the small batches were
// cut where asked: two statements more for each of the two extra batches
// of responses and of revisions (their identities drawn, their rows
// inserted).
func TestArchiveManyRows(t *testing.T) {
	t.Parallel()
	const rows, batch = 120, 50
	m := &manage.Manager{Store: storetest.New(t)}
	made, err := m.Scale(ctx, domain.OperatorPrincipal(), manage.ScaleSpec{Rounds: 1, Municipalities: rows, Responses: rows, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	sv := made.Rounds[0]
	data := exportArchive(t, m, sv.Slug)
	src := roundRows(t, m.Store, sv.ID)
	if n := len(src["responses"]); n != rows {
		t.Fatalf("the source round has %d responses, want %d", n, rows)
	}
	trips := map[int]uint64{}
	for _, size := range []int{batch, 0} {
		target := &manage.Manager{Store: storetest.New(t), ArchiveBatchRows: size}
		before := target.RoundTrips()
		res, err := importArchive(target, data, "")
		if err != nil {
			t.Fatal(err)
		}
		trips[size] = target.RoundTrips() - before
		if res.Rows["responses"] != rows || res.Rows["revisions"] != rows {
			t.Errorf("batch %d: %+v", size, res.Rows)
		}
		compareRounds(t, src, roundRows(t, target.Store, res.SurveyID), false)
		// The restored round's prepared forms are kept, of its rows as
		// they are.
		var forms int
		if err := target.Store.DB().GetContext(ctx, &forms, `SELECT count(*) FROM response_prepared p
			JOIN responses r ON r.id = p.response_id AND p.row_xmin = r.xmin AND p.row_version = r.version
			WHERE r.survey_id = $1`, res.SurveyID); err != nil || forms != rows {
			t.Errorf("batch %d: %d prepared forms kept of the %d restored responses (%v)", size, forms, rows, err)
		}
	}
	if trips[batch] < trips[0]+2*2*2 {
		t.Errorf("import in batches of %d took %d round trips, with the default batch %d: the batches were not cut",
			batch, trips[batch], trips[0])
	}
}
