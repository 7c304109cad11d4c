package manage_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
)

// TestHeldAnswersNeverStale: the save after a save through the same link
// reads nothing — it holds what the last one wrote, the answers the page
// reads, and costs one round trip, its write — and once anybody else
// changes the response (a coordinator's correction here), the next save
// made from what was held is done from the response as it is now: merged
// with the correction (at most three round trips in all), its revision
// holding only its own change, the correction kept.
func TestHeldAnswersNeverStale(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	_, token, now := openRound2026(t, m, def)
	save := func(r *manage.Respondent, base int, code string, v any) (manage.Saved, uint64) {
		t.Helper()
		in := r.Answers.Clone()
		in[code] = v
		m.Wait() // the prepared forms of earlier saves written now, not counted below
		n0 := m.RoundTrips()
		saved, err := m.SaveAnswers(ctx, r, base, in)
		if err != nil || !saved.Changed {
			t.Fatalf("save %s: %+v %v", code, saved, err)
		}
		return saved, m.RoundTrips() - n0
	}
	toSave := func() (*manage.Respondent, uint64) {
		t.Helper()
		m.Wait()
		n0 := m.RoundTrips()
		r, err := m.RespondentToSave(ctx, token, now)
		if err != nil {
			t.Fatal(err)
		}
		return r, m.RoundTrips() - n0
	}
	r, trips := toSave()
	if r.Response.AnswersJSON == nil || trips == 0 {
		t.Fatalf("the first save's context was not read (%d round trips)", trips)
	}
	first, _ := save(r, r.Response.Version, "resp_name", "Anna")

	r, trips = toSave()
	page, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if trips != 0 || r.Response.AnswersJSON != nil {
		t.Errorf("the next save read its context again (%d round trips)", trips)
	}
	if r.Response.Version != first.Response.Version || !reflect.DeepEqual(r.Answers, page.Answers) {
		t.Fatalf("held answers at version %d:\n %v\nthe page's at %d:\n %v", r.Response.Version, r.Answers, page.Response.Version, page.Answers)
	}
	// Two saves from one version, the second merged: the connection has
	// prepared the write and the read of revisions (counted from here).
	base := r.Response.Version
	save(r, base, "resp_name", "Anna Bērziņa")
	r, _ = toSave()
	save(r, base, "population", json.Number("24000"))
	r, _ = toSave()
	held, trips := save(r, r.Response.Version, "resp_position", "Vadītāja")
	if trips != 1 {
		t.Errorf("a save from the held context took %d round trips, want 1", trips)
	}

	// A coordinator corrects the name; the page, still at the version
	// held, changes the e-mail address.
	if _, err := m.Correct(ctx, domain.OperatorPrincipal(), manage.Correction{Slug: "regional-2026", Municipality: "riga",
		Question: "resp_name", BaseVersion: held.Response.Version, Answers: survey.Answers{"resp_name": "Koordinatora labots"},
		Reason: "Pārrakstīšanās kļūda"}); err != nil {
		t.Fatal(err)
	}
	r, trips = toSave()
	if trips != 0 || r.Response.Version != held.Response.Version {
		t.Fatalf("the save's context: version %d, %d round trips", r.Response.Version, trips)
	}
	saved, trips := save(r, held.Response.Version, "resp_email", "anna@riga.lv")
	if trips > 3 {
		t.Errorf("a save merged after a change the held context missed took %d round trips, want at most 3", trips)
	}
	if saved.Response.Version != held.Response.Version+2 || !reflect.DeepEqual(saved.Merged, []string{"resp_name"}) ||
		saved.Answers["resp_name"] != "Koordinatora labots" || saved.Answers["resp_email"] != "anna@riga.lv" {
		t.Fatalf("merged save: version %d (held %d), merged %v, answers %v", saved.Response.Version, held.Response.Version,
			saved.Merged, saved.Answers)
	}
	revs, err := m.Store.Revisions(ctx, saved.Response.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := revs[len(revs)-1]
	if string(last.BeforeJSON) != `{}` || string(last.AfterJSON) != `{"resp_email": "anna@riga.lv"}` {
		t.Errorf("the save's revision %s → %s", last.BeforeJSON, last.AfterJSON)
	}
	// And the save after it holds the merged answers again.
	r, trips = toSave()
	if trips != 0 || !reflect.DeepEqual(r.Answers, saved.Answers) {
		t.Errorf("after the merge: %d round trips, held %v", trips, r.Answers)
	}
}

// roundToKeep is openRound2026's round (regional-2026, open at now) and
// riga's link to it.
func roundToKeep(t *testing.T) (*manage.Manager, string, time.Time, domain.Survey) {
	t.Helper()
	m, def := setup(t)
	_, token, now := openRound2026(t, m, def)
	sv, _, err := m.Round(ctx, domain.OperatorPrincipal(), "regional-2026")
	if err != nil {
		t.Fatal(err)
	}
	return m, token, now, sv
}

// TestKeptContextNeverOutlivesTheLink: what a link's last save kept of its
// context never lets through a save its context read now would refuse, nor
// refuses one it would let through (TestKeptContextRevokedLink: after the
// link is revoked): after the round is closed early its saves are
// ErrRoundClosed and write nothing; a save that changes nothing is
// answered from the context now; when the deadline kept has passed but
// the municipality was since given a later one, the save goes through,
// and when the later deadline kept is taken back, it is refused.
func TestKeptContextNeverOutlivesTheLink(t *testing.T) {
	t.Parallel()
	m, token, now, sv := roundToKeep(t)
	op := domain.OperatorPrincipal()
	saveAt := func(at time.Time, code string, v any) (manage.Saved, error) {
		t.Helper()
		r, err := m.RespondentToSave(ctx, token, at)
		if err != nil {
			return manage.Saved{}, err
		}
		in := r.Answers.Clone()
		in[code] = v
		return m.SaveAnswers(ctx, r, r.Response.Version, in)
	}
	for _, name := range []string{"Anna", "Anna Bērziņa"} {
		if _, err := saveAt(now, "resp_name", name); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing changed: the reply is the response now (a colleague's
	// version, not the kept one).
	resp, err := m.Store.Response(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Correct(ctx, op, manage.Correction{Slug: sv.Slug, Municipality: "riga", Question: "resp_position",
		BaseVersion: resp.Version, Answers: survey.Answers{"resp_position": "Vadītāja"}, Reason: "Precizēts"}); err != nil {
		t.Fatal(err)
	}
	same, err := saveAt(now, "resp_name", "Anna Bērziņa")
	if err != nil || same.Changed || same.Response.Version != resp.Version+1 || same.Answers["resp_position"] != "Vadītāja" {
		t.Fatalf("a save that changes nothing: %v, changed %v, version %d (want %d), answers %v", err, same.Changed,
			same.Response.Version, resp.Version+1, same.Answers)
	}

	// The deadline kept passes; the municipality is then given a later one.
	late := sv.ClosesAt.Add(time.Hour)
	if _, err := saveAt(late, "resp_name", "Anna B."); !errors.Is(err, manage.ErrRoundClosed) {
		t.Fatalf("a save after the deadline: %v, want ErrRoundClosed", err)
	}
	if err := m.SetExtension(ctx, op, sv, "riga", sv.ClosesAt.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := saveAt(now, "resp_name", "Anna B."); err != nil { // keeps the context with the extension
		t.Fatal(err)
	}
	if saved, err := saveAt(late, "resp_name", "Anna Bē."); err != nil || !saved.Changed {
		t.Fatalf("a save within the extension: %v", err)
	}
	// The extension kept is taken back: refused.
	if err := m.DeleteExtension(ctx, op, sv, "riga"); err != nil {
		t.Fatal(err)
	}
	if _, err := saveAt(late, "resp_name", "Anna Bēr"); !errors.Is(err, manage.ErrRoundClosed) {
		t.Fatalf("a save after the extension was taken back: %v, want ErrRoundClosed", err)
	}

	// Closed early: refused, nothing written.
	if _, err := saveAt(now, "resp_name", "Anna Bēr."); err != nil { // kept with the round open
		t.Fatal(err)
	}
	if err := m.CloseRound(ctx, op, sv, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	before, _ := m.Store.Response(ctx, sv.ID, "riga")
	if _, err := saveAt(now, "resp_name", "Anna Bērz."); !errors.Is(err, manage.ErrRoundClosed) {
		t.Fatalf("a save after the round was closed early: %v, want ErrRoundClosed", err)
	}
	if after, _ := m.Store.Response(ctx, sv.ID, "riga"); after.Version != before.Version {
		t.Fatalf("the refused save wrote version %d", after.Version)
	}
}

// TestKeptContextRevokedLink: a link revoked after its last save kept its
// context is refused as unknown (domain.ErrNotFound), whether the save
// is valid or not, and whether or not it collides with the answers kept
// (a conflict would name them), and nothing is written.
func TestKeptContextRevokedLink(t *testing.T) {
	t.Parallel()
	m, token, now, sv := roundToKeep(t)
	op := domain.OperatorPrincipal()
	save := func(code string, v any, stale bool) error {
		t.Helper()
		r, err := m.RespondentToSave(ctx, token, now)
		if err != nil {
			return err
		}
		in := r.Answers.Clone()
		in[code] = v
		base := r.Response.Version
		if stale {
			base-- // made before the last save, which changed the same answer: a conflict
		}
		_, err = m.SaveAnswers(ctx, r, base, in)
		return err
	}
	for _, name := range []string{"Anna", "Anna Bērziņa"} {
		if err := save("resp_name", name, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := save("resp_name", "Anna B.", true); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("a stale save that collides, before the revocation: %v, want a conflict", err)
	}
	if err := save("resp_name", "Anna Bērziņa-Ozola", false); err != nil { // kept again
		t.Fatal(err)
	}
	link, err := m.Store.ActiveInvitation(ctx, sv.ID, "riga")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RevokeLink(ctx, op, sv.ID, "riga", link.ID); err != nil {
		t.Fatal(err)
	}
	before, _ := m.Store.Response(ctx, sv.ID, "riga")
	for _, c := range []struct {
		code  string
		v     any
		stale bool
	}{{"resp_name", "Anna B.", true}, {"resp_name", "Anna B.", false}, {"population", "nav skaitlis", false}} {
		if err := save(c.code, c.v, c.stale); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a save (%s, stale: %v) through the revoked link: %v, want domain.ErrNotFound", c.code, c.stale, err)
		}
	}
	if after, _ := m.Store.Response(ctx, sv.ID, "riga"); after.Version != before.Version {
		t.Fatalf("a save through the revoked link wrote version %d", after.Version)
	}
}
