// Package manage holds the operations coordinators run on the service, for
// the CLI and the coordinator workspace alike: load the reference data,
// create or update a survey round from its definition, issue and show
// personal links, send invitations and reminders, build the response
// tracker, manage users, and fill a round with demo answers.
package manage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/metrics"
	"github.com/civitas-lv/surveyd/internal/refdata"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// Manager runs the operations against a store.
type Manager struct {
	Store   *store.Store
	BaseURL *url.URL
	// Links derives personal links so they can be shown and sent again.
	Links auth.LinkKey
	// Mail sends e-mail; nil when SMTP is not configured.
	Mail mail.Transport
	// TimeZone is used for dates in e-mail.
	TimeZone *time.Location

	// ReportSlots is how many reports are read and built at once
	// (DefaultReportSlots when 0); ReportWait how long a request waits for
	// a slot before ErrBusy (DefaultReportWait when 0).
	ReportSlots int
	ReportWait  time.Duration

	// ArchiveBatchRows is the most rows ImportArchive inserts in one
	// statement (store.DefaultRestoreBatchRows when 0): tests set it low so
	// that a small round crosses batch boundaries.
	ArchiveBatchRows int

	// Publishing says who publishes the open-data packages and where
	// (OpenData).
	Publishing OpenDataSettings

	// Accounts configures signing in: password hashing, session limits,
	// the sign-in throttle (accounts.go).
	Accounts AccountSettings

	// Metrics counts saves, submits, conflicts, merges, exports and mail
	// (nil: not counted).
	Metrics *metrics.Metrics

	defs      definitions // parsed questionnaires by round
	outbox    outbox      // wakes RunOutbox when messages are queued
	reports   reportSlots
	charts    chartCache        // recent chart sets (Charts)
	chartRows chartRowCache     // rounds' answers as the charts decoded them
	summaries summaryCache      // earlier rounds' aggregates for the trends
	chartMemo reports.ChartMemo // charts built, by what they show (Charts)
	books     workbookCache     // recent workbooks (Export)
	bookParts reports.XLSXCache // what one workbook built hands the next (Export)
	held      heldAnswers       // the answers autosaves wrote, by link (held.go)

	formWrites roundWrites    // rounds whose prepared forms are being kept (keepForms)
	background sync.WaitGroup // writes after the requests (Wait)
}

// IsUnavailable reports whether err means the database did not answer in
// time or cannot be reached (store.IsUnavailable): such a request may well
// succeed if tried again later.
func IsUnavailable(err error) bool { return store.IsUnavailable(err) }

// RoundTrips is the store's count of SQL round trips so far
// (store.Store.RoundTrips): what a request cost is the difference.
func (m *Manager) RoundTrips() uint64 { return m.Store.RoundTrips() }

// LoadMunicipalities loads the built-in list; only differing rows change.
func (m *Manager) LoadMunicipalities(ctx context.Context) (changed int, err error) {
	list, err := refdata.Municipalities()
	if err != nil {
		return 0, err
	}
	return m.Store.UpsertMunicipalities(ctx, list)
}

// DefinitionSHA256 fingerprints a definition's canonical JSON.
func DefinitionSHA256(d *survey.Definition) string {
	sum := sha256.Sum256(d.JSON())
	return hex.EncodeToString(sum[:])
}

// RoundResult says what EnsureRound did.
type RoundResult string

// EnsureRound outcomes.
const (
	RoundCreated   RoundResult = "created"
	RoundUpdated   RoundResult = "updated"
	RoundUnchanged RoundResult = "unchanged"
)

// ErrDefinitionInUse is returned when a round's definition would change after
// municipalities have started answering it.
var ErrDefinitionInUse = errors.New("the round's questionnaire differs from the definition, and answers have already been saved; create a new round instead")

// EnsureRound creates the round for the definition if it does not exist
// (open from opens to closes, checked by CheckRoundDates; made as
// CreateRound makes it). It is the seed's idempotent variant, for the
// operator's `surveyd seed` (no principal: it runs before any user
// exists). An existing
// round keeps its dates; its questionnaire is replaced only while nobody
// has answered.
func (m *Manager) EnsureRound(ctx context.Context, def *survey.Definition, opens, closes time.Time) (domain.Survey, RoundResult, error) {
	sha := DefinitionSHA256(def)
	sv, err := m.Store.SurveyBySlug(ctx, def.Slug)
	if errors.Is(err, domain.ErrNotFound) {
		sv, err = m.createRound(ctx, def, opens, closes, nil)
		if errors.Is(err, domain.ErrExists) { // another process created it first
			sv, err = m.Store.SurveyBySlug(ctx, def.Slug)
			return sv, RoundUnchanged, err
		}
		return sv, RoundCreated, err
	}
	if err != nil {
		return domain.Survey{}, "", err
	}
	if sv.DefinitionSHA256 == sha {
		return sv, RoundUnchanged, nil
	}
	err = m.Store.ReplaceDefinition(ctx, sv.ID, def.Title.LV, def.Title.EN, def.ReferenceYear, def.JSON(), sha)
	if errors.Is(err, domain.ErrConflict) {
		// Marks that do not change how answers are read (carry_over: which
		// answers the next round offers) may change after answers.
		stored, perr := m.Definition(sv)
		if perr != nil || !sameButCarryOver(stored, def) {
			return sv, "", fmt.Errorf("round %s: %w", def.Slug, ErrDefinitionInUse)
		}
		err = m.Store.ReplaceAnsweredDefinition(ctx, sv.ID, def.Title.LV, def.Title.EN, def.ReferenceYear, def.JSON(), sha)
	}
	if err != nil {
		return sv, "", err
	}
	sv, err = m.Store.SurveyByID(ctx, sv.ID)
	return sv, RoundUpdated, err
}

// sameButCarryOver reports whether two definitions differ at most in their
// questions' carry_over marks.
func sameButCarryOver(a, b *survey.Definition) bool {
	strip := func(d *survey.Definition) []byte {
		c, err := survey.Parse(d.JSON(), "copy") // a copy to change
		if err != nil {
			return nil
		}
		for _, q := range c.Questions() {
			q.CarryOver = false
		}
		return c.JSON()
	}
	x, y := strip(a), strip(b)
	return x != nil && bytes.Equal(x, y)
}

// Link is a personal link. The URL holds the token, which is not stored:
// it is derived again from the link key when needed.
type Link struct {
	Municipality string
	Name         string
	URL          string
}

// Invite issues links for the round: for the listed municipalities (all
// active ones when codes is empty). It rotates existing links (the old ones
// stop working) unless onlyMissing, when municipalities that already have a
// working link are skipped, and so are those whose link was revoked: a
// revoked municipality stays without a link until a coordinator issues one
// (on the links page, or Invite without onlyMissing). For coordinators
// (domain.AccessCoordinate).
func (m *Manager) Invite(ctx context.Context, p domain.Principal, slug string, codes []string, onlyMissing bool) ([]Link, error) {
	res, err := m.IssueLinks(ctx, p, slug, codes, onlyMissing)
	return res.Links, err
}

// Issued says what IssueLinks did.
type Issued struct {
	Links []Link
	// Held lists the municipalities (codes) left without a link because
	// their link was revoked (onlyMissing only).
	Held []string
}

// IssueLinks is Invite, also saying which municipalities were held back
// because their link was revoked. For coordinators
// (domain.AccessCoordinate).
func (m *Manager) IssueLinks(ctx context.Context, p domain.Principal, slug string, codes []string, onlyMissing bool) (Issued, error) {
	var out Issued
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	sv, err := m.Store.SurveyBySlug(ctx, slug)
	if err != nil {
		return out, fmt.Errorf("survey %q: %w", slug, err)
	}
	all, err := m.Store.Municipalities(ctx)
	if err != nil {
		return out, err
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	revoked := map[string]bool{}
	if onlyMissing {
		list, err := m.Store.RevokedWithoutLink(ctx, sv.ID)
		if err != nil {
			return out, err
		}
		for _, c := range list {
			revoked[c] = true
		}
	}
	for _, mu := range all {
		if len(codes) > 0 && !want[mu.Code] || len(codes) == 0 && !mu.Active {
			continue
		}
		delete(want, mu.Code)
		if revoked[mu.Code] {
			out.Held = append(out.Held, mu.Code)
			continue
		}
		token, hash, salt := m.Links.New()
		link := store.NewLink{Hash: hash, Salt: salt}
		if onlyMissing {
			_, created, err := m.Store.CreateInvitationIfMissing(ctx, sv.ID, mu.Code, link)
			if err != nil {
				return out, err
			}
			if !created {
				continue
			}
		} else if _, err := m.Store.RotateInvitation(ctx, sv.ID, mu.Code, link); err != nil {
			return out, err
		}
		out.Links = append(out.Links, Link{Municipality: mu.Code, Name: mu.NameLV, URL: m.LinkURL(token)})
	}
	for c := range want {
		return out, fmt.Errorf("unknown municipality %q", c)
	}
	issued := make([]string, len(out.Links))
	for i, l := range out.Links {
		issued[i] = l.Municipality
	}
	muni := ""
	if len(issued) == 1 {
		muni = issued[0]
	}
	return out, m.audit(ctx, p, domain.AuditLinkIssue, sv.ID, muni, map[string]any{"issued": issued,
		"held": len(out.Held), "only_missing": onlyMissing})
}

// LinkURL is the address of the form for a token.
func (m *Manager) LinkURL(token string) string {
	u := *m.BaseURL
	u.Path = u.Path + "/r/" + token
	return u.String()
}
