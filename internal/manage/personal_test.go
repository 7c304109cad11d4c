package manage_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// The person of these tests: values found nowhere else.
const (
	zelmaName     = "Zelma Distinktīvā-Ābele"
	zelmaEmail    = "Zelma.Distinct@Example.lv"
	zelmaPhone    = "+371 29990001"
	zelmaOldPhone = "+371 29990000"
	zelmaPosition = "Attīstības nodaļas vadītāja vietniece"
)

// traceExcept are columns the scan skips: none yet. When the audit log
// lands, its column of staff e-mail addresses goes here (it keeps who
// acted, never the person's answers).
var traceExcept []string

// zelmaValues are what must leave no trace.
var zelmaValues = []string{zelmaName, zelmaEmail, zelmaPhone, zelmaOldPhone, zelmaPosition}

// personalFixture is a round closing in a month with five submitted demo
// responses; in one of them ("the" response) Zelma answered the personal
// questions over two revisions (her phone changed), an invitation went to
// her address and failed (the SMTP error quotes it), and a receipt is still
// queued to it.
type personalFixture struct {
	m    *manage.Manager
	def  *survey.Definition
	sv   domain.Survey
	code string // the municipality Zelma answered for
}

func newPersonalFixture(t *testing.T) personalFixture {
	t.Helper()
	m, def := setup(t)
	opens := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	op := domain.OperatorPrincipal()
	if n, err := m.Demo(ctx, op, sv.Slug, 5, 7); err != nil || n != 5 {
		t.Fatalf("demo: %d, %v", n, err)
	}
	list, err := m.Store.ResponsesForSurvey(ctx, sv.ID)
	if err != nil || len(list) != 5 {
		t.Fatalf("responses %d: %v", len(list), err)
	}
	r := list[2]
	for i, phone := range []string{zelmaOldPhone, zelmaPhone} {
		a, err := r.Answers()
		if err != nil {
			t.Fatal(err)
		}
		a["resp_name"], a["resp_email"], a["resp_phone"], a["resp_position"] = zelmaName, zelmaEmail, phone, zelmaPosition
		saved, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: r.MunicipalityCode,
			DefinitionSHA256: sv.DefinitionSHA256, BaseVersion: r.Version, Answers: a, Submit: i == 1,
			Actor: store.Actor{Kind: domain.ActorSystem}})
		if err != nil {
			t.Fatal(err)
		}
		r = saved.Response
	}
	msgs, err := m.Store.QueueMessages(ctx, []store.NewMessage{
		{SurveyID: sv.ID, Municipality: r.MunicipalityCode, Kind: domain.MessageInvitation, Recipient: zelmaEmail},
		{SurveyID: sv.ID, Municipality: r.MunicipalityCode, Kind: domain.MessageReceipt, Recipient: zelmaEmail,
			Lang: "lv", ResponseVersion: r.Version, SubmittedAt: time.Now()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := m.Store.ClaimMessage(ctx, sv.ID, nil, "test"); err != nil || c.ID != msgs[0].ID {
		t.Fatalf("claim %+v: %v", c, err)
	}
	if _, err := m.Store.FinishMessage(ctx, msgs[0].ID, "test", store.Outcome{Status: domain.MessageFailed,
		Error: "550 5.1.1 <" + zelmaEmail + ">: mailbox unavailable"}); err != nil {
		t.Fatal(err)
	}
	f := personalFixture{m: m, def: def, sv: sv, code: r.MunicipalityCode}
	if hits := f.traces(t); len(hits) < 5 {
		t.Fatalf("the fixture should hold Zelma's data in several places: %v", hits)
	}
	return f
}

func (f personalFixture) traces(t *testing.T) []string {
	t.Helper()
	return storetest.Traces(t, f.m.Store, traceExcept, zelmaValues...)
}

// others is the round's data that erasing must keep: every response's
// non-personal answers (working and submitted copies), every revision's
// row and its non-personal before/after, and the figures of the results.
func (f personalFixture) others(t *testing.T) string {
	t.Helper()
	personal := manage.PersonalCodes(f.def)
	strip := func(raw []byte) string {
		a := map[string]any{}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &a); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range personal {
			delete(a, k)
		}
		b, _ := json.Marshal(a)
		return string(b)
	}
	var b strings.Builder
	list, err := f.m.Store.ResponsesForSurvey(ctx, f.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		// The versions are versions(): an erasure bumps them.
		fmt.Fprintf(&b, "%s %s: %s | %s\n", r.MunicipalityCode, r.Status, strip(r.AnswersJSON), strip(r.SubmittedJSON))
		revs, err := f.m.Store.Revisions(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range revs {
			if v.Action == domain.RevisionErase {
				continue // versions()
			}
			fmt.Fprintf(&b, "  rev %d %s %s %s: %s -> %s\n", v.Version, v.Action, v.Actor, v.CreatedAt.UTC(),
				strip(v.BeforeJSON), strip(v.AfterJSON))
		}
	}
	b.WriteString(f.figures(t))
	return b.String()
}

// responseVersions are a response's version, submitted version (-1:
// none) and its revisions 'erase'.
type responseVersions struct {
	V, SV  int
	Erases []domain.Revision
}

// versions returns each response's responseVersions, by municipality.
func (f personalFixture) versions(t *testing.T) map[string]responseVersions {
	t.Helper()
	list, err := f.m.Store.ResponsesForSurvey(ctx, f.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]responseVersions{}
	for _, r := range list {
		rv := responseVersions{V: r.Version, SV: -1}
		if r.SubmittedVersion != nil {
			rv.SV = *r.SubmittedVersion
		}
		revs, err := f.m.Store.Revisions(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range revs {
			if v.Action == domain.RevisionErase {
				rv.Erases = append(rv.Erases, v)
			}
		}
		out[r.MunicipalityCode] = rv
	}
	return out
}

// held returns, by municipality, the personal codes each response holds
// anywhere (answers, submitted answers, carried-over marks, any revision),
// in the questionnaire's order: what erasing it must name.
func (f personalFixture) held(t *testing.T) map[string][]string {
	t.Helper()
	list, err := f.m.Store.ResponsesForSurvey(ctx, f.sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range list {
		docs := [][]byte{r.AnswersJSON, r.SubmittedJSON, r.CarriedJSON}
		revs, err := f.m.Store.Revisions(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range revs {
			docs = append(docs, v.BeforeJSON, v.AfterJSON)
		}
		for _, k := range manage.PersonalCodes(f.def) {
			if slices.ContainsFunc(docs, func(d []byte) bool { _, ok := decode(t, d)[k]; return ok }) {
				out[r.MunicipalityCode] = append(out[r.MunicipalityCode], k)
			}
		}
	}
	return out
}

// checkErased checks that the erasure changed the versions from before to
// after as it should: each response in erased went one version up (its
// submitted version with it, when it was the current one: the response is
// not "changed since submitted") with one revision 'erase' by the actor
// (user: its id, 0 for the system) that holds no answers and whose note
// names exactly the codes in erased; every other response kept its
// versions and has no such revision.
func checkErased(t *testing.T, before, after map[string]responseVersions, erased map[string][]string, user int64) {
	t.Helper()
	for code, b := range before {
		a := after[code]
		codes, ok := erased[code]
		if !ok {
			if a.V != b.V || a.SV != b.SV || len(a.Erases) != len(b.Erases) {
				t.Errorf("%s: not erased, but %+v became %+v", code, b, a)
			}
			continue
		}
		wantSV := b.SV
		if b.SV == b.V {
			wantSV = b.V + 1
		}
		if a.V != b.V+1 || a.SV != wantSV || len(a.Erases) != len(b.Erases)+1 {
			t.Errorf("%s: erased, versions %+v became %+v; want v%d sv%d and one more erase revision", code, b, a, b.V+1, wantSV)
			continue
		}
		e := a.Erases[len(a.Erases)-1]
		wantActor := domain.ActorSystem
		if user != 0 {
			wantActor = domain.ActorUser
		}
		if e.Version != a.V || e.Actor != wantActor || (user != 0) != (e.UserID != nil) ||
			(e.UserID != nil && *e.UserID != user) || e.InvitationID != nil ||
			string(e.BeforeJSON) != "{}" || string(e.AfterJSON) != "{}" || e.Note == nil ||
			*e.Note != strings.Join(codes, ", ") {
			t.Errorf("%s: erase revision %+v (note %v), want version %d by %s %d, {} -> {}, note %q",
				code, e, e.Note, a.V, wantActor, user, strings.Join(codes, ", "))
		}
	}
}

// figures renders the results' summary of the non-personal questions and
// the indicators.
func (f personalFixture) figures(t *testing.T) string {
	t.Helper()
	d, err := f.m.Charts(ctx, domain.OperatorPrincipal(), f.sv, f.def, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "responses %d\n", s.Responses)
	for _, q := range s.Questions {
		if q.Question.Personal {
			continue
		}
		fmt.Fprintf(&b, "%s: %d %d %d %d %v", q.Question.Code, q.Answered, q.NotApplicable, q.Missing, q.Texts, q.Options)
		if q.Numbers != nil {
			fmt.Fprintf(&b, " %+v", *q.Numbers)
		}
		b.WriteString("\n")
	}
	for _, i := range s.Indicators {
		fmt.Fprintf(&b, "%s %+v\n", i.Indicator.Code, i.Stats)
	}
	if s.Responses != 5 {
		t.Fatalf("figures of %d responses, want 5", s.Responses)
	}
	return b.String()
}

func TestRetentionErasesPersonalDataWhenDue(t *testing.T) {
	t.Parallel()
	f := newPersonalFixture(t)
	m, op := f.m, domain.OperatorPrincipal()
	// Zelma is also a municipality's contact: the address book is not the
	// round's, and its retention leaves it alone.
	if err := m.Store.ReplaceContacts(ctx, "cesis", []domain.Contact{{Email: strings.ToLower(zelmaEmail), Name: zelmaName}}); err != nil {
		t.Fatal(err)
	}
	keep := f.others(t)
	// No period: the job never erases.
	far := f.sv.ClosesAt.AddDate(50, 0, 0)
	before := storetest.Fingerprint(t, m.Store)
	if res, err := m.EraseExpiredPersonal(ctx, far); err != nil || len(res) != 0 {
		t.Fatalf("without a period: %+v, %v", res, err)
	}
	days := 30
	if err := m.SetRoundRetention(ctx, op, f.sv, &days); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int{-1, manage.MaxRetentionDays + 1} {
		if err := m.SetRoundRetention(ctx, op, f.sv, &bad); err != manage.ErrRetentionRange {
			t.Errorf("retention %d: %v, want ErrRetentionRange", bad, err)
		}
	}
	// An extension moves the round's last deadline, and with it the day.
	ext := f.sv.ClosesAt.Add(48 * time.Hour)
	if err := m.SetExtension(ctx, op, f.sv, "riga", ext); err != nil {
		t.Fatal(err)
	}
	rt, err := m.RoundRetention(ctx, op, f.sv)
	if err != nil || rt.Days == nil || *rt.Days != 30 || !rt.LastDeadline.Equal(ext) || rt.ErasedAt != nil {
		t.Fatalf("retention %+v: %v", rt, err)
	}
	due := *rt.EraseAt()
	before = storetest.Fingerprint(t, m.Store)
	// Before the period ends, nothing happens.
	if res, err := m.EraseExpiredPersonal(ctx, due.Add(-time.Second)); err != nil || len(res) != 0 {
		t.Fatalf("before the day: %+v, %v", res, err)
	}
	if after := storetest.Fingerprint(t, m.Store); after != before {
		t.Fatalf("the job changed the database before the period ended")
	}
	// On the day, every trace goes; the rest stays. Two instances run the
	// job at once: both succeed, and between them erase each thing once
	// (each response gets one new version, one revision 'erase').
	vers, held := f.versions(t), f.held(t)
	if len(held) != 5 {
		t.Fatalf("personal answers in %d responses, want 5: %v", len(held), held)
	}
	var runs [2][]manage.RetentionResult
	var errs [2]error
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { runs[i], errs[i] = m.EraseExpiredPersonal(ctx, due) })
	}
	wg.Wait()
	var e domain.Erased
	for i, res := range runs {
		if errs[i] != nil || len(res) != 1 || res[0].Slug != f.sv.Slug {
			t.Fatalf("on the day, run %d: %+v, %v", i, res, errs[i])
		}
		e.Responses += res[0].Erased.Responses
		e.Revisions += res[0].Erased.Revisions
		e.Messages += res[0].Erased.Messages
	}
	if e.Responses != 5 || e.Revisions < 7 || e.Messages != 2 {
		t.Errorf("erased %+v, want 5 responses, at least 5+2 revisions, 2 messages", e)
	}
	contacts := []string{"contacts.email", "contacts.name"}
	if hits := storetest.Traces(t, m.Store, append(contacts, traceExcept...), zelmaValues...); len(hits) != 0 {
		t.Errorf("traces left after the retention job:\n%s", strings.Join(hits, "\n"))
	}
	if cs, _ := m.Store.ContactsOf(ctx, "cesis"); len(cs) != 1 || cs[0].Name != zelmaName {
		t.Errorf("the retention job changed the contacts: %+v", cs)
	}
	if got := f.others(t); got != keep {
		t.Errorf("the other answers or the figures changed:\nbefore\n%s\nafter\n%s", keep, got)
	}
	checkErased(t, vers, f.versions(t), held, 0)
	list, _ := m.Store.ResponsesForSurvey(ctx, f.sv.ID)
	for _, r := range list {
		if r.ChangedSinceSubmit() {
			t.Errorf("%s looks changed since submitted after the erasure", r.MunicipalityCode)
		}
		a, sub := decode(t, r.AnswersJSON), decode(t, r.SubmittedJSON)
		for _, k := range manage.PersonalCodes(f.def) {
			if _, ok := a[k]; ok {
				t.Errorf("%s still answers %s", r.MunicipalityCode, k)
			}
			if _, ok := sub[k]; ok {
				t.Errorf("%s's submitted copy still answers %s", r.MunicipalityCode, k)
			}
		}
	}
	rt, _ = m.RoundRetention(ctx, op, f.sv)
	if rt.ErasedAt == nil || !rt.ErasedAt.Equal(due) {
		t.Errorf("erased at %v, want %v", rt.ErasedAt, due)
	}
	// Twice is harmless: nothing changes, not even the date recorded.
	before = storetest.Fingerprint(t, m.Store)
	res, err := m.EraseExpiredPersonal(ctx, due.Add(24*time.Hour))
	if err != nil || len(res) != 1 || res[0].Erased != (domain.Erased{}) {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	if after := storetest.Fingerprint(t, m.Store); after != before {
		t.Errorf("the second run changed the database")
	}
}

func TestPersonSearchExportErase(t *testing.T) {
	t.Parallel()
	f := newPersonalFixture(t)
	m, admin := f.m, domain.OperatorPrincipal()
	// Zelma is also a contact of another municipality; a namesake's contact
	// and a staff user named alike are found too; only the user stays.
	if err := m.Store.ReplaceContacts(ctx, "cesis", []domain.Contact{
		{Email: strings.ToLower(zelmaEmail), Name: zelmaName},
		{Email: "kolēģis@example.lv", Name: "Kolēģis Bez Sakara"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.CreateUser(ctx, "zelma.staff@survey.test", "Zelma Distinktīvā (darbiniece)", domain.RoleViewer, ""); err != nil {
		t.Fatal(err)
	}
	keep := f.others(t)
	for _, bad := range []domain.PersonQuery{{}, {Name: "Ze"}, {Email: "bez-et"}, {Email: zelmaEmail, Name: zelmaName}} {
		if _, err := m.FindPerson(ctx, admin, bad); err != manage.ErrPersonQuery {
			t.Errorf("query %+v: %v, want ErrPersonQuery", bad, err)
		}
	}
	// By e-mail: exact, any case.
	d, err := m.FindPerson(ctx, admin, domain.PersonQuery{Email: " " + strings.ToUpper(zelmaEmail) + " "})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Responses) != 1 || d.Responses[0].Municipality != f.code || len(d.Contacts) != 1 ||
		d.Contacts[0].Municipality != "cesis" || len(d.Messages) != 2 || len(d.Users) != 0 {
		t.Fatalf("by e-mail: %+v", d)
	}
	if revs := d.Responses[0].Revisions; len(revs) < 3 {
		t.Errorf("revisions with personal answers: %+v", revs)
	}
	if d, err := m.FindPerson(ctx, admin, domain.PersonQuery{Email: "distinct@example.lv"}); err != nil || !d.Empty() {
		t.Errorf("a part of the address must not match: %+v, %v", d, err)
	}
	// By a part of the name, any case, diacritics kept.
	d, err = m.FindPerson(ctx, admin, domain.PersonQuery{Name: "distinktīvā"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Responses) != 1 || len(d.Contacts) != 1 || len(d.Messages) != 2 || len(d.Users) != 1 {
		t.Fatalf("by name: %+v", d)
	}
	// The export holds every value.
	js, err := m.ExportPerson(ctx, admin, domain.PersonQuery{Name: "distinktīvā"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range zelmaValues {
		if !strings.Contains(strings.ToLower(string(js)), strings.ToLower(v)) {
			t.Errorf("the export lacks %q:\n%s", v, js)
		}
	}
	var back manage.PersonExport
	if err := json.Unmarshal(js, &back); err != nil || len(back.Responses) != 1 {
		t.Errorf("export does not read back: %v", err)
	}
	// Erase by name: the same as found. Only her response gets a new
	// version and a revision 'erase' naming her answers' codes.
	vers, held := f.versions(t), f.held(t)
	found, e, err := m.ErasePerson(ctx, admin, domain.PersonQuery{Name: "distinktīvā"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Responses) != 1 || e.Responses != 1 || e.Revisions < 3 || e.Contacts != 1 || e.Messages != 2 {
		t.Errorf("erased %+v", e)
	}
	if hits := f.traces(t); len(hits) != 0 {
		t.Errorf("traces left after erasing:\n%s", strings.Join(hits, "\n"))
	}
	if got := f.others(t); got != keep {
		t.Errorf("the other answers or the figures changed:\nbefore\n%s\nafter\n%s", keep, got)
	}
	for _, k := range []string{"resp_name", "resp_email", "resp_phone", "resp_position"} {
		if !slices.Contains(held[f.code], k) {
			t.Errorf("her response holds %v, without %s", held[f.code], k)
		}
	}
	checkErased(t, vers, f.versions(t), map[string][]string{f.code: held[f.code]}, 0)
	// What is not hers stays: the colleague's contact, the staff user, the
	// other respondents' personal answers.
	if cs, _ := m.Store.ContactsOf(ctx, "cesis"); len(cs) != 1 || cs[0].Name != "Kolēģis Bez Sakara" {
		t.Errorf("cesis's contacts: %+v", cs)
	}
	d, err = m.FindPerson(ctx, admin, domain.PersonQuery{Name: "distinktīvā"})
	if err != nil || len(d.Users) != 1 || len(d.Responses)+len(d.Contacts)+len(d.Messages) != 0 {
		t.Errorf("after erasing: %+v, %v", d, err)
	}
	list, _ := m.Store.ResponsesForSurvey(ctx, f.sv.ID)
	others := 0
	for _, r := range list {
		a := decode(t, r.AnswersJSON)
		if _, ok := a["resp_name"]; ok {
			others++
		}
		if r.MunicipalityCode == f.code && slices.ContainsFunc(manage.PersonalCodes(f.def), func(k string) bool {
			_, ok := a[k]
			return ok
		}) {
			t.Errorf("%s still has personal answers: %v", f.code, a)
		}
	}
	if others != 4 {
		t.Errorf("%d other respondents keep their names, want 4", others)
	}
	// Erasing again finds nothing and changes nothing but the audit log
	// (the request itself is recorded).
	withoutAudit := func(fp string) string {
		var keep []string
		for _, line := range strings.Split(fp, "\n") {
			if !strings.HasPrefix(line, "audit_log:") {
				keep = append(keep, line)
			}
		}
		return strings.Join(keep, "\n")
	}
	before := storetest.Fingerprint(t, m.Store)
	if _, e, err := m.ErasePerson(ctx, admin, domain.PersonQuery{Email: zelmaEmail}); err != nil || e != (domain.Erased{}) {
		t.Errorf("second erasure: %+v, %v", e, err)
	}
	if after := storetest.Fingerprint(t, m.Store); withoutAudit(after) != withoutAudit(before) || after == before {
		t.Errorf("the second erasure changed the database, or was not recorded:\n%s\n%s", before, after)
	}
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	a := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
	}
	return a
}
