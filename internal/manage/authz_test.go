package manage_test

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// operation is one manage operation called as a principal: the table of
// who may do what, written down here as the rule (not derived from the
// code), and walked for every role by TestOperationsByRole.
type operation struct {
	// method is the Manager method the call exercises.
	method string
	// need is the access the operation requires.
	need domain.Access
	// call runs the operation on a fresh fixture as p. Its error is what
	// the test reads: ErrUnauthenticated or ErrForbidden for a refusal;
	// anything else (nil, or a refusal for another reason) means the
	// principal was let through.
	call func(f *authzFixture, p domain.Principal) error
}

// operations is the whole table, one part per area.
func operations() []operation {
	return slices.Concat(accountOps(), roundOps(), answerOps(), resultOps(), personalOps())
}

// exempt lists the exported Manager methods that take no Principal, each
// with the reason: the respondent's operations (its personal link's token
// is its credential), the service's own jobs, and pure helpers.
func exempt() map[string]string {
	m := map[string]string{}
	for _, part := range []map[string]string{accountExempt(), roundExempt(), answerExempt(), resultExempt(),
		personalExempt()} {
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

// authzFixture is a round with a municipality that has saved a draft
// ("riga", with a personal link) and one that has submitted ("cesis"), and a
// user of each role.
type authzFixture struct {
	m         *manage.Manager
	def       *survey.Definition
	round     domain.Survey
	token     string // riga's personal link
	users     map[string]domain.User
	submitted domain.Response // cesis
	// release is cesis's released feedback; apiToken the admin's API token.
	release  domain.FeedbackRelease
	apiToken domain.APIToken
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	m, def := setup(t)
	opens := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	f := &authzFixture{m: m, def: def, round: sv, users: map[string]domain.User{}}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga"}, false)
	if err != nil || len(links) != 1 {
		t.Fatalf("links %+v: %v", links, err)
	}
	f.token = links[0].URL[strings.LastIndex(links[0].URL, "/")+1:]
	sha := manage.DefinitionSHA256(def)
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: sha,
		Answers: survey.Answers{"resp_name": "Anna Bērziņa"}, Actor: store.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	saved, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "cesis", DefinitionSHA256: sha,
		Answers: survey.Answers{"resp_name": "Jānis Ozols"}, Submit: true, Actor: store.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	f.submitted = saved.Response
	for _, role := range []string{domain.RoleViewer, domain.RoleCoordinator, domain.RoleAdmin} {
		u, err := m.Store.CreateUser(ctx, role+"@survey.test", "Lietotājs "+role, role, "")
		if err != nil {
			t.Fatal(err)
		}
		f.users[role] = u
	}
	// A second admin so that the first may be demoted or disabled.
	if _, err := m.Store.CreateUser(ctx, "admin2@survey.test", "Otrs administrators", domain.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	off, err := m.Store.CreateUser(ctx, "disabled@survey.test", "Atslēgts koordinators", domain.RoleCoordinator, "")
	if err != nil {
		t.Fatal(err)
	}
	if off, err = m.Store.UpdateUser(ctx, off.ID, off.Name, off.Role, true); err != nil {
		t.Fatal(err)
	}
	f.users["disabled"] = off
	admin := f.users[domain.RoleAdmin]
	if f.apiToken, err = m.Store.CreateAPIToken(ctx, admin.ID, "Skripts", []byte("authz fixture token hash 32 byte"), &admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.ReleaseFeedback(ctx, sv.ID, []string{"cesis"}, admin.ID); err != nil {
		t.Fatal(err)
	}
	if f.release, err = m.Store.FeedbackRelease(ctx, sv.ID, "cesis"); err != nil {
		t.Fatal(err)
	}
	return f
}

// who is a principal of the test, with the access levels the rules give
// it. They are tried in this order, the refused ones first for every level.
type who struct {
	name   string
	p      domain.Principal
	allows []domain.Access
}

func (f *authzFixture) principals() []who {
	all := []domain.Access{domain.AccessSignedIn, domain.AccessView, domain.AccessCoordinate, domain.AccessAdminister}
	return []who{
		{"nobody", domain.Principal{}, nil},
		{"disabled coordinator", domain.UserPrincipal(f.users["disabled"]), nil},
		{"viewer", domain.UserPrincipal(f.users[domain.RoleViewer]), all[:2]},
		{"coordinator", domain.UserPrincipal(f.users[domain.RoleCoordinator]), all[:3]},
		{"admin", domain.UserPrincipal(f.users[domain.RoleAdmin]), all},
		{"operator", domain.OperatorPrincipal(), all},
	}
}

var principalType = reflect.TypeOf(domain.Principal{})

// TestOperationsByRole calls every manage operation as nobody, a disabled
// user, a viewer, a coordinator, an admin and the command line's operator:
// the ones the rules refuse get ErrUnauthenticated (nobody, disabled) or
// ErrForbidden and leave the database exactly as it was; the others are let
// through. Every exported Manager method is in the table or exempt with a
// reason, so a new operation cannot be added without its rule.
func TestOperationsByRole(t *testing.T) {
	t.Parallel()
	ops := operations()
	ex := exempt()
	inTable := map[string]bool{}
	for _, op := range ops {
		inTable[op.method] = true
	}
	mt := reflect.TypeOf(&manage.Manager{})
	var missing []string
	for i := range mt.NumMethod() {
		meth := mt.Method(i)
		takesPrincipal := false
		for j := 1; j < meth.Type.NumIn(); j++ {
			if meth.Type.In(j) == principalType {
				takesPrincipal = true
			}
		}
		switch {
		case inTable[meth.Name] && !takesPrincipal:
			t.Errorf("%s is in the table but takes no domain.Principal", meth.Name)
		case inTable[meth.Name]:
		case ex[meth.Name] != "" && takesPrincipal:
			t.Errorf("%s takes a domain.Principal but is exempt; put it in the table", meth.Name)
		case ex[meth.Name] != "":
		default:
			missing = append(missing, meth.Name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		t.Errorf("Manager.%s is neither in the table of operations nor exempt with a reason", name)
	}
	for name := range ex {
		if _, ok := mt.MethodByName(name); !ok {
			t.Errorf("exempt %s is not a Manager method", name)
		}
	}
	for _, op := range ops {
		t.Run(op.method, func(t *testing.T) {
			t.Parallel()
			f := newAuthzFixture(t)
			for _, w := range f.principals() {
				before := storetest.Fingerprint(t, f.m.Store)
				err := op.call(f, w.p)
				refused := errors.Is(err, domain.ErrUnauthenticated) || errors.Is(err, domain.ErrForbidden)
				if slices.Contains(w.allows, op.need) {
					if refused {
						t.Errorf("%s as %s: %v, want it allowed", op.method, w.name, err)
					}
					continue
				}
				want := domain.ErrForbidden
				if w.name == "nobody" || w.name == "disabled coordinator" {
					want = domain.ErrUnauthenticated
				}
				if !errors.Is(err, want) {
					t.Errorf("%s as %s: %v, want %v", op.method, w.name, err, want)
				}
				if after := storetest.Fingerprint(t, f.m.Store); after != before {
					t.Errorf("%s as %s was refused but changed the database:\nbefore %s\nafter  %s", op.method, w.name, before, after)
				}
			}
		})
	}
}
